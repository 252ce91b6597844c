// The noisy quadratic model's prediction for a neural sweep, for overlay on its measured curves
// (Zhang et al. 2019 use the NQM to predict how optimizers scale with batch size): the reference
// NQM (d = 10^4, h_i = 1/i, C = H, target loss 0.01) searched over the reference grids at the same
// batch sizes, with each optimizer's stand-in from the registry (optim/registry: `nqm`): SGD for
// sgd, heavy-ball momentum for momentum and nesterov, and SGD
// preconditioned with P = H^-0.5 for the adaptive optimizers (adam, adamw, rmsprop: the paper's
// stand-in for diagonal preconditioning) and P = H^-0.75 for K-FAC and natural gradient (a better
// preconditioner). Step counts are the NQM's own: compare shapes (slopes, where the curve bends),
// not numbers.
import { REFERENCE_GRIDS, expandGrid } from '../experiment/grid';
import { nqmFamilyOf } from '../optim/registry';
import type { ResolvedExperiment } from '../experiment/types';
import { buildProblem, lowerBoundSteps, REFERENCE_NQM } from '../nqm/model';
import { solveGridTasks, type GridTask } from '../nqm/parallel';
import { criticalBatchReport } from '../analysis/critical-batch-report';
import type { CriticalBatchReport, ScalingRow } from '../analysis/report-types';

export { ADAPTIVE_PRECONDITION, CURVATURE_PRECONDITION } from '../optim/registry';

export async function nqmPrediction(exp: ResolvedExperiment, options: { workers?: number; signal?: AbortSignal } = {}): Promise<CriticalBatchReport[]> {
  const spec = REFERENCE_NQM;
  const problem = buildProblem(spec);
  const tasks: GridTask[] = [];
  const owner: number[] = [];
  exp.optimizers.forEach((opt, i) => {
    const f = nqmFamilyOf(opt.type);
    const ref = REFERENCE_GRIDS[f.family as 'sgd' | 'momentum'];
    const grid = { learningRates: expandGrid(ref.learningRate), ...(f.family === 'momentum' && { momenta: expandGrid(ref.momentum!) }) };
    for (const batchSize of exp.batchSizes) {
      tasks.push({ id: tasks.length, spec, family: f.family, precondition: f.precondition, batchSize, grid });
      owner.push(i);
    }
  });
  const results = await solveGridTasks(tasks, { workers: options.workers, signal: options.signal });
  return exp.optimizers.map((opt, i) => {
    const f = nqmFamilyOf(opt.type);
    const rows: ScalingRow[] = [];
    results.forEach((r, k) => {
      if (owner[k] !== i) return;
      const row: ScalingRow = { batchSize: r.batchSize, steps: r.steps, learningRate: r.learningRate, lowerBound: lowerBoundSteps(problem, r.batchSize) };
      if (f.family === 'momentum') row.momentum = r.momentum ?? null;
      rows.push(row);
    });
    return criticalBatchReport(`${opt.label} (NQM: ${f.name})`, { type: f.family, precondition: f.precondition }, rows);
  });
}
