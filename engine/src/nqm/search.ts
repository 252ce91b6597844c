// Steps-to-target and the per-batch-size hyperparameter search, following the reference
// notebook's procedure to the step (science-spec 1.3): binary search with its off-by-one,
// grid order learning rate (outer) x momentum/decay (inner), first strict minimum wins.
import { compileLoss, LossCompiler, type LossEvaluator } from './evaluator';
import { logspace } from '../util/numpy-ranges';
import type { NqmBatchResult, NqmFamily, NqmGrid, NqmOptimizer, NqmProblem } from './types';

/** The notebook's search horizons: 1e9 steps for SGD, 1e7 for momentum and EMA. */
export const HORIZON: Record<NqmFamily, number> = { sgd: 1e9, momentum: 1e7, ema: 1e7 };

/**
 * time_to_loss: low = 0, high = H; while low < high - 1: mid = floor((low+high)/2);
 * L(mid) < C ? high = mid : low = mid. SGD returns max(low, 1), momentum/EMA return low.
 * Returns null when the search ends at H - 1 (the target is not reached within the horizon).
 */
export function searchSteps(ev: LossEvaluator, target: number, family: NqmFamily): number | null {
  const horizon = HORIZON[family];
  let low = 0;
  let high = horizon;
  while (low < high - 1) {
    const mid = Math.floor((low + high) / 2);
    if (ev.at(mid) < target) high = mid;
    else low = mid;
  }
  if (low === horizon - 1) return null;
  return family === 'sgd' ? Math.max(low, 1) : low;
}

export function stepsToTarget(problem: NqmProblem, opt: NqmOptimizer, batchSize: number): number | null {
  if (opt.kind === 'pwc') throw new Error('stepsToTarget: use a constant-hyperparameter optimizer');
  return searchSteps(compileLoss(problem, opt, batchSize), problem.spec.target, opt.kind);
}

/** The notebook's grids. */
export function referenceGrid(family: NqmFamily): NqmGrid {
  if (family === 'sgd') return { learningRates: logspace(-5, 0.5, 100) };
  const inner = logspace(-5, 0, 20).map((x) => 1 - x);
  return family === 'momentum' ? { learningRates: logspace(-8, 1, 100), momenta: inner } : { learningRates: logspace(-8, 1, 100), decays: inner };
}

/** A grid point that reached the target in `steps` steps, at flat grid index `index`. */
interface Incumbent {
  steps: number;
  index: number;
}

/**
 * The best steps-to-target over the grid at one batch size (optimal_ttl / optimal_ttl_wm /
 * optimal_ttl_ema): grid order lr (outer) x momentum/decay (inner); a later point must be strictly
 * better, so the first minimum wins.
 *
 * SGD's loss is monotone in k for almost every grid point, and then steps = max(k* - 1, 1) where k*
 * is the first k with L(k) < C. Such a point beats an incumbent (S, j) iff steps < S, or steps = S
 * at an earlier index: one evaluation, L(S) < C or L(S + 1) < C, decides it exactly. A good
 * incumbent first (the previous batch size's best index, or the best of a coarse pass) makes
 * nearly every other point a single evaluation. Non-monotone points get the full search.
 */
export function optimizeBatch(
  problem: NqmProblem,
  family: NqmFamily,
  p: number,
  batchSize: number,
  grid: NqmGrid = referenceGrid(family),
  hint?: number,
): NqmBatchResult & { index: number | null } {
  const target = problem.spec.target;
  const lrs = grid.learningRates;
  const inner = family === 'momentum' ? grid.momenta ?? [0] : family === 'ema' ? grid.decays ?? [0] : [NaN];
  const total = lrs.length * inner.length;
  const compiler = new LossCompiler(problem, p);
  const compileAt = (index: number): LossEvaluator => {
    const lr = lrs[Math.floor(index / inner.length)];
    const x = inner[index % inner.length];
    return family === 'sgd' ? compiler.sgd(lr, batchSize) : family === 'momentum' ? compiler.momentum(lr, x, batchSize) : compiler.ema(lr, x, batchSize);
  };
  const fullSearch = (index: number): number | null => searchSteps(compileAt(index), target, family);

  let best: Incumbent | null = null;
  const done = new Map<number, number | null>();
  if (family === 'sgd') {
    const seeds = hint !== undefined && hint >= 0 && hint < total ? [hint] : coarseIndices(total, 10);
    for (const index of seeds) {
      const steps = fullSearch(index);
      done.set(index, steps);
      if (steps !== null && (best === null || steps < best.steps || (steps === best.steps && index < best.index))) best = { steps, index };
    }
  }

  let reached = 0;
  let diverged = 0;
  for (let index = 0; index < total; index++) {
    let steps: number | null;
    let ev: LossEvaluator | undefined;
    if (done.has(index)) {
      steps = done.get(index)!;
    } else {
      ev = compileAt(index);
      if (family === 'sgd' && ev.monotone) {
        if (!(ev.at(HORIZON.sgd - 1) < target)) continue; // never reaches the target
        reached += 1;
        if (best !== null) {
          const canBeat = index < best.index ? ev.at(best.steps + 1) < target : best.steps > 1 && ev.at(best.steps) < target;
          if (!canBeat) continue;
        }
        steps = searchSteps(ev, target, family);
        reached -= 1; // counted again below
      } else {
        steps = searchSteps(ev, target, family);
      }
    }
    if (steps === null) {
      // Never reached: the loss either settles above the target or grows without bound.
      if ((ev ?? compileAt(index)).steadyState === Infinity) diverged += 1;
      continue;
    }
    reached += 1;
    if (best === null || steps < best.steps || (steps === best.steps && index < best.index)) best = { steps, index };
  }

  const result: NqmBatchResult & { index: number | null } = {
    batchSize,
    steps: best ? best.steps : null,
    learningRate: best ? lrs[Math.floor(best.index / inner.length)] : null,
    evaluated: total,
    reached,
    diverged,
    index: best ? best.index : null,
  };
  if (family === 'momentum') result.momentum = best ? inner[best.index % inner.length] : null;
  if (family === 'ema') result.decay = best ? inner[best.index % inner.length] : null;
  return result;
}

function coarseIndices(total: number, count: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.min(total - 1, Math.round(((i + 0.5) * total) / count)));
  return [...out];
}

/** optimizeBatch over several batch sizes, each seeded with the previous one's best grid index. */
export function optimizeBatches(problem: NqmProblem, family: NqmFamily, p: number, batchSizes: number[], grid: NqmGrid = referenceGrid(family)): NqmBatchResult[] {
  let hint: number | undefined;
  return batchSizes.map((b) => {
    const { index, ...result } = optimizeBatch(problem, family, p, b, grid, hint);
    hint = index ?? undefined;
    return result;
  });
}
