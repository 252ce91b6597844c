import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INDEX_COLUMN, orderMetrics, RunSeries, SeriesStore, toNumber, WALL_COLUMN } from '../../webview/src/model/series-store.js';

const col = (s: RunSeries, key: string) => Array.from(s.column(key)!.subarray(0, s.length));

describe('series store', () => {
  test('appends rows column by column, NaN where a row lacks a column', () => {
    const s = new RunSeries('r');
    s.append([{ step: 0, loss: 4 }, { step: 1, loss: 3, gradNorm: 10 }]);
    s.append([{ step: 2, gradNorm: 8 }]);
    assert.equal(s.length, 3);
    assert.deepEqual(col(s, 'step'), [0, 1, 2]);
    assert.deepEqual(col(s, 'loss'), [4, 3, NaN]);
    assert.deepEqual(col(s, 'gradNorm'), [NaN, 10, 8]);
  });

  test('grows past its initial capacity without losing values', () => {
    const s = new RunSeries('r');
    for (let k = 0; k < 7; k++) s.append(Array.from({ length: 300 }, (_, i) => ({ step: k * 300 + i, loss: 1 / (k * 300 + i + 1) })));
    assert.equal(s.length, 2100);
    const steps = col(s, 'step');
    assert.ok(steps.every((v, i) => v === i), 'steps are 0..2099 in order');
    assert.equal(col(s, 'loss')[2099], 1 / 2100);
  });

  test('reads the store\'s non-finite strings and ignores non-numeric values', () => {
    assert.ok(Number.isNaN(toNumber('NaN')));
    assert.equal(toNumber('Infinity'), Infinity);
    assert.equal(toNumber('-Infinity'), -Infinity);
    assert.equal(toNumber('2.5'), 2.5);
    assert.ok(Number.isNaN(toNumber(null)));
    assert.ok(Number.isNaN(toNumber(true)));
    const s = new RunSeries('r');
    s.append([{ step: 0, loss: 'Infinity', phase: 'train' }]);
    assert.equal(col(s, 'loss')[0], Infinity);
    assert.deepEqual(s.metricKeys(), [], 'a column with no finite value is not a metric');
  });

  test('tracks extents (with the smallest positive value) and whether a column is sorted', () => {
    const s = new RunSeries('r');
    s.append([{ step: 0, loss: -1 }, { step: 5, loss: 0.5 }, { step: 5, loss: 2 }]);
    assert.deepEqual(s.extent('loss'), { min: -1, max: 2, minPositive: 0.5, finite: 3 });
    assert.equal(s.isMonotone('step'), true);
    s.append([{ step: 3, loss: 1 }]);
    assert.equal(s.isMonotone('step'), false, 'a decreasing step breaks monotonicity');
    const t = new RunSeries('t');
    t.append([{ step: 0 }, { step: 'NaN' }, { step: 2 }]);
    assert.equal(t.isMonotone('step'), false, 'a NaN x breaks monotonicity (binary search would be wrong)');
  });

  test('wall time is seconds since the run\'s first row (epoch milliseconds converted)', () => {
    const s = new RunSeries('r');
    s.append([{ step: 0, time: 1_700_000_000_000 }, { step: 1, time: 1_700_000_001_500 }]);
    assert.deepEqual(col(s, WALL_COLUMN), [0, 1.5]);
    const u = new RunSeries('u');
    u.append([{ step: 0, wallTime: 100 }, { step: 1, wallTime: 102.25 }]);
    assert.deepEqual(col(u, WALL_COLUMN), [0, 2.25]);
    assert.equal(u.xKey('wallTime'), WALL_COLUMN);
    assert.equal(new RunSeries('v').xKey('wallTime'), undefined);
  });

  test('step falls back to the row index when a run logs none', () => {
    const s = new RunSeries('r');
    s.append([{ loss: 3 }, { loss: 2 }]);
    assert.equal(s.xKey('step'), INDEX_COLUMN);
    s.append(Array.from({ length: 400 }, () => ({ loss: 1 })));
    const x = s.x('step')!;
    assert.equal(x[0], 0);
    assert.equal(x[401], 401);
    assert.equal(s.isMonotone(INDEX_COLUMN), true);
  });

  test('metrics exclude x columns; loss comes first, then other losses, accuracy, learning rate, the rest', () => {
    const store = new SeriesStore();
    store.append('a', [{ step: 0, examples: 32, time: 5, zeta: 1, learningRate: 0.1, loss: 2, val_loss: 3, accuracy: 0.5 }]);
    assert.deepEqual(store.metricKeys(), ['loss', 'val_loss', 'accuracy', 'learningRate', 'zeta']);
    assert.deepEqual(orderMetrics(['b', 'a', 'loss']), ['loss', 'a', 'b']);
    assert.equal(store.hasXAxis('examples'), true);
    assert.equal(store.hasXAxis('wallTime'), true);
  });

  test('reset clears a run and bumps its generation; new columns bump the store version', () => {
    const store = new SeriesStore();
    store.append('a', [{ step: 0, loss: 1 }]);
    const v = store.columnsVersion;
    store.append('a', [{ step: 1, loss: 1 }]);
    assert.equal(store.columnsVersion, v, 'no new column, same version');
    store.append('a', [{ step: 2, loss: 1, lr: 2 }]);
    assert.ok(store.columnsVersion > v);
    const g = store.get('a')!.generation;
    store.append('a', [{ step: 0, loss: 9 }], true);
    assert.equal(store.get('a')!.length, 1);
    assert.equal(store.get('a')!.column('loss')![0], 9);
    assert.equal(store.get('a')!.generation, g + 1);
  });
});
