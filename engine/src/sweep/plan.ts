// A neural experiment as a sweep: cells (optimizer entry x batch size x seed), each the grid of its
// optimizer's searched options, one trial per grid point. Free of TensorFlow.js: the parent
// process plans, schedules and records; worker processes train.
//
// With several seeds (`seeds` in the file) each seed is a cell of its own: it picks its own best
// grid point exactly as one seed does (and is pruned the same way, so its best is exact), and the
// seeds' best steps per (optimizer, batch size) feed the bootstrap over seeds (aggregate.ts).
import type { ResolvedExperiment, ResolvedOptimizer } from '../experiment/types';

export interface Cell {
  index: number;
  optimizer: ResolvedOptimizer;
  batchSize: number;
  /** The seed of every trial of the cell (initial weights, minibatch order, evaluation subset). */
  seed: number;
  /** Position of the seed in the experiment's seeds (0 for the first). */
  seedIndex: number;
  /** Indices into SweepPlan.trials, in grid order. */
  trials: number[];
}

export interface Trial {
  index: number;
  cell: number;
  /** Position in the cell's grid (grid order: the first option varies slowest). */
  gridIndex: number;
  batchSize: number;
  /** The searched values of this grid point, by option name (learningRate, momentum, ...). */
  hyperparameters: Record<string, number>;
  /** The spec for makeOptimizer: type, the grid point, the fixed options. */
  optimizerSpec: Record<string, unknown>;
  /** The cell's seed. */
  seed: number;
  /** e.g. "Adam B=64 lr=0.001 beta1=0.9" (with " seed=1" when the experiment has several seeds). */
  label: string;
}

export interface SweepPlan {
  cells: Cell[];
  trials: Trial[];
  /**
   * The order trials are handed to workers: batch sizes in increasing order, round-robin over the
   * cells of a batch size (so that each cell's first result arrives early and bounds the cell's
   * later trials), largest learning rate first.
   */
  order: number[];
}

/** Compact number for labels: 0.001, 0.0316, 1e-5. */
export function shortNumber(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(x.toPrecision(3)));
}

const SHORT_NAMES: Record<string, string> = { learningRate: 'lr', momentum: 'm', weightDecay: 'wd' };

/** Every combination of the grids, the first key varying slowest. */
export function gridPoints(grids: Record<string, number[]>): Record<string, number>[] {
  let points: Record<string, number>[] = [{}];
  for (const [key, values] of Object.entries(grids)) {
    const next: Record<string, number>[] = [];
    for (const p of points) for (const v of values) next.push({ ...p, [key]: v });
    points = next;
  }
  return points;
}

export function planSweep(exp: ResolvedExperiment): SweepPlan {
  const cells: Cell[] = [];
  const trials: Trial[] = [];
  const seeds = exp.seeds ?? [exp.seed];
  for (const opt of exp.optimizers) {
    const points = gridPoints(opt.grids ?? { learningRate: opt.learningRates });
    for (const batchSize of exp.batchSizes) {
      seeds.forEach((seed, seedIndex) => {
        const cell: Cell = { index: cells.length, optimizer: opt, batchSize, seed, seedIndex, trials: [] };
        cells.push(cell);
        points.forEach((hp, gridIndex) => {
          const label = `${opt.label} B=${batchSize} ${Object.entries(hp).map(([k, v]) => `${SHORT_NAMES[k] ?? k}=${shortNumber(v)}`).join(' ')}${seeds.length > 1 ? ` seed=${seed}` : ''}`;
          const trial: Trial = {
            index: trials.length,
            cell: cell.index,
            gridIndex,
            batchSize,
            hyperparameters: hp,
            optimizerSpec: { type: opt.type, ...(opt.fixed ?? {}), ...hp },
            seed,
            label,
          };
          trials.push(trial);
          cell.trials.push(trial.index);
        });
      });
    }
  }
  // Within a cell, the largest learning rates first: those that diverge stop within a few steps,
  // the first that converges is usually close to the best, and the smaller ones after it are then
  // bounded by its steps. (The order changes only the work, never which trial is best.)
  // Batch sizes in increasing order: a smaller batch size's results bound the larger ones'
  // trials (budget.relativeToSmallerBatch) from their start.
  const byLr = cells.map((c) => [...c.trials].sort((a, b) => (trials[b].hyperparameters.learningRate ?? 0) - (trials[a].hyperparameters.learningRate ?? 0) || a - b));
  const order: number[] = [];
  for (const b of [...new Set(cells.map((c) => c.batchSize))].sort((x, y) => x - y)) {
    const group = cells.filter((c) => c.batchSize === b).map((c) => byLr[c.index]);
    const longest = Math.max(0, ...group.map((t) => t.length));
    for (let g = 0; g < longest; g++) for (const t of group) if (g < t.length) order.push(t[g]);
  }
  return { cells, trials, order };
}

/**
 * The best trial of a cell: fewest steps to target, ties to the earlier grid point (so the choice
 * does not depend on which worker finished first). Null when no trial reached the target.
 */
export function bestOfCell(plan: SweepPlan, cell: number, outcomes: ReadonlyMap<number, number | null>): number | null {
  let best: number | null = null;
  let bestSteps = Infinity;
  for (const t of plan.cells[cell].trials) {
    const s = outcomes.get(t);
    if (s === null || s === undefined) continue;
    if (s < bestSteps) [best, bestSteps] = [t, s];
  }
  return best;
}

/**
 * How many steps a trial may take given the cell's best so far: it can only matter by reaching
 * the target in fewer steps (or in as many, from an earlier grid point).
 */
export function stepLimitFor(plan: SweepPlan, trial: number, incumbent: number | null, incumbentSteps: number | null, maxSteps: number): number {
  if (incumbent === null || incumbentSteps === null) return maxSteps;
  const earlier = plan.trials[trial].gridIndex < plan.trials[incumbent].gridIndex;
  return Math.min(maxSteps, earlier ? incumbentSteps : incumbentSteps - 1);
}
