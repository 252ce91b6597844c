import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunInfo } from '../../engine/src/protocol/view-messages.js';
import { configDiff, flatten, runConfig, runsDiff } from '../../webview/src/model/config-diff.js';

function run(id: string, config: RunInfo['config'], hyperparameters: Record<string, unknown> = {}, extra: Partial<RunInfo> = {}): RunInfo {
  return { id, experiment: 'e', label: id, optimizer: 'sgd', status: 'completed', hyperparameters, summary: {}, config, createdAt: '', ...extra };
}

describe('config diff', () => {
  test('shows only the keys whose values differ', () => {
    const a = run('a', { 'problem.dim': 10000, 'optimizer.type': 'sgd', target: 0.01 }, { learningRate: 0.1, precondition: 0 });
    const b = run('b', { 'problem.dim': 10000, 'optimizer.type': 'sgd', target: 0.01 }, { learningRate: 0.3, precondition: 0 });
    assert.deepEqual(runsDiff([a, b]), [{ key: 'hyperparameters.learningRate', values: [0.1, 0.3] }]);
  });

  test('a key missing from one run differs; hyperparameters come first, then keys alphabetically', () => {
    const a = run('a', { z: 1, m: 'x' }, { momentum: 0.9 });
    const b = run('b', { z: 2, m: 'x' }, {});
    const c = run('c', { z: 1, m: 'x', extra: true }, { momentum: 0.9 });
    assert.deepEqual(runsDiff([a, b, c]), [
      { key: 'hyperparameters.momentum', values: [0.9, undefined, 0.9] },
      { key: 'extra', values: [undefined, undefined, true] },
      { key: 'z', values: [1, 2, 1] },
    ]);
  });

  test('identical runs, or a single run, differ in nothing', () => {
    const a = run('a', { x: 1 }, { lr: 1 });
    assert.deepEqual(runsDiff([a, run('b', { x: 1 }, { lr: 1 })]), []);
    assert.deepEqual(runsDiff([a]), []);
  });

  test('values differ by type too (1 vs "1"), not by NaN identity or -0', () => {
    assert.deepEqual(configDiff([{ k: 1 }, { k: '1' }]).map((r) => r.key), ['k']);
    assert.deepEqual(configDiff([{ k: NaN }, { k: NaN }]), []);
    assert.deepEqual(configDiff([{ k: 0 }, { k: -0 }]), []);
    assert.deepEqual(configDiff([{ k: null }, { k: 'null' }]).map((r) => r.key), ['k']);
  });

  test('run facts (optimizer, batch size) take part when the config lacks them', () => {
    const a = run('a', {}, {}, { optimizer: 'sgd', batchSize: 4 });
    const b = run('b', {}, {}, { optimizer: 'sgd', batchSize: 16 });
    assert.deepEqual(runsDiff([a, b]), [{ key: 'batchSize', values: [4, 16] }]);
    assert.equal(runConfig(run('c', { batchSize: 8 }, {}, { batchSize: 99 })).batchSize, 8, 'the config wins');
  });

  test('flattens nested objects and arrays to dotted keys', () => {
    assert.deepEqual(flatten({ a: { b: 1, c: [2, { d: 3 }] }, e: [], f: {} }), { 'a.b': 1, 'a.c[0]': 2, 'a.c[1].d': 3, e: '[]', f: '{}' });
  });
});
