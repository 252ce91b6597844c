// The trials of an NQM experiment: one grid search per (optimizer entry, batch size), each solved
// analytically (nqm/parallel.ts) for the fewest steps to the target.
import type { NqmOptimizerType, ResolvedExperiment, ResolvedOptimizer } from '../../experiment/types';
import { buildProblem } from '../../nqm/model';
import type { GridTask } from '../../nqm/parallel';
import type { NqmGrid, NqmProblem, NqmSpec } from '../../nqm/types';

export interface NqmPlan {
  spec: NqmSpec;
  problem: NqmProblem;
  /** In file order: optimizer entries, then batch sizes. */
  tasks: GridTask[];
  /** The optimizer entry of each task. */
  owners: ResolvedOptimizer[];
}

export function nqmSpecOf(exp: ResolvedExperiment): NqmSpec {
  const p = exp.problem;
  if (p.type !== 'nqm') throw new Error(`problem type '${p.type}' is not an NQM problem`);
  return { dim: p.dim, exponent: p.exponent, bins: p.bins, noise: p.noise, initVariance: p.initVariance, target: exp.target.value };
}

function gridOf(opt: ResolvedOptimizer): NqmGrid {
  return { learningRates: opt.learningRates, momenta: opt.momenta, decays: opt.decays };
}

export function planNqm(exp: ResolvedExperiment): NqmPlan {
  const spec = nqmSpecOf(exp);
  const tasks: GridTask[] = [];
  const owners: ResolvedOptimizer[] = [];
  for (const opt of exp.optimizers) {
    for (const batchSize of exp.batchSizes) {
      owners.push(opt);
      tasks.push({ id: tasks.length, spec, family: opt.type as NqmOptimizerType, precondition: opt.precondition, batchSize, grid: gridOf(opt) });
    }
  }
  return { spec, problem: buildProblem(spec), tasks, owners };
}
