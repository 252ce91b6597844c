// The step-by-step expected-loss recurrences against the closed-form steady states and hand
// computations of science-spec section 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iterateExpectedLoss } from '../../engine/src/nqm/recurrence.js';
import type { NqmOptimizer, NqmProblem } from '../../engine/src/nqm/types.js';

function makeProblem(h: number[], c: number[], weight: number[], s0: number[]): NqmProblem {
  return {
    spec: { dim: weight.reduce((x, y) => x + y, 0), exponent: 1, bins: 0, noise: { power: 1, scale: 1 }, initVariance: 1, target: 0.01 },
    h: Float64Array.from(h),
    c: Float64Array.from(c),
    weight: Float64Array.from(weight),
    s0: Float64Array.from(s0),
  };
}

// Three coordinates with distinct curvature, noise, multiplicity and start.
const problem = makeProblem([1, 0.3, 0.05], [2, 0.5, 0.1], [1, 3, 10], [4, 1, 2]);
const B = 4;
const STEPS = 20000;

/** Weighted sum over coordinates of a per-coordinate steady risk 1/2 h s*. */
function weighted(risk: (h: number, c: number) => number): number {
  let total = 0;
  for (let i = 0; i < problem.h.length; i++) total += problem.weight[i] * risk(problem.h[i], problem.c[i]);
  return total;
}

function assertRelClose(actual: number, expected: number, tol: number, what: string): void {
  const rel = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(rel < tol, `${what}: got ${actual}, expected ${expected} (relative error ${rel.toExponential(2)})`);
}

const sgdRisk = (lr: number) => (h: number, c: number) => (lr * c) / (2 * B * (2 - lr * h));

test('SGD reaches the closed-form steady state', () => {
  const lr = 0.8;
  const curve = iterateExpectedLoss(problem, { kind: 'sgd', lr, precondition: 0 }, B, STEPS);
  assertRelClose(curve[STEPS], weighted(sgdRisk(lr)), 1e-6, 'SGD steady state');
});

test('preconditioned SGD reaches lr prec c / (2B(2 - a)) per coordinate', () => {
  const lr = 0.3;
  const p = 0.5;
  const curve = iterateExpectedLoss(problem, { kind: 'sgd', lr, precondition: p }, B, STEPS);
  const expected = weighted((h, c) => {
    const prec = h ** -p;
    return (lr * prec * c) / (2 * B * (2 - lr * prec * h));
  });
  assertRelClose(curve[STEPS], expected, 1e-6, 'preconditioned SGD steady state');
});

test('momentum reaches the closed-form steady state', () => {
  const lr = 0.1;
  const m = 0.9;
  const curve = iterateExpectedLoss(problem, { kind: 'momentum', lr, momentum: m, precondition: 0 }, B, STEPS);
  const expected = weighted((h, c) => (lr * c) / (2 * B * (1 - m) * (2 - (lr * h) / (1 + m))));
  assertRelClose(curve[STEPS], expected, 1e-6, 'momentum steady state');
});

test('EMA reaches the closed-form steady state', () => {
  const lr = 0.5;
  const g = 0.95;
  const curve = iterateExpectedLoss(problem, { kind: 'ema', lr, decay: g, precondition: 0 }, B, STEPS);
  const expected = weighted((h, c) => {
    const r = 1 - lr * h;
    return (sgdRisk(lr)(h, c) * (1 - g) * (1 + g * r)) / ((1 + g) * (1 - g * r));
  });
  assertRelClose(curve[STEPS], expected, 1e-6, 'EMA steady state');
});

test('momentum with m = 0 and EMA with decay 0 give exactly the SGD curve', () => {
  for (const p of [0, 0.5]) {
    const sgd = iterateExpectedLoss(problem, { kind: 'sgd', lr: 0.7, precondition: p }, B, 300);
    const mom = iterateExpectedLoss(problem, { kind: 'momentum', lr: 0.7, momentum: 0, precondition: p }, B, 300);
    const ema = iterateExpectedLoss(problem, { kind: 'ema', lr: 0.7, decay: 0, precondition: p }, B, 300);
    assert.deepEqual(mom, sgd);
    assert.deepEqual(ema, sgd);
  }
});

