// The texts the editor shows inline for an experiment file: the decoration after an optimizer entry
// (sparkline of its latest loss curve + steps-to-target at the largest batch size) and the
// CodeLens summary of the last result. Pure: run records and rows in, strings out.
import type { CriticalBatchReport } from '../../../engine/src/analysis/report-types';
import type { MetricRow, RunRecord } from '../../../engine/src/store/types';
import { formatAgo, formatCount, formatNumber } from '../model/format';
import { sparkline } from './sparkline';

export const SPARKLINE_WIDTH = 16;

/** The loss values of a run's rows, in order (non-numbers become NaN so they show as gaps). */
export function lossSeries(rows: readonly MetricRow[], metric = 'loss'): number[] {
  return rows.filter((r) => metric in r).map((r) => (typeof r[metric] === 'number' ? (r[metric] as number) : Number.NaN));
}

/** "▇▆▅▃▂▁▁  1,366 steps at B=1048576", "target not reached at B=...", or "" when there is no result yet. */
export function entryDecorationText(run: RunRecord | undefined, rows: readonly MetricRow[] | undefined, live?: { running: number; total: number }): string {
  const parts: string[] = [];
  if (rows && rows.length) {
    const line = sparkline(lossSeries(rows), { width: SPARKLINE_WIDTH, log: true });
    if (line) parts.push(line);
  }
  if (run) {
    const steps = run.summary.stepsToTarget;
    const at = run.batchSize !== undefined ? ` at B=${run.batchSize}` : '';
    if (run.status === 'diverged') parts.push(`diverged${at}`);
    else if (typeof steps === 'number') parts.push(`${formatCount(steps)} steps${at}`);
    else if (steps === null) parts.push(`target not reached${at}`);
  }
  if (live && live.running > 0) parts.push(`(running ${live.total - live.running}/${live.total})`);
  return parts.join('  ');
}

/** "last run: 60 runs · B_crit SGD 800, SGD p=0.25 3.05e3 … · 3 min ago". */
export function lastResultSummary(latest: readonly RunRecord[], reports: readonly CriticalBatchReport[], now: number = Date.now()): string | undefined {
  if (!latest.length) return undefined;
  const parts = [`last run: ${formatCount(latest.length)} run${latest.length === 1 ? '' : 's'}`];
  const fitted = reports.filter((r) => r.bCrit !== null && Number.isFinite(r.bCrit));
  if (fitted.length) {
    const shown = fitted.slice(0, 2).map((r) => `${r.optimizer} ${formatNumber(r.bCrit as number)}`);
    parts.push(`B_crit ${shown.join(', ')}${fitted.length > 2 ? ' …' : ''}`);
  }
  const newest = latest.map((r) => r.endedAt ?? r.createdAt).sort().pop();
  if (newest) parts.push(formatAgo(newest, now));
  return parts.join(' · ');
}
