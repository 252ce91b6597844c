// Monte-Carlo coverage of the 95% profile-likelihood interval for B_crit: steps drawn from a known
// S(B) = S_min (1 + B_crit / B) with log-normal noise, refitted many times with seeded noise; the
// interval must cover the true B_crit in about 95% of draws. This fails if the interval's formula is
// broken (a z instead of a Student-t quantile, t instead of t^2, a missing 1/(n-2), a wrong
// interpolation), since each of those moves the coverage far outside the band.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCriticalBatch, type ScalingPoint } from '../../engine/src/analysis/critical-batch';
import { criticalBatchReport } from '../../engine/src/analysis/critical-batch-report';
import { Rng } from '../../engine/src/util/random';

const S_MIN = 100;
const B_CRIT = 256;

function draw(batchSizes: number[], sigma: number, rng: Rng): ScalingPoint[] {
  return batchSizes.map((b) => ({ batchSize: b, steps: S_MIN * (1 + B_CRIT / b) * Math.exp(sigma * rng.normal()) }));
}

function coverage(batchSizes: number[], sigma: number, draws: number, seed: number): { covered: number; meanLogWidth: number } {
  const rng = new Rng(seed);
  let covered = 0;
  let logWidth = 0;
  for (let i = 0; i < draws; i++) {
    const iv = fitCriticalBatch(draw(batchSizes, sigma, rng)).bCritInterval!;
    const lo = iv.lower ?? 0;
    const hi = iv.upper ?? Infinity;
    if (lo <= B_CRIT && B_CRIT <= hi) covered++;
    logWidth += Math.log(Math.min(hi, 1e9) / Math.max(lo, 1e-9));
  }
  return { covered: covered / draws, meanLogWidth: logWidth / draws };
}

const DRAWS = 400; // binomial sd of the coverage at 95%: 1.1 points

describe('profile-likelihood interval for B_crit: Monte-Carlo coverage', () => {
  test('9 batch sizes 2^4..2^12, noise sigma 0.1: the 95% interval covers the truth in 91-98.5% of 400 draws', () => {
    const { covered } = coverage([16, 32, 64, 128, 256, 512, 1024, 2048, 4096], 0.1, DRAWS, 1);
    assert.ok(covered >= 0.91 && covered <= 0.985, `coverage ${covered}`);
  });

  test('5 batch sizes (3 residual degrees of freedom), sigma 0.05: still 91-98.5% (the Student-t quantile matters here)', () => {
    // With z = 1.96 instead of t(3) = 3.18 the coverage falls to about 80%.
    const { covered } = coverage([16, 64, 256, 1024, 4096], 0.05, DRAWS, 2);
    assert.ok(covered >= 0.91 && covered <= 0.985, `coverage ${covered}`);
  });

  test('the interval narrows with less noise: 4x less noise, about 4x narrower in log B_crit', () => {
    const bs = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
    const wide = coverage(bs, 0.2, 100, 3).meanLogWidth;
    const narrow = coverage(bs, 0.05, 100, 3).meanLogWidth;
    assert.ok(wide / narrow > 3 && wide / narrow < 5.5, `width ratio ${wide / narrow}`);
  });
});

describe('criticalBatchReport: the interval in the report', () => {
  test('one table: the profile-likelihood interval beside B_crit, with its method and level', () => {
    const rng = new Rng(7);
    const rows = draw([16, 64, 256, 1024, 4096], 0.05, rng).map((p) => ({ batchSize: p.batchSize, steps: p.steps, learningRate: 0.1, lowerBound: Number.NaN }));
    const r = criticalBatchReport('SGD', { type: 'sgd', precondition: 0 }, rows);
    const fit = fitCriticalBatch(rows);
    assert.deepEqual(r.bCritInterval, [fit.bCritInterval!.lower, fit.bCritInterval!.upper]);
    assert.deepEqual(r.bCritIntervalMethod, { method: 'profile-likelihood', level: 0.95 });
    assert.ok(r.bCritInterval![0]! < r.bCrit! && r.bCrit! < r.bCritInterval![1]!);
  });

  test('several seeds: a bootstrap over the seeds, the point estimate the fit to their geometric mean', () => {
    const rng = new Rng(8);
    const bs = [16, 64, 256, 1024, 4096];
    const seeds = [0, 1, 2, 3].map(() => draw(bs, 0.1, rng));
    const rows = bs.map((b, i) => {
      const seedSteps = seeds.map((s) => s[i].steps as number);
      return { batchSize: b, steps: Math.exp(seedSteps.reduce((a, s) => a + Math.log(s), 0) / seedSteps.length), seedSteps, learningRate: 0.1, lowerBound: Number.NaN };
    });
    const r = criticalBatchReport('Adam', { type: 'adam', precondition: 0 }, rows, { bootstrapSeed: 5 });
    assert.equal(r.bCritIntervalMethod?.method, 'bootstrap-seeds');
    assert.equal(r.bCritIntervalMethod?.seeds, 4);
    const [lo, hi] = r.bCritInterval!;
    assert.ok(lo! <= r.bCrit! && r.bCrit! <= hi!, `${lo} ${r.bCrit} ${hi}`);
    assert.ok(lo! < B_CRIT * 1.5 && hi! > B_CRIT / 1.5);
    // Deterministic for the same seed.
    assert.deepEqual(criticalBatchReport('Adam', { type: 'adam', precondition: 0 }, rows, { bootstrapSeed: 5 }).bCritInterval, r.bCritInterval);
  });

  test('a row marked incomplete is left out of the fit and named in a warning; all incomplete is an error that says so', () => {
    const rows = [16, 64, 256, 1024, 4096].map((b) => ({ batchSize: b, steps: S_MIN * (1 + B_CRIT / b), learningRate: 0.1, lowerBound: Number.NaN }));
    const failed = { failed: [{ label: 'SGD B=64 lr=0.1', status: 'failed', message: 'the trial worker process died (signal SIGKILL)' }], trials: 5 };
    const withBad = rows.map((r) => (r.batchSize === 64 ? { ...r, steps: 10 * r.steps, incomplete: failed } : r));
    const r = criticalBatchReport('SGD', { type: 'sgd', precondition: 0 }, withBad);
    assert.deepEqual(r.incompleteBatchSizes, [64]);
    assert.ok(Math.abs(r.bCrit! - B_CRIT) < 1, `the wrong steps at B=64 are not fitted: ${r.bCrit}`);
    assert.equal(r.status, 'partial');
    assert.match(r.warnings[0], /incomplete cells left out of the fit .*B=64 \(1 of 5 trials failed: the trial worker process died/);
    const all = criticalBatchReport('SGD', { type: 'sgd', precondition: 0 }, rows.map((x) => ({ ...x, incomplete: failed })));
    assert.equal(all.status, 'error');
    assert.match(all.error!, /every batch size is incomplete/);
  });
});
