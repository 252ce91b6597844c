// The latest results of an experiment: for each (optimizer label, batch size) the newest run that
// finished with a result. A session that is still running, was cancelled or crashed halfway does
// not hide the older results it has not replaced yet. From these come the critical-batch-size
// reports (the engine's own fit) and the run each point of the chart opens.
import type { ResolvedOptimizer } from '../../../engine/src/experiment/types';
import type { CriticalBatchReport, ScalingRow } from '../../../engine/src/analysis/report-types';
import { criticalBatchReport } from '../../../engine/src/analysis/critical-batch-report';
import type { RunRecord, RunStatus } from '../../../engine/src/store/types';
import { compareNewestFirst } from './run-view';

/** Statuses whose record carries a result (steps-to-target, possibly "not reached"). */
export const RESULT_STATUSES: readonly RunStatus[] = ['completed', 'diverged'];

/** Newest run with a result per (label, batch size); in the order of `labelOrder` then first appearance, batch size ascending. */
export function latestResults(runs: RunRecord[], labelOrder: string[] = []): RunRecord[] {
  const best = new Map<string, RunRecord>();
  for (const run of runs) {
    if (!RESULT_STATUSES.includes(run.status)) continue;
    const key = `${run.label}\u0000${run.batchSize ?? ''}`;
    const current = best.get(key);
    if (!current || compareNewestFirst(run, current) < 0) best.set(key, run);
  }
  const order = labelRank(labelOrder, [...best.values()].sort((a, b) => -compareNewestFirst(a, b)).map((r) => r.label));
  return [...best.values()].sort((a, b) => order(a.label) - order(b.label) || (a.batchSize ?? 0) - (b.batchSize ?? 0));
}

function labelRank(preferred: string[], seen: string[]): (label: string) => number {
  const rank = new Map<string, number>();
  for (const l of [...preferred, ...seen]) if (!rank.has(l)) rank.set(l, rank.size);
  return (l) => rank.get(l) ?? Number.MAX_SAFE_INTEGER;
}

export interface CriticalBatchData {
  reports: CriticalBatchReport[];
  /** runIds[label][String(batchSize)] = run id of that point. */
  runIds: Record<string, Record<string, string>>;
  /** The runs used, for the panel's run list. */
  runs: RunRecord[];
}

type OptimizerIdentity = Pick<ResolvedOptimizer, 'type' | 'precondition'>;

/** The optimizer family and preconditioning power of a run, from its resolved config, then its spec. */
export function optimizerIdentity(run: RunRecord): OptimizerIdentity {
  const fromConfig = (run.config as { optimizer?: { type?: unknown; precondition?: unknown } } | null)?.optimizer;
  const spec = run.spec as { type?: unknown; precondition?: unknown } | null;
  const type = typeof fromConfig?.type === 'string' ? fromConfig.type : typeof spec?.type === 'string' ? spec.type : run.optimizer;
  const p = [fromConfig?.precondition, spec?.precondition, run.hyperparameters?.precondition].find((v) => typeof v === 'number');
  return { type: type as ResolvedOptimizer['type'], precondition: (p as number | undefined) ?? 0 };
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The steps-vs-batch-size row of one run (null steps = the target was not reached). */
export function scalingRow(run: RunRecord): ScalingRow | undefined {
  if (run.batchSize === undefined) return undefined;
  const steps = run.status === 'completed' ? numberOrNull(run.summary.stepsToTarget) : null;
  const row: ScalingRow = {
    batchSize: run.batchSize,
    steps,
    learningRate: numberOrNull(run.hyperparameters.learningRate),
    lowerBound: numberOrNull(run.summary.lowerBound) ?? Number.NaN,
  };
  if ('momentum' in run.hyperparameters) row.momentum = numberOrNull(run.hyperparameters.momentum);
  if ('decay' in run.hyperparameters) row.decay = numberOrNull(run.hyperparameters.decay);
  return row;
}

/** Critical-batch-size reports of the latest results, one per optimizer label, fitted as the engine does. */
export function criticalBatchFromRuns(runs: RunRecord[], labelOrder: string[] = []): CriticalBatchData {
  const latest = latestResults(runs, labelOrder).filter((r) => r.batchSize !== undefined);
  const byLabel = new Map<string, RunRecord[]>();
  for (const run of latest) byLabel.set(run.label, [...(byLabel.get(run.label) ?? []), run]);
  const reports: CriticalBatchReport[] = [];
  const runIds: Record<string, Record<string, string>> = {};
  for (const [label, group] of byLabel) {
    const rows = group.map(scalingRow).filter((r): r is ScalingRow => r !== undefined);
    reports.push(criticalBatchReport(label, optimizerIdentity(group[group.length - 1]), rows));
    runIds[label] = Object.fromEntries(group.map((r) => [String(r.batchSize), r.id]));
  }
  return { reports, runIds, runs: latest };
}

/** The largest batch size's result per label: what the editor shows after each optimizer entry. */
export function resultAtLargestBatch(runs: RunRecord[], label: string): RunRecord | undefined {
  let best: RunRecord | undefined;
  for (const run of latestResults(runs)) {
    if (run.label !== label) continue;
    if (!best || (run.batchSize ?? 0) > (best.batchSize ?? 0)) best = run;
  }
  return best;
}
