import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bulkMetricsMessages, liveMetricsMessage, metricsMessage, rowsToColumns } from '../../extension/src/model/metric-columns';
import { parseHostMessage } from '../../engine/src/protocol/view-messages';
import type { MetricRow } from '../../engine/src/store/types';

const rows = (n: number, from = 0): MetricRow[] => Array.from({ length: n }, (_, i) => ({ step: from + i, loss: 1 / (from + i + 1), learningRate: 0.1 }));

describe('columnar metric messages (host side)', () => {
  test('rows become one array per column; absent and non-numeric cells become null, non-finite ones the store\'s markers (one encoding from the engine to the view); time strings become epoch ms', () => {
    const { columns, length } = rowsToColumns([
      { step: 0, loss: 2, time: '2025-01-01T00:00:00.000Z' },
      { step: 1, loss: 'NaN', gradNorm: 'Infinity', phase: 'train', time: 1_735_689_601_000 },
      { step: 2, loss: '0.5', gradNorm: Infinity },
    ]);
    assert.equal(length, 3);
    assert.deepEqual(columns, {
      step: [0, 1, 2],
      loss: [2, 'NaN', 0.5],
      time: [Date.UTC(2025, 0, 1), 1_735_689_601_000, null],
      gradNorm: [null, 'Infinity', 'Infinity'],
      phase: [null, null, null],
    });
    // It survives JSON (what VS Code's webview channel does) unchanged and passes validation.
    const msg = metricsMessage('r', [{ step: 0, loss: NaN }, { step: 1, loss: 1 }]);
    assert.deepEqual(JSON.parse(JSON.stringify(msg)), msg);
    assert.deepEqual(parseHostMessage(JSON.parse(JSON.stringify(msg))), { type: 'metrics', runId: 'r', columns: { step: [0, 1], loss: ['NaN', 1] }, length: 2 });
  });

  test('bulk loads: every run reset, as few metricsBatch messages as the cell budget allows, runs never split, order kept', () => {
    const runs = [
      { runId: 'a', rows: rows(100) },
      { runId: 'b', rows: rows(100) },
      { runId: 'c', rows: [] },
      { runId: 'd', rows: rows(500) },
      { runId: 'e', rows: rows(10) },
    ];
    const all = bulkMetricsMessages(runs);
    assert.equal(all.length, 1, 'one message under the default budget');
    assert.deepEqual(all[0].batches.map((b) => [b.runId, b.length, b.reset]), [['a', 100, true], ['b', 100, true], ['c', 0, true], ['d', 500, true], ['e', 10, true]]);
    // 3 columns per row: a 1,000-cell budget holds a and b (600 cells), then d alone (1,500 > budget), then e.
    const split = bulkMetricsMessages(runs, 1000);
    assert.deepEqual(split.map((m) => m.batches.map((b) => b.runId)), [['a', 'b', 'c'], ['d'], ['e']]);
    for (const m of split) parseHostMessage(JSON.parse(JSON.stringify(m)));
    assert.deepEqual(bulkMetricsMessages([]), []);
  });

  test('live deltas: one message for every run with new rows', () => {
    const m = liveMetricsMessage([{ runId: 'a', rows: rows(2, 10) }, { runId: 'b', rows: [] }, { runId: 'c', rows: rows(1, 5) }])!;
    assert.equal(m.type, 'metricsBatch');
    assert.deepEqual(m.batches, [
      { runId: 'a', columns: { step: [10, 11], loss: [1 / 11, 1 / 12], learningRate: [0.1, 0.1] }, length: 2 },
      { runId: 'c', columns: { step: [5], loss: [1 / 6], learningRate: [0.1] }, length: 1 },
    ]);
    assert.equal(liveMetricsMessage([{ runId: 'a', rows: [] }]), undefined);
  });
});

describe('view protocol: metrics in rows or columns, one run or several', () => {
  const ok = (m: unknown) => assert.doesNotThrow(() => parseHostMessage(m), JSON.stringify(m).slice(0, 200));
  const bad = (m: unknown, re: RegExp) => assert.throws(() => parseHostMessage(m), re);

  test('valid forms', () => {
    ok({ type: 'metrics', runId: 'r', rows: [{ step: 1 }] });
    ok({ type: 'metrics', runId: 'r', rows: [], reset: true });
    ok({ type: 'metrics', runId: 'r', columns: { step: [1, 2], loss: [0.5, null] }, length: 2 });
    ok({ type: 'metrics', runId: 'r', columns: {}, length: 0 });
    ok({ type: 'metricsBatch', batches: [] });
    ok({ type: 'metricsBatch', batches: [{ runId: 'a', rows: [{ step: 1 }] }, { runId: 'b', columns: { step: [1] }, length: 1, reset: true }] });
  });

  test('invalid forms are rejected with the path of the problem', () => {
    bad({ type: 'metrics', runId: 5, rows: [] }, /metrics\.runId/);
    bad({ type: 'metrics', runId: 'r' }, /either rows or columns/);
    bad({ type: 'metrics', runId: 'r', rows: [], columns: {}, length: 0 }, /either rows or columns/);
    bad({ type: 'metrics', runId: 'r', rows: [1] }, /metrics\.rows/);
    bad({ type: 'metrics', runId: 'r', columns: { step: [1, 2] } }, /metrics\.length/);
    bad({ type: 'metrics', runId: 'r', columns: { step: [1, 2], loss: [1] }, length: 2 }, /metrics\.columns\.loss: 1 values for 2 rows/);
    bad({ type: 'metrics', runId: 'r', columns: { step: [1, '2'] }, length: 2 }, /metrics\.columns\.step\[1\]: expected a number or null/);
    bad({ type: 'metrics', runId: 'r', columns: { step: [1, undefined] }, length: 2 }, /step\[1\]/);
    bad({ type: 'metrics', runId: 'r', columns: [[1]], length: 1 }, /metrics\.columns: expected an object/);
    bad({ type: 'metrics', runId: 'r', columns: {}, length: -1 }, /metrics\.length/);
    bad({ type: 'metrics', runId: 'r', rows: [], reset: 'yes' }, /metrics\.reset/);
    bad({ type: 'metricsBatch' }, /metricsBatch\.batches: expected an array/);
    bad({ type: 'metricsBatch', batches: [{ runId: 'a', rows: [] }, 3] }, /metricsBatch\.batches\[1\]: expected an object/);
    bad({ type: 'metricsBatch', batches: [{ runId: 'a', columns: { x: [1] }, length: 2 }] }, /metricsBatch\.batches\[0\]\.columns\.x: 1 values for 2 rows/);
  });
});
