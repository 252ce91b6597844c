// Expected-loss curves of the NQM (science-spec 1.2): closed forms for every optimizer,
// including piecewise-constant learning-rate schedules composed piece by piece.
import { compileLoss } from './evaluator';
import { lossOf, preconditioner } from './model';
import type { NqmOptimizer, NqmProblem, SchedulePiece } from './types';

/** Second moments s_i after k SGD steps at a fixed lr, from s (the notebook's closed form). */
export function sgdMoments(problem: NqmProblem, s: Float64Array, lr: number, p: number, batchSize: number, k: number): Float64Array {
  const { h, c } = problem;
  const prec = preconditioner(h, p);
  const out = new Float64Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const beta = (1 - lr * prec[i] * h[i]) ** 2;
    const sStar = ((prec[i] * lr) ** 2 * (c[i] / batchSize)) / (1 - beta + 1e-8);
    out[i] = sStar + Math.pow(beta, k) * (s[i] - sStar);
  }
  return out;
}

function pwcLoss(problem: NqmProblem, pieces: SchedulePiece[], p: number, batchSize: number, k: number): number {
  if (pieces.length === 0) throw new RangeError('a piecewise-constant schedule needs at least one piece');
  let s = problem.s0;
  let left = k;
  for (let j = 0; j < pieces.length && left > 0; j++) {
    const last = j === pieces.length - 1;
    const steps = last ? left : Math.min(left, pieces[j].steps);
    s = sgdMoments(problem, s, pieces[j].lr, p, batchSize, steps);
    left -= steps;
  }
  return lossOf(problem, s);
}

/** E[L_k] after k steps. */
export function expectedLoss(problem: NqmProblem, opt: NqmOptimizer, batchSize: number, k: number): number {
  if (opt.kind === 'pwc') return pwcLoss(problem, opt.pieces, opt.precondition, batchSize, k);
  return compileLoss(problem, opt, batchSize).at(k);
}

/** E[L_k] at each of the given steps. */
export function lossCurve(problem: NqmProblem, opt: NqmOptimizer, batchSize: number, steps: number[]): Float64Array {
  if (opt.kind === 'pwc') return Float64Array.from(steps, (k) => pwcLoss(problem, opt.pieces, opt.precondition, batchSize, k));
  const ev = compileLoss(problem, opt, batchSize);
  return Float64Array.from(steps, (k) => ev.at(k));
}

/** 0, then about `count` log-spaced distinct integer steps up to `last` (for logging curves). */
export function logSpacedSteps(last: number, count: number): number[] {
  const out = new Set<number>([0]);
  if (last >= 1) {
    const n = Math.max(2, count);
    for (let i = 0; i < n; i++) out.add(Math.round(Math.pow(last, i / (n - 1))));
    out.add(last);
  }
  return [...out].sort((a, b) => a - b);
}
