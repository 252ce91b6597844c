// The Monte-Carlo NQM simulator against the expected-loss recurrence (and the closed-form
// dynamics model), plus light checks of the seeded PRNG it draws from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossCurve } from '../../engine/src/nqm/dynamics';
import { simulateNqm, type MonteCarloResult } from '../../engine/src/nqm/monte-carlo.js';
import { iterateExpectedLoss } from '../../engine/src/nqm/recurrence.js';
import type { NqmOptimizer, NqmProblem } from '../../engine/src/nqm/types.js';
import { Rng } from '../../engine/src/util/random.js';

// ---- PRNG ----

test('Rng: same seed and stream give the same draws, others differ', () => {
  const draw = (seed: number, stream = 0) => {
    const r = new Rng(seed, stream);
    const out = new Float64Array(300);
    r.fillNormal(out);
    return [...out, r.next(), r.normal(), r.nextUint32()];
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.notDeepEqual(draw(42), draw(42, 1));
  assert.notDeepEqual(draw(0), draw(2 ** 32)); // high bits of the seed count
});

test('Rng: uniforms and normals have the right moments and tails', () => {
  const r = new Rng(7);
  const n = 100000;
  let su = 0, su2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    su += u;
    su2 += u * u;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005, `uniform mean ${su / n}`);
  assert.ok(Math.abs(su2 / n - 1 / 3) < 0.005, `uniform E[u^2] ${su2 / n}`);

  // 1e6 normals from both paths: moments, and tail mass beyond the ziggurat's base (3.65).
  const z = new Float64Array(n);
  let s1 = 0, s2 = 0, s4 = 0, beyond2 = 0, beyond37 = 0;
  for (let rep = 0; rep < 10; rep++) {
    if (rep % 2 === 0) r.fillNormal(z);
    else for (let i = 0; i < n; i++) z[i] = r.normal();
    for (const x of z) {
      s1 += x;
      s2 += x * x;
      s4 += x ** 4;
      if (Math.abs(x) > 2) beyond2++;
      if (Math.abs(x) > 3.7) beyond37++;
    }
  }
  const N = 10 * n;
  assert.ok(Math.abs(s1 / N) < 0.005, `normal mean ${s1 / N}`);
  assert.ok(Math.abs(s2 / N - 1) < 0.01, `normal variance ${s2 / N}`);
  assert.ok(Math.abs(s4 / N - 3) < 0.05, `normal E[z^4] ${s4 / N}`);
  // P(|z| > 2) = 0.0455003, P(|z| > 3.7) = 2.1563e-4 (about 216 of 1e6).
  assert.ok(Math.abs(beyond2 / N - 0.0455003) < 0.001, `P(|z| > 2) ${beyond2 / N}`);
  assert.ok(Math.abs(beyond37 / N / 2.1563e-4 - 1) < 0.3, `P(|z| > 3.7) ${beyond37 / N}`);
});

// ---- Monte-Carlo against the expected-loss models ----

// Unbinned reference-like problem: d = 1000, h_i = 1/i, c_i = h_i, s0 = 1.
const D = 1000;
const h = Float64Array.from({ length: D }, (_, i) => 1 / (i + 1));
const problem: NqmProblem = {
  spec: { dim: D, exponent: 1, bins: 0, noise: { power: 1, scale: 1 }, initVariance: 1, target: 0.01 },
  h,
  c: Float64Array.from(h),
  weight: new Float64Array(D).fill(1),
  s0: new Float64Array(D).fill(1),
};
const B = 8;
const SEEDS = 256;
// 2000 steps reach the slowest coordinate's time scale (1 / (lr h_min) = 2000 at lr 0.5) and
// keep the four simulations (~5e8 coordinate-steps each) within the time budget.
const T = 2000;
const LOG_STEPS = [...new Set([0, ...Array.from({ length: 41 }, (_, k) => Math.round(T ** (k / 40)))])];
const TOL = 0.05;

const cases: Record<string, NqmOptimizer> = {
  sgd: { kind: 'sgd', lr: 0.5, precondition: 0 },
  momentum: { kind: 'momentum', lr: 0.1, momentum: 0.9, precondition: 0 },
  'preconditioned sgd': { kind: 'sgd', lr: 0.3, precondition: 0.5 },
  ema: { kind: 'ema', lr: 0.5, decay: 0.9, precondition: 0 },
};

