import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { experimentFileFromArg, runIdsFromArgs } from '../../extension/src/commands/args';
import { computeBackendFromSetting, resolveSettings, resolveStoreRoot, workersFromSetting } from '../../extension/src/model/settings';

describe('settings', () => {
  test('store location: relative to the first workspace folder, absolute, ~, or the default', () => {
    assert.equal(resolveStoreRoot('.optlab', '/ws', '/home/u'), path.resolve('/ws/.optlab'));
    assert.equal(resolveStoreRoot('runs/store', '/ws', '/home/u'), path.resolve('/ws/runs/store'));
    assert.equal(resolveStoreRoot('/data/optlab', '/ws', '/home/u'), path.resolve('/data/optlab'));
    assert.equal(resolveStoreRoot('~/optlab', '/ws', '/home/u'), path.resolve('/home/u/optlab'));
    assert.equal(resolveStoreRoot('', '/ws', '/home/u'), path.resolve('/ws/.optlab'));
    assert.equal(resolveStoreRoot(undefined, undefined, '/home/u'), path.resolve('/home/u/.optlab'));
  });

  test('max parallel trials -> workers: 0 or nonsense means one per core', () => {
    assert.equal(workersFromSetting(0), undefined);
    assert.equal(workersFromSetting(-3), undefined);
    assert.equal(workersFromSetting('4'), undefined);
    assert.equal(workersFromSetting(3), 3);
    assert.equal(workersFromSetting(2.7), 2);
  });

  test('compute backend: known values, else auto', () => {
    assert.equal(computeBackendFromSetting('wasm'), 'wasm');
    assert.equal(computeBackendFromSetting('tpu'), 'auto');
    assert.deepEqual(resolveSettings({ computeBackend: 'cpu', maxParallelTrials: 1, storeLocation: 's' }, '/ws', '/h'), { computeBackend: 'cpu', workers: 1, storeRoot: path.resolve('/ws/s') });
  });
});

describe('command arguments', () => {
  const runNode = (id: string) => ({ kind: 'run', run: { id }, file: '/ws/a.optlab.json' });
  const uri = (p: string) => ({ scheme: 'file', fsPath: p, path: p });

  test('tree context menus: the selection when it includes the clicked node, else the clicked node', () => {
    assert.deepEqual(runIdsFromArgs(runNode('a'), [runNode('a'), runNode('b')]), ['a', 'b']);
    assert.deepEqual(runIdsFromArgs(runNode('c'), [runNode('a'), runNode('b')]), ['c']);
    assert.deepEqual(runIdsFromArgs(runNode('a')), ['a']);
    assert.deepEqual(runIdsFromArgs(undefined, [runNode('a'), { kind: 'experiment', file: '/x' }]), ['a']);
  });

  test('ids from strings, {runId}, {runIds}, arrays; never from file paths', () => {
    assert.deepEqual(runIdsFromArgs('20260101-x'), ['20260101-x']);
    assert.deepEqual(runIdsFromArgs({ runId: 'r' }), ['r']);
    assert.deepEqual(runIdsFromArgs({ runIds: ['r', 's', 'r', 3] }), ['r', 's']);
    assert.deepEqual(runIdsFromArgs(['a', 'b']), ['a', 'b']);
    assert.deepEqual(runIdsFromArgs('/ws/a.optlab.json'), []);
    assert.deepEqual(runIdsFromArgs(uri('/ws/a.optlab.json')), []);
    assert.deepEqual(runIdsFromArgs(undefined), []);
  });

  test('experiment file from a Uri, a node, a path, {experimentFile}', () => {
    assert.equal(experimentFileFromArg(uri('/ws/a.optlab.json')), '/ws/a.optlab.json');
    assert.equal(experimentFileFromArg({ scheme: 'untitled', fsPath: 'Untitled-1' }), undefined);
    assert.equal(experimentFileFromArg({ kind: 'experiment', file: '/ws/b.optlab.json', runs: [] }), '/ws/b.optlab.json');
    assert.equal(experimentFileFromArg(runNode('a')), '/ws/a.optlab.json');
    assert.equal(experimentFileFromArg('/ws/c.optlab.json'), '/ws/c.optlab.json');
    assert.equal(experimentFileFromArg('run-id'), undefined);
    assert.equal(experimentFileFromArg({ experimentFile: '/ws/d.optlab.json' }), '/ws/d.optlab.json');
    assert.equal(experimentFileFromArg({ file: uri('/ws/e.optlab.json') }), '/ws/e.optlab.json');
  });
});
