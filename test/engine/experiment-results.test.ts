import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore, StoreError, experimentResultPath } from '../../engine/src/store/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-expres-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('experiment results beside the runs', () => {
  test('written atomically, read back with non-finite numbers intact, replaced by the next session', () => {
    const store = new RunStore(path.join(tmp, 'a'), { now: () => new Date(Date.UTC(2026, 11, 7)) });
    const key = { name: 'cb', file: '/ws/cb.optlab.json' };
    assert.equal(store.readExperimentResult(key), undefined);
    const file = store.writeExperimentResult(key, ['r1', 'r2'], { criticalBatchSize: [{ optimizer: 'SGD', bCrit: Number.POSITIVE_INFINITY }], findings: [] });
    assert.equal(path.dirname(file), path.join(store.root, 'experiments'));
    assert.deepEqual(fs.readdirSync(path.dirname(file)), [path.basename(file)], 'no temporary file left');
    const got = store.readExperimentResult(key)!;
    assert.deepEqual(got.runIds, ['r1', 'r2']);
    assert.equal(got.finishedAt, '2026-12-07T00:00:00.000Z');
    assert.equal((got.result.criticalBatchSize as { bCrit: number }[])[0].bCrit, Number.POSITIVE_INFINITY);
    store.writeExperimentResult(key, ['r3'], { criticalBatchSize: [], findings: [] });
    assert.deepEqual(store.readExperimentResult(key)!.runIds, ['r3']);
  });

  test('experiments are told apart by their file; same name in two folders are two experiments', () => {
    const root = path.join(tmp, 'b');
    const a = experimentResultPath(root, { name: 'cb', file: '/ws/one/cb.optlab.json' });
    const b = experimentResultPath(root, { name: 'cb', file: '/ws/two/cb.optlab.json' });
    assert.notEqual(a, b);
    assert.match(path.basename(a), /^cb-[0-9a-f]{12}\.json$/);
    assert.equal(experimentResultPath(root, { file: '/ws/one/./cb.optlab.json' }), a, 'found from the file alone, its path normalised');
    assert.notEqual(experimentResultPath(root, { name: 'cb' }), a, 'a file-less experiment is keyed by its name');
  });

  test('a damaged result file is an error naming it', () => {
    const store = new RunStore(path.join(tmp, 'c'));
    const key = { name: 'x' };
    const file = store.writeExperimentResult(key, [], {});
    fs.writeFileSync(file, '{"schemaVersion": 1, "experiment":');
    assert.throws(() => store.readExperimentResult(key), (e: unknown) => e instanceof StoreError && e.message.includes(file) && /not valid JSON/.test(e.message));
    fs.writeFileSync(file, '{"schemaVersion": 2}');
    assert.throws(() => store.readExperimentResult(key), /is not an experiment result/);
  });
});