// Simulations are memoised so each runs once however the subtests are filtered.
const simulations = new Map<string, MonteCarloResult>();
function simulate(name: string): MonteCarloResult {
  let mc = simulations.get(name);
  if (!mc) {
    mc = simulateNqm(problem, cases[name], B, { seeds: SEEDS, steps: T, logSteps: LOG_STEPS, seed: 20190709 });
    simulations.set(name, mc);
  }
  return mc;
}

/** Worst relative error of the Monte-Carlo mean against a model curve given at the logged steps. */
function worstRelErr(mc: MonteCarloResult, model: (k: number) => number): { rel: number; step: number } {
  let worst = { rel: 0, step: -1 };
  mc.steps.forEach((step, k) => {
    const rel = Math.abs(mc.meanLoss[k] - model(k)) / model(k);
    if (rel > worst.rel) worst = { rel, step };
  });
  return worst;
}

for (const name of Object.keys(cases)) {
  test(`Monte-Carlo ${name} matches the recurrence within 5% at every logged step`, () => {
    const mc = simulate(name);
    assert.deepEqual(mc.steps, LOG_STEPS);
    const rec = iterateExpectedLoss(problem, cases[name], B, T);
    const worst = worstRelErr(mc, (k) => rec[mc.steps[k]]);
    assert.ok(worst.rel < TOL, `relative error ${worst.rel.toFixed(4)} at step ${worst.step}`);
    // The gap is also within the simulator's own sampling error.
    let maxZ = 0;
    mc.steps.forEach((step, k) => {
      maxZ = Math.max(maxZ, Math.abs(mc.meanLoss[k] - rec[step]) / mc.stdErr[k]);
    });
    assert.ok(maxZ < 5, `largest gap is ${maxZ.toFixed(2)} standard errors`);
  });

  test(`Monte-Carlo ${name} rejects a recurrence with the lr 20% off`, () => {
    const mc = simulate(name);
    const wrong = { ...cases[name], lr: 1.2 * (cases[name] as { lr: number }).lr } as NqmOptimizer;
    const rec = iterateExpectedLoss(problem, wrong, B, T);
    const worst = worstRelErr(mc, (k) => rec[mc.steps[k]]);
    assert.ok(worst.rel > TOL, `the wrong model is only ${worst.rel.toFixed(4)} off`);
  });
}

// ---- The closed-form dynamics model (engine/src/nqm/dynamics.ts) ----

for (const name of Object.keys(cases)) {
  test(`Monte-Carlo ${name} matches dynamics.lossCurve within 5%`, () => {
    const mc = simulate(name);
    const model = lossCurve(problem, cases[name], B, mc.steps);
    const worst = worstRelErr(mc, (k) => model[k]);
    assert.ok(worst.rel < TOL, `relative error ${worst.rel.toFixed(4)} at step ${worst.step}`);
  });
}

/**
 * dynamics.ts keeps the reference notebook's s* = n / (1 - beta + 1e-8) for SGD-type optimizers
 * (so step counts match the notebook). That shifts each s*_i by a relative 1e-8 / (1 - beta_i),
 * and the loss, a positive mix of s* and earlier moments, by at most the largest such shift.
 */
function notebookEpsAllowance(opt: NqmOptimizer): number {
  if (opt.kind === 'momentum' || opt.kind === 'ema') return 0;
  const lrs = opt.kind === 'pwc' ? opt.pieces.map((piece) => piece.lr) : [opt.lr];
  let worst = 0;
  for (const lr of lrs) {
    for (let i = 0; i < D; i++) {
      const beta = (1 - lr * problem.h[i] ** (1 - opt.precondition)) ** 2;
      worst = Math.max(worst, 1e-8 / (1 - beta));
    }
  }
  return worst;
}

test('the recurrence matches dynamics.lossCurve within 1e-8 relative (plus the notebook eps)', () => {
  const all: Record<string, NqmOptimizer> = {
    ...cases,
    pwc: { kind: 'pwc', pieces: [{ steps: 300, lr: 0.5 }, { steps: 700, lr: 0.2 }, { steps: 500, lr: 0.05 }], precondition: 0 },
  };
  for (const [name, opt] of Object.entries(all)) {
    const rec = iterateExpectedLoss(problem, opt, B, T);
    const model = lossCurve(problem, opt, B, LOG_STEPS);
    const tol = 1e-8 + notebookEpsAllowance(opt);
    LOG_STEPS.forEach((step, k) => {
      const rel = Math.abs(model[k] - rec[step]) / rec[step];
      assert.ok(rel < tol, `${name} at step ${step}: dynamics ${model[k]}, recurrence ${rec[step]} (rel ${rel}, tol ${tol})`);
    });
  }
});
