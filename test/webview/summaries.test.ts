import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RunSeries } from '../../webview/src/model/series-store.js';
import { bestRuns, summarize, summarizeRun, type MetricSummary } from '../../webview/src/model/summaries.js';

describe('metric summaries', () => {
  test('best (minimum), its step, last, count', () => {
    const s = summarize([0, 10, 20, 30, 40], [5, 2, 3, 2, 4], 5);
    assert.deepEqual(s, { min: 2, minStep: 10, max: 5, last: 4, lastStep: 40, count: 5, nonFinite: 0 });
  });

  test('non-finite values are skipped (and infinities counted); the last is the last finite', () => {
    const s = summarize([1, 2, 3, 4], [3, NaN, 1, Infinity], 4);
    assert.equal(s.min, 1);
    assert.equal(s.minStep, 3);
    assert.equal(s.last, 1);
    assert.equal(s.lastStep, 3);
    assert.equal(s.count, 2);
    assert.equal(s.nonFinite, 1);
  });

  test('no steps: the row index is the step; no values: NaN', () => {
    const s = summarize(undefined, [9, 8, 7.5, 8], 4);
    assert.equal(s.minStep, 2);
    assert.equal(s.lastStep, 3);
    const e = summarize([0], [NaN], 1);
    assert.ok(Number.isNaN(e.min) && Number.isNaN(e.last) && e.count === 0);
  });

  test('from the store: only the rows appended so far', () => {
    const r = new RunSeries('r');
    r.append([{ step: 100, loss: 1 }, { step: 200, loss: 0.5 }, { step: 300, learningRate: 0.1 }]);
    const s = summarizeRun(r, 'loss')!;
    assert.equal(s.min, 0.5);
    assert.equal(s.minStep, 200);
    assert.equal(s.last, 0.5);
    assert.equal(s.lastStep, 200);
    assert.equal(s.count, 2);
    assert.equal(summarizeRun(r, 'accuracy'), undefined);
  });

  test('best runs: the lowest minimum, ties all win, runs without values ignored', () => {
    const mk = (min: number, count = 1) => ({ min, count }) as MetricSummary;
    assert.deepEqual(bestRuns(new Map([['a', mk(3)], ['b', mk(1)], ['c', mk(2)]])), ['b']);
    assert.deepEqual(bestRuns(new Map([['a', mk(1)], ['b', mk(1)], ['c', undefined]])), ['a', 'b']);
    assert.deepEqual(bestRuns(new Map([['a', mk(NaN, 0)]])), []);
  });
});
