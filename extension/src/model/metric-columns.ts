// What the host posts to a chart panel for metric rows: columns (protocol/metric-columns.ts), the
// shape the engine streams them in, so live rows pass through without being rebuilt; rows read
// from the store are turned into columns once. A webview message is serialised (JSON in the
// extension host, a structured clone into the webview's frame); 500,000 row objects cost about ten
// times as much to clone as the same numbers in one array per column. Pure: no VS Code here.
import { rowsToColumns, type ColumnChunk } from '../../../engine/src/protocol/metric-columns';
import type { MetricRow, MetricsBatchMessage, MetricsMessage, RunMetrics } from '../../../engine/src/protocol';

export { rowsToColumns };

/** A run's rows as the host holds them: columns (live, from the engine) or row objects (from the store). */
export type RunRows = { runId: string } & ({ rows: readonly MetricRow[] } | ColumnChunk);

function chunkOf(r: RunRows): ColumnChunk {
  return 'rows' in r ? rowsToColumns(r.rows) : r;
}

/** One run's rows in columnar form. */
export function columnarRunMetrics(runId: string, rows: readonly MetricRow[] | ColumnChunk, reset = false): RunMetrics {
  const { columns, length } = Array.isArray(rows) ? rowsToColumns(rows as readonly MetricRow[]) : (rows as ColumnChunk);
  return reset ? { runId, columns, length, reset: true } : { runId, columns, length };
}

/** A `metrics` message for one run, columnar. */
export function metricsMessage(runId: string, rows: readonly MetricRow[] | ColumnChunk, reset = false): MetricsMessage {
  return { type: 'metrics', ...columnarRunMetrics(runId, rows, reset) };
}

/** Cells (rows x columns) per bulk message: big enough for few messages, small enough to show progress. */
export const BULK_CELLS_PER_MESSAGE = 2_000_000;

function cellCount(m: RunMetrics): number {
  return m.columns !== undefined ? m.length * Math.max(1, Object.keys(m.columns).length) : m.rows.length;
}

/**
 * Bulk loads (a panel's initial fill, runs that finished elsewhere): every run's rows, reset first,
 * packed into as few `metricsBatch` messages as the cell budget allows (a run is never split; a run
 * over the budget gets a message of its own). Order is kept.
 */
export function bulkMetricsMessages(runs: readonly RunRows[], maxCells = BULK_CELLS_PER_MESSAGE): MetricsBatchMessage[] {
  const out: MetricsBatchMessage[] = [];
  let current: RunMetrics[] = [];
  let cells = 0;
  for (const r of runs) {
    const m = columnarRunMetrics(r.runId, chunkOf(r), true);
    const c = cellCount(m);
    if (current.length > 0 && cells + c > maxCells) {
      out.push({ type: 'metricsBatch', batches: current });
      current = [];
      cells = 0;
    }
    current.push(m);
    cells += c;
  }
  if (current.length > 0) out.push({ type: 'metricsBatch', batches: current });
  return out;
}

/** Live deltas of one throttle interval: every run with new rows in one message, columnar. */
export function liveMetricsMessage(batch: readonly RunRows[]): MetricsBatchMessage | undefined {
  const batches = batch.map((b) => ({ runId: b.runId, chunk: chunkOf(b) })).filter((b) => b.chunk.length > 0).map((b) => columnarRunMetrics(b.runId, b.chunk));
  return batches.length > 0 ? { type: 'metricsBatch', batches } : undefined;
}

