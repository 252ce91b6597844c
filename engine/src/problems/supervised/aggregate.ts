// From trials to results: a finished cell's own run (the best trial's curve, summary and
// hyperparameters), and, once the sweep is over, the runs and critical-batch-size reports of the
// experiment. The best of a cell is bestOfCell's: fewest steps, ties to the earlier grid point.
import { criticalBatchReport } from '../../analysis/critical-batch-report';
import type { CriticalBatchReport, IncompleteCell, RunSummary, ScalingRow } from '../../analysis/report-types';
import type { RunStatus, RunStore, StatusPatch } from '../../store';
import { bestOfCell, type SweepPlan } from '../../sweep/plan';
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
    // A failed trial might have been the best: the cell's result is then not trustworthy (left out of the fit).
    incomplete: counts.failed > 0,
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

/** Trials of these cells that failed or crashed (a diverged or unreached trial is a result; these are not). */
function failedTrials(sweep: SweepState, cells: number[]): IncompleteCell['failed'] {
  return cells.flatMap((ci) =>
    sweep.plan.cells[ci].trials
      .filter((t) => sweep.trials[t].status === 'failed' || sweep.trials[t].status === 'crashed')
      .map((t) => ({ label: sweep.plan.trials[t].label, status: sweep.trials[t].status, message: sweep.trials[t].message ?? sweep.trials[t].status })),
  );
}

/**
 * With several seeds, the grid point a (optimizer, batch size) reports: the one most seeds chose as
 * their best, ties to the earlier grid point. Null when no seed reached the target.
 */
function modalGridPoint(plan: SweepPlan, bests: (number | null)[]): number | null {
  const votes = new Map<number, number>();
  for (const b of bests) if (b !== null) votes.set(plan.trials[b].gridIndex, (votes.get(plan.trials[b].gridIndex) ?? 0) + 1);
  let best: number | null = null;
  let bestVotes = 0;
  for (const [g, n] of votes) {
    if (n > bestVotes || (n === bestVotes && best !== null && g < best)) [best, bestVotes] = [g, n];
  }
  return best;
}

/**
 * The critical-batch-size reports, one per optimizer entry (neural sweeps have no lower bound). Each
 * seed's steps at a batch size are its own best grid point's; with several seeds the row's steps are
 * their geometric mean (null if any seed missed the target) and B_crit's interval a bootstrap over seeds.
 */
export function sweepReports(sweep: SweepState): CriticalBatchReport[] {
  const { exp, plan, outcomes } = sweep;
  const seedCount = (exp.seeds ?? [exp.seed]).length;
  return exp.optimizers.map((opt) => {
    const rows: ScalingRow[] = [];
    for (const batchSize of exp.batchSizes) {
      const cis = plan.cells.filter((c) => c.optimizer === opt && c.batchSize === batchSize).sort((a, b) => a.seedIndex - b.seedIndex).map((c) => c.index);
      if (cis.length === 0) continue;
      const bests = cis.map((ci) => bestOfCell(plan, ci, outcomes));
      const seedSteps = bests.map((b) => (b === null ? null : outcomes.get(b)!));
      const grid = seedCount > 1 ? modalGridPoint(plan, bests) : bests[0] === null ? null : plan.trials[bests[0]].gridIndex;
      const hp = grid === null ? null : plan.trials[plan.cells[cis[0]].trials[grid]].hyperparameters;
      const steps = seedSteps.length === 1 ? seedSteps[0] : seedSteps.some((x) => x === null) ? null : Math.exp(seedSteps.reduce((a: number, x) => a + Math.log(x as number), 0) / seedSteps.length);
      const row: ScalingRow = { batchSize, steps, learningRate: hp?.learningRate ?? null, lowerBound: Number.NaN };
      if (opt.type === 'momentum' || opt.type === 'nesterov') row.momentum = hp?.momentum ?? null;
      if (hp) row.hyperparameters = hp;
      if (seedCount > 1) row.seedSteps = seedSteps;
      const failed = failedTrials(sweep, cis);
      if (failed.length > 0) row.incomplete = { failed, trials: cis.reduce((n, ci) => n + plan.cells[ci].trials.length, 0) };
      rows.push(row);
    }
    return criticalBatchReport(opt.label, { type: opt.type, precondition: 0 }, rows, { bootstrapSeed: exp.seed });
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
