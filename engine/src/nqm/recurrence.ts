// Step-by-step expected-loss recurrences of the NQM (science-spec section 1): the plain
// O(steps * dims) oracle that the closed forms and the Monte-Carlo simulator are checked against.
import { preconditioner } from './model.js';
import type { NqmOptimizer, NqmProblem } from './types.js';

/** Learning rate of the update that takes step t to t + 1. */
export function learningRateAt(opt: NqmOptimizer, t: number): number {
  if (opt.kind !== 'pwc') return opt.lr;
  if (opt.pieces.length === 0) throw new Error('pwc schedule needs at least one piece');
  let end = 0;
  for (const piece of opt.pieces) {
    end += piece.steps;
    if (t < end) return piece.lr;
  }
  return opt.pieces[opt.pieces.length - 1].lr;
}

export function checkArgs(problem: NqmProblem, batchSize: number, steps: number): void {
  if (!(batchSize > 0)) throw new Error(`batch size must be positive, got ${batchSize}`);
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`steps must be a non-negative integer, got ${steps}`);
  const d = problem.h.length;
  if (problem.c.length !== d || problem.weight.length !== d || problem.s0.length !== d) {
    throw new Error('NqmProblem arrays h, c, weight, s0 must have the same length');
  }
}

/** E[L_t] for t = 0..steps, L = 1/2 sum_i weight_i h_i theta_i^2 (theta-bar for EMA). */
export function iterateExpectedLoss(
  problem: NqmProblem,
  opt: NqmOptimizer,
  batchSize: number,
  steps: number,
): Float64Array {
  checkArgs(problem, batchSize, steps);
  const { h, c, weight, s0 } = problem;
  const d = h.length;
  const prec = preconditioner(h, opt.precondition);
  const m = opt.kind === 'momentum' ? opt.momentum : 0;
  const g = opt.kind === 'ema' ? opt.decay : 0;
  // x = E[theta^2]; for momentum (u, w) = (E[v^2], E[theta v]);
  // for EMA (u, w) = (E[bar^2], E[theta bar]).
  const x = Float64Array.from(s0);
  const u = opt.kind === 'ema' ? Float64Array.from(s0) : new Float64Array(d);
  const w = opt.kind === 'ema' ? Float64Array.from(s0) : new Float64Array(d);
  const lossOf = opt.kind === 'ema' ? u : x;
  const out = new Float64Array(steps + 1);
  for (let t = 0; ; t++) {
    let loss = 0;
    for (let i = 0; i < d; i++) loss += weight[i] * h[i] * lossOf[i];
    out[t] = 0.5 * loss;
    if (t === steps) break;
    const lr = learningRateAt(opt, t);
    for (let i = 0; i < d; i++) {
      const a = lr * prec[i] * h[i];
      const n = (lr * prec[i]) ** 2 * c[i] / batchSize;
      const r = 1 - a;
      const X = x[i], U = u[i], W = w[i];
      if (opt.kind === 'momentum') {
        x[i] = r * r * X + m * m * U + 2 * r * m * W + n;
        u[i] = a * a * X + m * m * U - 2 * a * m * W + n;
        w[i] = -r * a * X + m * m * U + (1 - 2 * a) * m * W + n;
      } else if (opt.kind === 'ema') {
        // The spec's y = bar / (1 - g) recurrence multiplied out, so decay = 1 stays finite:
        // bar' = g bar + (1 - g) theta', theta' = r theta - noise.
        const X1 = r * r * X + n;
        x[i] = X1;
        u[i] = g * g * U + 2 * g * (1 - g) * r * W + (1 - g) * (1 - g) * X1;
        w[i] = g * r * W + (1 - g) * X1;
      } else {
        x[i] = r * r * X + n;
      }
    }
  }
  return out;
}