test('one SGD step by hand on a 2-dimensional problem', () => {
  // h = (2, 0.5), c = (1, 3), weight = (1, 4), s0 = (1, 2), lr = 0.1, B = 2.
  const two = makeProblem([2, 0.5], [1, 3], [1, 4], [1, 2]);
  // p = 0: a = (0.2, 0.05), n = (0.005, 0.015), s1 = (0.645, 1.82).
  const plain = iterateExpectedLoss(two, { kind: 'sgd', lr: 0.1, precondition: 0 }, 2, 1);
  assertRelClose(plain[0], 0.5 * (2 * 1 + 4 * 0.5 * 2), 1e-15, 'L0');
  assertRelClose(plain[1], 0.5 * (2 * 0.645 + 4 * 0.5 * 1.82), 1e-14, 'L1');
  // p = 1: prec = (0.5, 2), a = (0.1, 0.1), n = (0.00125, 0.06), s1 = (0.81125, 1.68).
  const prec = iterateExpectedLoss(two, { kind: 'sgd', lr: 0.1, precondition: 1 }, 2, 1);
  assertRelClose(prec[1], 0.5 * (2 * 0.81125 + 4 * 0.5 * 1.68), 1e-14, 'preconditioned L1');
});

test('one momentum and one EMA step by hand', () => {
  const one = makeProblem([2], [1], [1], [1]);
  // a = 0.2, n = 0.005, v0 = 0: E[x1^2] = 0.64 + 0.005.
  const mom = iterateExpectedLoss(one, { kind: 'momentum', lr: 0.1, momentum: 0.5, precondition: 0 }, 2, 2);
  assertRelClose(mom[1], 0.645, 1e-14, 'momentum L1');
  // Step 2: E[v1^2] = 0.04 + 0.005, E[x1 v1] = -0.16 + 0.005, so
  // E[x2^2] = 0.64 * 0.645 + 0.25 * 0.045 + 2 * 0.8 * 0.5 * (-0.155) + 0.005.
  assertRelClose(mom[2], 0.64 * 0.645 + 0.25 * 0.045 - 0.8 * 0.155 + 0.005, 1e-14, 'momentum L2');
  // EMA, decay 0.5: bar1 = 0.5 x0 + 0.5 x1 with x1 = 0.8 x0 - e, so
  // E[bar1^2] = 0.25 + 0.5 * 0.8 + 0.25 * 0.645.
  const ema = iterateExpectedLoss(one, { kind: 'ema', lr: 0.1, decay: 0.5, precondition: 0 }, 2, 1);
  assertRelClose(ema[1], 0.25 + 0.4 + 0.25 * 0.645, 1e-14, 'EMA L1');
});

test('pwc follows its pieces and keeps the last lr past the end', () => {
  const opt: NqmOptimizer = { kind: 'pwc', pieces: [{ steps: 3, lr: 0.5 }, { steps: 2, lr: 0.1 }], precondition: 0 };
  const curve = iterateExpectedLoss(problem, opt, B, 10);
  const lrs = [0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
  const s = Float64Array.from(problem.s0);
  for (let t = 0; t <= 10; t++) {
    let loss = 0;
    for (let i = 0; i < s.length; i++) loss += 0.5 * problem.weight[i] * problem.h[i] * s[i];
    assertRelClose(curve[t], loss, 1e-14, `pwc step ${t}`);
    if (t === 10) break;
    for (let i = 0; i < s.length; i++) {
      const a = lrs[t] * problem.h[i];
      s[i] = (1 - a) ** 2 * s[i] + (lrs[t] ** 2 * problem.c[i]) / B;
    }
  }
  // A single piece is plain SGD.
  const single = iterateExpectedLoss(problem, { kind: 'pwc', pieces: [{ steps: 4, lr: 0.3 }], precondition: 0.5 }, B, 50);
  assert.deepEqual(single, iterateExpectedLoss(problem, { kind: 'sgd', lr: 0.3, precondition: 0.5 }, B, 50));
});
