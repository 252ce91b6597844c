import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { experimentBaseName, experimentNameOf, groupRunsByExperiment, recordedFileCandidates } from '../../extension/src/model/experiment-runs';
import { record } from './fixtures';

describe('runs of experiment files', () => {
  const files = [
    { file: '/ws/a.optlab.json', name: 'study' },
    { file: '/ws/sub/b.optlab.json', name: 'other' },
  ];

  test('by recorded absolute path, by path relative to a workspace folder, then by a unique name', () => {
    const abs = record({ id: 'abs', experiment: { name: 'renamed', file: '/ws/a.optlab.json' } });
    const rel = record({ id: 'rel', experiment: { name: 'x', file: 'sub/b.optlab.json' } });
    const byName = record({ id: 'byname', experiment: { name: 'study', file: '/elsewhere/a.optlab.json' } });
    const orphan = record({ id: 'orphan', experiment: { name: 'gone', file: '/ws/deleted.optlab.json' } });
    const { byFile, orphans } = groupRunsByExperiment(files, [abs, rel, byName, orphan], ['/ws'], 'linux');
    assert.deepEqual(byFile.get('/ws/a.optlab.json')!.map((r) => r.id).sort(), ['abs', 'byname']);
    assert.deepEqual(byFile.get('/ws/sub/b.optlab.json')!.map((r) => r.id), ['rel']);
    assert.deepEqual(orphans.map((r) => r.id), ['orphan']);
  });

  test('a name shared by two files is not guessed', () => {
    const twins = [
      { file: '/ws/a.optlab.json', name: 'same' },
      { file: '/ws/b.optlab.json', name: 'same' },
    ];
    const run = record({ experiment: { name: 'same' } });
    const { orphans } = groupRunsByExperiment(twins, [run], ['/ws'], 'linux');
    assert.equal(orphans.length, 1);
  });

  test('newest first within a file', () => {
    const older = record({ id: 'older', createdAt: '2026-01-01T00:00:00.000Z', experiment: { name: 'study', file: '/ws/a.optlab.json' } });
    const newer = record({ id: 'newer', createdAt: '2026-01-02T00:00:00.000Z', experiment: { name: 'study', file: '/ws/a.optlab.json' } });
    const { byFile } = groupRunsByExperiment(files, [older, newer], ['/ws'], 'linux');
    assert.deepEqual(byFile.get('/ws/a.optlab.json')!.map((r) => r.id), ['newer', 'older']);
  });

  test('paths compare case-insensitively on Windows and macOS only', () => {
    const run = record({ experiment: { name: 'z', file: '/WS/A.optlab.json' } });
    assert.equal(groupRunsByExperiment(files, [run], [], 'darwin').byFile.get('/ws/a.optlab.json')!.length, 1);
    assert.equal(groupRunsByExperiment(files, [run], [], 'linux').orphans.length, 1);
  });

  test('helpers', () => {
    assert.deepEqual(recordedFileCandidates('x.optlab.json', ['/a', '/b']), ['/a/x.optlab.json', '/b/x.optlab.json']);
    assert.deepEqual(recordedFileCandidates(undefined, ['/a']), []);
    assert.equal(experimentNameOf('{"name": "n", "x": 1}'), 'n');
    assert.equal(experimentNameOf('\ufeff{"name": "bom"}'), 'bom');
    assert.equal(experimentNameOf('{"name": '), undefined);
    assert.equal(experimentNameOf('{"name": ""}'), undefined);
    assert.equal(experimentBaseName('/x/nqm-critical-batch.optlab.json'), 'nqm-critical-batch');
  });
});
