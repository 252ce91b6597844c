import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapCriticalBatch,
  CriticalBatchError,
  fitCriticalBatch,
  predictExamples,
  predictSteps,
  type ScalingPoint,
} from '../../engine/src/analysis/critical-batch.js';
import { rng } from '../support/rng';

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const POW2 = Array.from({ length: 15 }, (_, k) => 2 ** k); // 2^0 .. 2^14
const model = (sMin: number, bCrit: number) => (b: number) => sMin * (1 + bCrit / b);
function table(bs: number[], steps: (b: number) => number): ScalingPoint[] {
  return bs.map((batchSize) => ({ batchSize, steps: steps(batchSize) }));
}
function noisyTable(bs: number[], steps: (b: number) => number, sigma: number, seed: number): ScalingPoint[] {
  const r = rng(seed);
  return bs.map((batchSize) => ({ batchSize, steps: steps(batchSize) * Math.exp(sigma * normal(r)) }));
}
const relErr = (got: number, want: number) => Math.abs(got / want - 1);

function assertThrowsCode(fn: () => unknown, code: string, messagePart?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CriticalBatchError, `expected CriticalBatchError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (messagePart) assert.match(err.message, messagePart);
    return true;
  });
}

describe('fitCriticalBatch: exact synthetic data', () => {
  test('recovers S_min = 1000, B_crit = 256 over 2^0..2^14 within 1%', () => {
    const fit = fitCriticalBatch(table(POW2, model(1000, 256)));
    assert.ok(relErr(fit.sMin, 1000) < 0.01, `sMin ${fit.sMin}`);
    assert.ok(relErr(fit.bCrit, 256) < 0.01, `bCrit ${fit.bCrit}`);
    assert.ok(relErr(fit.eMin, 256_000) < 0.01, `eMin ${fit.eMin}`);
    assert.equal(fit.status, 'ok');
    assert.deepEqual(fit.warnings, []);
    assert.equal(fit.extrapolated, false);
    assert.ok(fit.rmsLogResidual < 1e-6);
    assert.deepEqual(fit.dropped, []);
    assert.deepEqual(fit.checks, { sMinAtMostMinSteps: true, eMinAtMostMinExamples: true });
    assert.ok(fit.bCritInterval && fit.bCritInterval.lower !== null && fit.bCritInterval.upper !== null);
    assert.ok(Math.abs(fit.bCritInterval.lower - 256) < 1 && Math.abs(fit.bCritInterval.upper - 256) < 1);
  });

  for (const [sMin, bCrit, bs] of [
    [50, 3, POW2],
    [20_000, 9000, POW2],
    [777, 1234.5, [10, 30, 100, 300, 1000, 3000, 10_000, 30_000]],
  ] as const) {
    test(`recovers S_min = ${sMin}, B_crit = ${bCrit} within 1%`, () => {
      const fit = fitCriticalBatch(table([...bs].reverse(), model(sMin, bCrit)));
      assert.ok(relErr(fit.sMin, sMin) < 0.01, `sMin ${fit.sMin}`);
      assert.ok(relErr(fit.bCrit, bCrit) < 0.01, `bCrit ${fit.bCrit}`);
      assert.deepEqual(fit.points.map((p) => p.batchSize), [...bs], 'points sorted by batch size');
    });
  }

  test('the linear 1/B form S = S_min + E_min / B is recovered and reproduced', () => {
    const sMin = 500;
    const eMin = 2 ** 20;
    const fit = fitCriticalBatch(table(POW2, (b) => sMin + eMin / b));
    assert.ok(relErr(fit.sMin, sMin) < 0.01);
    assert.ok(relErr(fit.eMin, eMin) < 0.01);
    assert.ok(relErr(fit.bCrit, eMin / sMin) < 0.01);
    for (const b of [1, 7, 100, 2048, 1e5]) {
      assert.ok(relErr(predictSteps(fit, b), fit.sMin + fit.eMin / b) < 1e-12);
    }
  });

  test('E = B S, B_crit = E_min / S_min and (S/S_min - 1)(E/E_min - 1) = 1 hold for the fit', () => {
    const fit = fitCriticalBatch(noisyTable(POW2, model(1000, 256), 0.1, 11));
    assert.ok(relErr(fit.eMin, fit.sMin * fit.bCrit) < 1e-12);
    for (const b of [1, 3, 64, 256, 1000, 16_384]) {
      const s = predictSteps(fit, b);
      const e = predictExamples(fit, b);
      assert.ok(relErr(e, b * s) < 1e-12, `E = B S at ${b}`);
      assert.ok(Math.abs((s / fit.sMin - 1) * (e / fit.eMin - 1) - 1) < 1e-9, `hyperbola at ${b}`);
    }
    assert.ok(relErr(predictSteps(fit, fit.bCrit), 2 * fit.sMin) < 1e-12);
    assert.ok(relErr(predictExamples(fit, fit.bCrit), 2 * fit.eMin) < 1e-12);
  });

  test('slopes: near -1 at small B, near 0 at large B, -1/2 around B_crit, never decreasing', () => {
    const fit = fitCriticalBatch(table(POW2, model(1000, 256)));
    assert.equal(fit.slopes.length, POW2.length - 1);
    assert.deepEqual(fit.slopes[0], { fromBatchSize: 1, toBatchSize: 2, slope: fit.slopes[0].slope });
    assert.ok(fit.slopes[0].slope < -0.99 && fit.slopes[0].slope > -1, `first ${fit.slopes[0].slope}`);
    const last = fit.slopes[fit.slopes.length - 1].slope;
    assert.ok(last > -0.03 && last < 0, `last ${last}`);
    // Exact value between 2^7 and 2^8: log2(S(256)/S(128)) = log2(2/3).
    const mid = fit.slopes.find((s) => s.fromBatchSize === 128)!;
    assert.ok(Math.abs(mid.slope - Math.log2(2 / 3)) < 1e-12);
    for (let j = 1; j < fit.slopes.length; j++) assert.ok(fit.slopes[j].slope > fit.slopes[j - 1].slope);
  });

  test('best learning rates pass through for every batch size, extra fields are kept', () => {
    const pts: ScalingPoint[] = POW2.slice(0, 6).map((b, k) => ({
      batchSize: b,
      steps: k === 5 ? null : model(1000, 8)(b),
      learningRate: k === 2 ? undefined : 0.01 * 2 ** k,
      runId: `run-${k}`,
    }));
    const fit = fitCriticalBatch(pts);
    assert.deepEqual(fit.bestLearningRates, [
      { batchSize: 1, learningRate: 0.01 },
      { batchSize: 2, learningRate: 0.02 },
      { batchSize: 4, learningRate: null },
      { batchSize: 8, learningRate: 0.08 },
      { batchSize: 16, learningRate: 0.16 },
      { batchSize: 32, learningRate: 0.32 },
    ]);
    assert.equal(fit.points[0].runId, 'run-0');
  });
});

describe('fitCriticalBatch: noisy data', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    test(`log-normal noise (sigma 0.1, seed ${seed}) recovers S_min and B_crit within 15%`, () => {
      const fit = fitCriticalBatch(noisyTable(POW2, model(1000, 256), 0.1, seed));
      assert.ok(relErr(fit.sMin, 1000) < 0.15, `sMin ${fit.sMin}`);
      assert.ok(relErr(fit.bCrit, 256) < 0.15, `bCrit ${fit.bCrit}`);
      assert.ok(fit.rmsLogResidual > 0.03 && fit.rmsLogResidual < 0.2, `rms ${fit.rmsLogResidual}`);
      const iv = fit.bCritInterval!;
      assert.ok(iv.lower !== null && iv.upper !== null && iv.lower < fit.bCrit && fit.bCrit < iv.upper);
      assert.equal(fit.extrapolated, false);
    });
  }

  test('B_crit beyond a short sweep: extrapolated, only bounded from below', () => {
    const fit = fitCriticalBatch(noisyTable([64, 128, 256, 512], model(1000, 4096), 0.05, 3));
    assert.equal(fit.extrapolated, true);
    assert.equal(fit.status, 'partial');
    assert.ok(fit.warnings.some((w) => /extrapolation/.test(w)));
    assert.ok(fit.warnings.some((w) => /only bounded from below/.test(w)));
    assert.equal(fit.bCritInterval!.upper, null);
    assert.ok(fit.bCritInterval!.lower! > 512 / 2);
  });
});

describe('fitCriticalBatch: degenerate input', () => {
  test('a single batch size: too-few-points naming how many reached the target', () => {
    assertThrowsCode(() => fitCriticalBatch([{ batchSize: 64, steps: 1000 }]), 'too-few-points', /\b1 of 1\b/);
  });

  test('only one of several reached the target: too-few-points', () => {
    const pts = [
      { batchSize: 64, steps: 1000 },
      { batchSize: 128, steps: null },
      { batchSize: 256, steps: null },
    ];
    assertThrowsCode(() => fitCriticalBatch(pts), 'too-few-points', /\b1 of 3\b/);
  });

  test('empty input: too-few-points', () => {
    assertThrowsCode(() => fitCriticalBatch([]), 'too-few-points', /\b0 of 0\b/);
  });

  test('minPoints raises the bar; minPoints < 2 is invalid', () => {
    const pts = table([1, 2, 4], model(10, 2));
    assertThrowsCode(() => fitCriticalBatch(pts, { minPoints: 4 }), 'too-few-points', /3 of 3.*at least 4/);
    assert.equal(fitCriticalBatch(pts, { minPoints: 3 }).points.length, 3);
    assertThrowsCode(() => fitCriticalBatch(pts, { minPoints: 1 }), 'invalid-input', /minPoints/);
  });

  test('no run reached the target: no-target-reached', () => {
    const pts = POW2.slice(0, 4).map((batchSize) => ({ batchSize, steps: null }));
    assertThrowsCode(() => fitCriticalBatch(pts), 'no-target-reached', /4 runs/);
  });

  for (const bad of [0, -8, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`batch size ${bad}: invalid-input naming it`, () => {
      const pts = [...table([1, 2, 4], model(10, 2)), { batchSize: bad, steps: 10 }];
      assertThrowsCode(() => fitCriticalBatch(pts), 'invalid-input', new RegExp(String(bad)));
    });
  }

  for (const bad of [0, -3, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`steps ${bad}: invalid-input naming the batch size`, () => {
      const pts = [...table([1, 2, 4], model(10, 2)), { batchSize: 96, steps: bad }];
      assertThrowsCode(() => fitCriticalBatch(pts), 'invalid-input', /batch size 96/);
    });
  }

  test('duplicate batch sizes: invalid-input naming it', () => {
    const pts = [...table([1, 2, 4], model(10, 2)), { batchSize: 2, steps: null }];
    assertThrowsCode(() => fitCriticalBatch(pts), 'invalid-input', /duplicate batch size 2\b/);
  });

  test('some runs missed the target: fit the rest, list them, partial with a warning', () => {
    const pts = table(POW2, model(1000, 256)).map((p) =>
      p.batchSize === 2 || p.batchSize === 4096 ? { ...p, steps: null } : p,
    );
    const fit = fitCriticalBatch(pts);
    assert.equal(fit.status, 'partial');
    assert.deepEqual(fit.dropped.map((d) => d.batchSize), [2, 4096]);
    assert.ok(fit.dropped.every((d) => d.reason.length > 0));
    assert.equal(fit.points.length, POW2.length - 2);
    assert.ok(fit.warnings.some((w) => /did not reach the target/.test(w) && /2, 4096/.test(w)));
    assert.ok(relErr(fit.bCrit, 256) < 0.01 && relErr(fit.sMin, 1000) < 0.01);
  });

  test('non-monotone steps: still fits, partial, warning names the batch sizes', () => {
    // S(64) = 5000; a 2% rise at 128 is enough to be flagged.
    const pts = table(POW2, model(1000, 256)).map((p) => (p.batchSize === 128 ? { ...p, steps: 5100 } : p));
    const fit = fitCriticalBatch(pts);
    assert.equal(fit.status, 'partial');
    const w = fit.warnings.find((x) => /increase/.test(x));
    assert.ok(w, fit.warnings.join(' | '));
    assert.match(w, /64 -> 128/);
    assert.doesNotMatch(w, /128 -> 256/, 'the drop after the bump is not a rise');
    assert.ok(fit.slopes.find((x) => x.fromBatchSize === 64)!.slope > 0);
    assert.ok(relErr(fit.bCrit, 256) < 0.5, `bCrit ${fit.bCrit}`);
  });

  test('pure power law S ~ 1/B: B_crit not identified, extrapolated, E_min still right', () => {
    const fit = fitCriticalBatch(table(POW2, (b) => 1e6 / b));
    assert.equal(fit.status, 'partial');
    assert.equal(fit.extrapolated, true);
    assert.ok(fit.bCrit > 2 ** 14);
    const w = fit.warnings.find((x) => /not identified/.test(x));
    assert.ok(w, fit.warnings.join(' | '));
    assert.match(w, /~1\/B at the largest batch size/);
    assert.match(w, /B_crit > 2\^14/);
    assert.ok(relErr(fit.eMin, 1e6) < 0.01, `eMin ${fit.eMin}`);
  });

  test('flat steps: B_crit not identified from below, extrapolated, S_min still right', () => {
    const fit = fitCriticalBatch(table(POW2.slice(4), () => 1000));
    assert.equal(fit.status, 'partial');
    assert.equal(fit.extrapolated, true);
    assert.ok(fit.bCrit < 16);
    const w = fit.warnings.find((x) => /not identified/.test(x));
    assert.ok(w, fit.warnings.join(' | '));
    assert.match(w, /B_crit < 2\^4/);
    assert.ok(relErr(fit.sMin, 1000) < 0.01, `sMin ${fit.sMin}`);
  });

  test('two points: exact fit reported as partial with no interval', () => {
    const fit = fitCriticalBatch(table([16, 1024], model(1000, 256)));
    assert.ok(relErr(fit.bCrit, 256) < 0.01 && relErr(fit.sMin, 1000) < 0.01);
    assert.equal(fit.bCritInterval, null);
    assert.equal(fit.status, 'partial');
    assert.ok(fit.warnings.some((w) => /only 2 batch sizes/.test(w)));
  });

  test('sanity check: S_min above the fewest measured steps is flagged, not thrown', () => {
    const pts = table(POW2, model(1000, 256)).map((p) => (p.batchSize === 16_384 ? { ...p, steps: 300 } : p));
    const fit = fitCriticalBatch(pts);
    assert.equal(fit.checks.sMinAtMostMinSteps, false);
    assert.equal(fit.status, 'partial');
    assert.ok(fit.warnings.some((w) => /S_min .* exceeds the fewest measured steps 300/.test(w)), fit.warnings.join(' | '));
  });
});

describe('bootstrapCriticalBatch', () => {
  const seeds = (count: number, sigma: number, base: number) =>
    Array.from({ length: count }, (_, k) => noisyTable(POW2, model(1000, 256), sigma, base + k));

  test('the CI contains the true B_crit and brackets the point estimate', () => {
    const ci = bootstrapCriticalBatch(seeds(8, 0.2, 100), { resamples: 300, seed: 42 });
    assert.ok(ci.lower < 256 && 256 < ci.upper, `[${ci.lower}, ${ci.upper}]`);
    assert.ok(ci.lower <= ci.bCrit && ci.bCrit <= ci.upper);
    assert.ok(ci.upper / ci.lower < 2, 'interval is informative');
    assert.equal(ci.used, 300);
    assert.equal(ci.failed, 0);
  });

  test('deterministic for a given seed, different for another', () => {
    const data = seeds(6, 0.2, 200);
    const a = bootstrapCriticalBatch(data, { resamples: 100, seed: 7 });
    const b = bootstrapCriticalBatch(data, { resamples: 100, seed: 7 });
    const c = bootstrapCriticalBatch(data, { resamples: 100, seed: 8 });
    assert.deepEqual(a, b);
    assert.equal(a.bCrit, c.bCrit, 'point estimate does not depend on the seed');
    assert.ok(a.lower !== c.lower || a.upper !== c.upper);
  });

  test('a lower level gives a narrower interval', () => {
    const data = seeds(6, 0.2, 300);
    const wide = bootstrapCriticalBatch(data, { resamples: 200, seed: 1, level: 0.95 });
    const narrow = bootstrapCriticalBatch(data, { resamples: 200, seed: 1, level: 0.5 });
    assert.ok(narrow.lower >= wide.lower && narrow.upper <= wide.upper);
    assert.ok(narrow.upper / narrow.lower < wide.upper / wide.lower);
  });

  test('a batch size is dropped from a resample when any drawn seed missed the target', () => {
    const data = seeds(5, 0.1, 400);
    data[0] = data[0].map((p) => (p.batchSize === 1 ? { ...p, steps: null } : p));
    const ci = bootstrapCriticalBatch(data, { resamples: 100, seed: 3 });
    assert.ok(ci.lower < 256 && 256 < ci.upper, `[${ci.lower}, ${ci.upper}]`);
    assert.ok(ci.warnings.some((w) => /point estimate: .*did not reach the target.*batch size 1\b/.test(w)));
  });

  test('bad input: fewer than 2 seeds, bad options, bad points', () => {
    const data = seeds(3, 0.1, 500);
    assertThrowsCode(() => bootstrapCriticalBatch(data.slice(0, 1), { resamples: 10, seed: 1 }), 'too-few-points', /got 1/);
    assertThrowsCode(() => bootstrapCriticalBatch(data, { resamples: 0, seed: 1 }), 'invalid-input', /resamples/);
    assertThrowsCode(() => bootstrapCriticalBatch(data, { resamples: 10, seed: 1, level: 1 }), 'invalid-input', /level/);
    const bad = [data[0], [...data[1], { batchSize: -4, steps: 3 }]];
    assertThrowsCode(() => bootstrapCriticalBatch(bad, { resamples: 10, seed: 1 }), 'invalid-input', /seed 1: .*-4/);
  });
});
