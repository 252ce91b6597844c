import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CriticalBatchReport } from '../../engine/src/analysis/report-types.js';
import { buildCriticalBatchView, fitCurve, fittedSteps, intervalLabel, logSpace, perfectScaling, runIdOf, validateReports } from '../../webview/src/model/critical-batch.js';

function report(optimizer: string, points: [number, number | null, number | null][], sMin: number | null, bCrit: number | null): CriticalBatchReport {
  return {
    optimizer,
    type: 'sgd',
    precondition: 0,
    points: points.map(([batchSize, steps, learningRate]) => ({ batchSize, steps, learningRate, lowerBound: 1 })),
    sMin,
    eMin: sMin !== null && bCrit !== null ? sMin * bCrit : null,
    bCrit,
    bCritInterval: null,
    bCritIntervalMethod: null,
    extrapolated: false,
    incompleteBatchSizes: [],
    status: sMin === null ? 'error' : 'ok',
    warnings: [],
    slopes: [],
  };
}

describe('critical batch view', () => {
  test('the fitted curve equals S_min (1 + B_crit / B) at every point, log-spaced over the range', () => {
    const sMin = 72.2;
    const bCrit = 17860;
    const curve = fitCurve(sMin, bCrit, 4, 1_048_576, 33);
    assert.equal(curve.length, 33);
    assert.equal(curve[0].x, 4);
    assert.equal(curve[32].x, 1_048_576);
    for (const p of curve) assert.ok(Math.abs(p.y - sMin * (1 + bCrit / p.x)) <= 1e-9 * p.y, `B=${p.x}`);
    // log-spaced: constant ratio between neighbours
    const r = curve[1].x / curve[0].x;
    for (let i = 2; i < curve.length; i++) assert.ok(Math.abs(curve[i].x / curve[i - 1].x - r) < 1e-9);
    assert.equal(fittedSteps(10, 100, 100), 20, 'at B = B_crit the curve is 2 S_min');
    assert.deepEqual(fitCurve(0, 5, 1, 2), [], 'no curve without a positive fit');
  });

  test('perfect scaling has slope -1 on log-log through the first point', () => {
    const line = perfectScaling({ x: 4, y: 1000 }, 1024);
    assert.deepEqual(line, [
      { x: 4, y: 1000 },
      { x: 1024, y: (1000 * 4) / 1024 },
    ]);
    const slope = (Math.log(line[1].y) - Math.log(line[0].y)) / (Math.log(line[1].x) - Math.log(line[0].x));
    assert.ok(Math.abs(slope + 1) < 1e-12);
  });

  test('points that missed the target are omitted and listed; run ids attached; knee at (B_crit, 2 S_min)', () => {
    const reports = [report('SGD', [[16, 500, 0.2], [4, 2000, 0.05], [64, null, null], [256, 130, 0.9]], 100, 50), report('EMA', [[4, null, null]], null, null)];
    const runIds = { SGD: { '4': 'run-4', '16': 'run-16' } };
    const v = buildCriticalBatchView(reports, runIds);
    const sgd = v.series[0];
    assert.deepEqual(sgd.points, [
      { x: 4, y: 2000, runId: 'run-4' },
      { x: 16, y: 500, runId: 'run-16' },
      { x: 256, y: 130 },
    ]);
    assert.deepEqual(sgd.omitted, [64]);
    assert.deepEqual(sgd.knee, { x: 50, y: 200 });
    assert.deepEqual(sgd.perfect[0], { x: 4, y: 2000 });
    assert.equal(sgd.perfect[1].x, 256);
    assert.deepEqual(sgd.learningRates.map((p) => [p.x, p.y, p.runId]), [[4, 0.05, 'run-4'], [16, 0.2, 'run-16'], [256, 0.9, undefined]]);
    assert.equal(sgd.fit[0].x, 4);
    assert.equal(sgd.fit[sgd.fit.length - 1].x, 256);
    const ema = v.series[1];
    assert.deepEqual(ema.points, []);
    assert.deepEqual(ema.omitted, [4]);
    assert.deepEqual(ema.fit, []);
    assert.equal(ema.knee, null);
    assert.deepEqual(v.bRange, [4, 256]);
  });

  test('the NQM prediction becomes a labelled curve over the same range, scaled to the measured steps', () => {
    const v = buildCriticalBatchView([report('SGD', [[4, 100, 1], [64, 10, 1]], 5, 80)], {}, [report('SGD (NQM: SGD)', [[2, 300, 1]], 6, 90)]);
    assert.equal(v.predictions.length, 1);
    assert.equal(v.predictions[0].label, 'NQM prediction: SGD (NQM: SGD), scaled to the measured steps at B=4');
    assert.deepEqual(v.bRange, [2, 64]);
    // Its own fit 6 (1 + 90/B), times k so that it passes through the measured 100 steps at B=4.
    const k = 100 / (6 * (1 + 90 / 4));
    assert.ok(Math.abs(v.predictions[0].scale - k) < 1e-12);
    const p = v.predictions[0].fit;
    assert.equal(p[0].x, 2);
    assert.ok(Math.abs(p[0].y - k * 6 * (1 + 90 / 2)) < 1e-9);
    assert.ok(Math.abs(v.predictions[0].points[0].y - k * 300) < 1e-9);
    // No measured series of that optimizer: the NQM's own numbers.
    const alone = buildCriticalBatchView([report('Adam', [[4, 100, 1]], 5, 80)], {}, [report('SGD (NQM: SGD)', [[2, 300, 1]], 6, 90)]);
    assert.equal(alone.predictions[0].scale, 1);
    assert.equal(alone.predictions[0].label, 'NQM prediction: SGD (NQM: SGD)');
  });

  test('run ids and report validation', () => {
    assert.equal(runIdOf({ A: { '8': 'x' } }, 'A', 8), 'x');
    assert.equal(runIdOf({ A: { '8': 'x' } }, 'B', 8), undefined);
    const { reports, problems } = validateReports([report('ok', [[4, 10, 1]], 1, 2), { optimizer: 'bad', points: [{ batchSize: -1, steps: 3 }] }, 7], 'r');
    assert.deepEqual(reports.map((r) => r.optimizer), ['ok']);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /r\[1\]\.points\[0\]/);
    assert.deepEqual(validateReports(undefined, 'p'), { reports: [], problems: [] });
  });

  test('B_crit intervals and incomplete cells from the recorded reports: validated at the boundary, drawn as a band', () => {
    const withInterval = { ...report('Adam', [[16, 700, 1], [64, 170, 1], [256, 60, 1], [1024, 40, 1]], 27.6, 358), bCritInterval: [221, 590], bCritIntervalMethod: { method: 'bootstrap-seeds', level: 0.95, seeds: 3, resamples: 1000 } };
    const open = { ...report('SGD', [[16, 800, 1], [64, 200, 1]], 100, 70), bCritInterval: [40, null], bCritIntervalMethod: { method: 'profile-likelihood', level: 0.95 } };
    const failed = { failed: [{ label: 'K-FAC B=64 minDamping=0.3', status: 'failed', message: 'the trial worker process died' }], trials: 2 };
    const kfac = report('K-FAC', [[16, 400, 1], [64, 90, 1], [256, 35, 1]], 19, 330);
    kfac.points[1].incomplete = failed;
    const bogus = { ...report('Bad', [[16, 10, 1]], 1, 2), bCritInterval: [500, 100], bCritIntervalMethod: { method: 'guess', level: 2 }, incompleteBatchSizes: 'x' };
    const { reports, problems } = validateReports([withInterval, open, { ...kfac, incompleteBatchSizes: [64] }, bogus], 'r');
    assert.deepEqual(problems, []);
    assert.deepEqual(reports[0].bCritInterval, [221, 590]);
    assert.equal(reports[0].bCritIntervalMethod?.method, 'bootstrap-seeds');
    assert.deepEqual(reports[1].bCritInterval, [40, null]);
    assert.equal(reports[3].bCritInterval, null, 'low above high is not an interval');
    assert.equal(reports[3].bCritIntervalMethod, null);
    assert.deepEqual(reports[3].incompleteBatchSizes, []);
    // An older record without the new fields still validates, with no interval.
    const old = validateReports([{ optimizer: 'Old', points: [{ batchSize: 4, steps: 3 }], bCrit: 5, sMin: 1 }], 'o').reports[0];
    assert.equal(old.bCritInterval, null);
    const v = buildCriticalBatchView(reports, {});
    assert.deepEqual([v.series[0].interval?.low, v.series[0].interval?.high], [221, 590]);
    assert.equal(v.series[0].interval?.text, '95% [221, 590], bootstrap over 3 seeds');
    assert.equal(v.series[1].interval?.high, null, 'an open end stays open (drawn to the edge)');
    assert.equal(intervalLabel(reports[1]), '95% [40, ∞], profile likelihood');
    // The incomplete cell is neither drawn nor listed as "did not reach".
    assert.deepEqual(v.series[2].points.map((p) => p.x), [16, 256]);
    assert.deepEqual(v.series[2].incomplete, [64]);
    assert.deepEqual(v.series[2].omitted, []);
  });

  test('logSpace', () => {
    assert.deepEqual(logSpace(1, 100, 3).map((v) => Math.round(v * 1e9) / 1e9), [1, 10, 100]);
    assert.deepEqual(logSpace(0, 10, 3), []);
  });
});
