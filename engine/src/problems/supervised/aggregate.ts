// From trials to results: a finished cell's own run (the best trial's curve, summary and
// hyperparameters), and, once the sweep is over, the runs and critical-batch-size reports of the
// experiment. The best of a cell is bestOfCell's: fewest steps, ties to the earlier grid point.
import { criticalBatchReport } from '../../analysis/critical-batch-report';
import type { CriticalBatchReport, RunSummary, ScalingRow } from '../../analysis/report-types';
import type { RunStatus, RunStore, StatusPatch } from '../../store';
import { bestOfCell } from '../../sweep/plan';
import type { RunOptions } from '../types';
import type { SweepState } from './sweep-state';

/** Records a cell whose trials have all finished as the best of its grid. */
export function finishCell(sweep: SweepState, ci: number, store: RunStore, options: RunOptions): void {
  const { exp, plan, trials, outcomes } = sweep;
  const cell = sweep.cells[ci];
  const c = plan.cells[ci];
  const best = bestOfCell(plan, ci, outcomes);
  const counts = { reached: 0, diverged: 0, notReached: 0, failed: 0, cancelled: 0 };
  for (const t of c.trials) {
    const s = trials[t].status;
    if (s === 'diverged') counts.diverged++;
    else if (s === 'failed') counts.failed++;
    else if (s === 'cancelled') counts.cancelled++;
    else if (outcomes.get(t) !== null && outcomes.get(t) !== undefined) counts.reached++;
    else counts.notReached++;
  }
  const hp = best === null ? Object.fromEntries(Object.keys(plan.trials[c.trials[0]].hyperparameters).map((k) => [k, null])) : plan.trials[best].hyperparameters;
  const steps = best === null ? null : outcomes.get(best)!;
  if (best !== null) {
    const rows = store.readMetrics(trials[best].writer.id).rows;
    const { from } = cell.writer.appendRows(rows);
    options.onMetrics?.(cell.writer.id, rows, from);
  }
  if (!cell.started) sweep.setStatus(cell.writer, 'running');
  const summary = {
    stepsToTarget: steps,
    reachedTarget: steps !== null,
    examplesToTarget: steps === null || best === null ? null : (trials[best].result?.examples ?? steps * c.batchSize),
    bestTrial: best === null ? null : trials[best].writer.id,
    trials: c.trials.length,
    trialsReached: counts.reached,
    trialsDiverged: counts.diverged,
    trialsNotReached: counts.notReached,
    trialsFailed: counts.failed,
    target: exp.target.value,
    targetMetric: exp.target.metric,
    wallTime: c.trials.reduce((s, t) => s + (trials[t].result?.wallTime ?? 0), 0),
  };
  const status: RunStatus = counts.failed === c.trials.length ? 'failed' : 'completed';
  const patch: StatusPatch = { summary, hyperparameters: hp };
  if (status === 'failed') patch.error = { message: trials[c.trials[0]].message ?? 'every trial failed' };
  sweep.setStatus(cell.writer, status, patch);
  cell.writer.close();
}

/** The critical-batch-size reports, one per optimizer entry (neural sweeps have no lower bound). */
export function sweepReports(sweep: SweepState): CriticalBatchReport[] {
  const { exp, plan, outcomes } = sweep;
  return exp.optimizers.map((opt) => {
    const rows: ScalingRow[] = [];
    plan.cells.forEach((c, ci) => {
      if (c.optimizer !== opt) return;
      const best = bestOfCell(plan, ci, outcomes);
      const hp = best === null ? null : plan.trials[best].hyperparameters;
      const row: ScalingRow = { batchSize: c.batchSize, steps: best === null ? null : outcomes.get(best)!, learningRate: hp?.learningRate ?? null, lowerBound: Number.NaN };
      if (opt.type === 'momentum' || opt.type === 'nesterov') row.momentum = hp?.momentum ?? null;
      if (hp) row.hyperparameters = hp;
      rows.push(row);
    });
    return criticalBatchReport(opt.label, { type: opt.type, precondition: 0 }, rows);
  });
}

/** One summary per cell: its own run, with the best trial's steps and hyperparameters. */
export function cellRuns(sweep: SweepState): RunSummary[] {
  const { plan, outcomes } = sweep;
  return plan.cells.map((c, ci) => {
    const best = bestOfCell(plan, ci, outcomes);
    const w = sweep.cells[ci].writer;
    return {
      id: w.id,
      label: c.optimizer.label,
      optimizer: c.optimizer.type,
      batchSize: c.batchSize,
      status: w.status === 'failed' ? 'failed' : 'completed',
      stepsToTarget: best === null ? null : outcomes.get(best)!,
      hyperparameters: best === null ? {} : { ...plan.trials[best].hyperparameters },
    };
  });
}
