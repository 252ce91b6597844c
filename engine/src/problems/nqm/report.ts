// An NQM experiment's report: per optimizer entry, the steps-vs-batch-size table of its runs (with
// the information-theoretic lower bound) and its critical-batch-size fit.
import { criticalBatchReport } from '../../analysis/critical-batch-report';
import type { CriticalBatchReport, RunSummary, ScalingRow } from '../../analysis/report-types';
import type { ResolvedExperiment } from '../../experiment/types';
import { lowerBoundSteps } from '../../nqm/model';
import type { NqmPlan } from './plan';

export function nqmReports(exp: ResolvedExperiment, plan: NqmPlan, runs: RunSummary[]): CriticalBatchReport[] {
  return exp.optimizers.map((opt) => {
    const rows: ScalingRow[] = [];
    plan.tasks.forEach((t, i) => {
      if (plan.owners[i] !== opt) return;
      const run = runs[i];
      const row: ScalingRow = { batchSize: t.batchSize, steps: run.stepsToTarget, learningRate: run.hyperparameters.learningRate, lowerBound: lowerBoundSteps(plan.problem, t.batchSize) };
      if (opt.type === 'momentum') row.momentum = run.hyperparameters.momentum;
      if (opt.type === 'ema') row.decay = run.hyperparameters.decay;
      rows.push(row);
    });
    return criticalBatchReport(opt.label, opt, rows);
  });
}
