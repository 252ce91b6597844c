import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricRow } from '../../engine/src/store/types.js';
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

  test('columns go straight into the typed arrays and give the same series as the same rows', () => {
    const rows: MetricRow[] = [
      { step: 0, loss: 4, time: 1_700_000_000_000 },
      { step: 1, loss: 'NaN', gradNorm: 10, time: 1_700_000_000_500 },
      { step: 2, gradNorm: 8, wallTime: 1_700_000_002_000 },
    ];
    const byRows = new RunSeries('r');
    byRows.append(rows);
    const byCols = new RunSeries('c');
    const grew = byCols.appendColumns(
      { step: [0, 1, 2], loss: [4, null, null], gradNorm: [null, 10, 8], time: [1_700_000_000_000, 1_700_000_000_500, null], wallTime: [null, null, 1_700_000_002_000] },
      3,
    );
    assert.equal(grew, true);
    assert.equal(byCols.length, 3);
    for (const key of ['step', 'loss', 'gradNorm', WALL_COLUMN]) assert.deepEqual(col(byCols, key), col(byRows, key), key);
    assert.deepEqual(byCols.keys().sort(), byRows.keys().sort());
    assert.deepEqual(byCols.extent('gradNorm'), byRows.extent('gradNorm'));
    assert.equal(byCols.isMonotone('step'), true);
    assert.deepEqual(col(byCols, WALL_COLUMN), [0, 0.5, 2]);
  });

  test('non-finite cells arrive as the store writes them and become the same numbers as from rows (one encoding end to end)', () => {
    const rows: MetricRow[] = [{ step: 0, loss: 'Infinity', lr: '-Infinity' }, { step: 1, loss: 'NaN', lr: 0.1 }];
    const byRows = new RunSeries('r');
    byRows.append(rows);
    const byCols = new RunSeries('c');
    byCols.appendColumns({ step: [0, 1], loss: ['Infinity', 'NaN'], lr: ['-Infinity', 0.1] }, 2);
    for (const key of ['loss', 'lr']) assert.deepEqual(col(byCols, key), col(byRows, key), key);
    assert.deepEqual(col(byCols, 'loss'), [Infinity, NaN]);
    assert.deepEqual(col(byCols, 'lr'), [-Infinity, 0.1]);
  });

  test('columns: a later message without a column leaves NaN there; a new column is NaN before it; capacity grows', () => {
    const s = new RunSeries('r');
    s.appendColumns({ step: [0, 1], loss: [3, 2] }, 2);
    assert.equal(s.appendColumns({ step: [2], loss: [1] }, 1), false, 'no new column');
    assert.equal(s.appendColumns({ step: [3], acc: [0.5] }, 1), true, 'acc is new');
    assert.deepEqual(col(s, 'loss'), [3, 2, 1, NaN]);
    assert.deepEqual(col(s, 'acc'), [NaN, NaN, NaN, 0.5]);
    const n = 5000;
    s.appendColumns({ step: Array.from({ length: n }, (_, i) => 4 + i), loss: Array.from({ length: n }, () => 1) }, n);
    assert.equal(s.length, 4 + n);
    assert.equal(s.column('step')![4 + n - 1], 3 + n);
    assert.equal(s.extent('step')!.max, 3 + n);
    assert.equal(s.appendColumns({}, 0), false, 'an empty message changes nothing');
    assert.equal(s.length, 4 + n);
  });

  test('the store ingests either form, with reset, from protocol messages', () => {
    const store = new SeriesStore();
    store.ingest({ runId: 'a', rows: [{ step: 0, loss: 1 }] });
    store.ingest({ runId: 'a', columns: { step: [1, 2], loss: [0.5, 0.25] }, length: 2 });
    assert.deepEqual(col(store.get('a')!, 'loss'), [1, 0.5, 0.25]);
    const g = store.get('a')!.generation;
    store.ingest({ runId: 'a', columns: { step: [0], loss: [7] }, length: 1, reset: true });
    assert.deepEqual(col(store.get('a')!, 'loss'), [7]);
    assert.equal(store.get('a')!.generation, g + 1);
    assert.deepEqual(store.metricKeys(), ['loss']);
  });

  test('roughness: noise turns at about 2/3 of its moves, a closed-form curve or a schedule hardly ever', () => {
    const s = new RunSeries('r');
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const n = 2000;
    s.appendColumns(
      {
        noisy: Array.from({ length: n }, (_, i) => 1 / (1 + i / 100) + 0.05 * rand()),
        curve: Array.from({ length: n }, (_, i) => 5 / (1 + i / 300) + 0.01),
        schedule: Array.from({ length: n }, (_, i) => 0.1 * 0.5 ** Math.floor(i / 500)),
      },
      n,
    );
    assert.ok(Math.abs(s.roughness('noisy')! - 2 / 3) < 0.1, `noise: ${s.roughness('noisy')}`);
    assert.equal(s.roughness('curve'), 0);
    assert.equal(s.roughness('schedule'), 0, 'three steps in 2,000 rows');
    const few = new RunSeries('f');
    few.append([{ loss: 1 }, { loss: 2 }, { loss: 1 }]);
    assert.equal(few.roughness('loss'), undefined, 'too little to tell');
    // Incremental: the same figure whether the rows come at once or in pieces.
    const t = new RunSeries('t');
    for (let k = 0; k < n; k += 100) t.appendColumns({ noisy: Array.from(s.column('noisy')!.subarray(k, k + 100)) }, 100);
    assert.equal(t.roughness('noisy'), s.roughness('noisy'));
  });
});
