// What the host posts to a chart panel for metric rows: columns, not row objects. A webview message
// is serialised (JSON in the extension host, a structured clone into the webview's frame); 500,000
// row objects cost about ten times as much to clone as the same numbers in one array per column,
// and the panel copies columns straight into its typed arrays. Pure: no VS Code here.
import type { MetricColumns, MetricsBatchMessage, MetricsMessage, RunMetrics } from '../../../engine/src/protocol/view-messages';
import type { MetricRow } from '../../../engine/src';

/** Wall-clock columns: a date string there becomes epoch milliseconds. */
const TIME_COLUMNS: ReadonlySet<string> = new Set(['time', 'wallTime']);

/** A cell as the protocol carries it: a finite number, else null. */
function cell(key: string, v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return null;
    const n = Number(t);
    if (Number.isFinite(n)) return n;
    if (TIME_COLUMNS.has(key)) {
      const d = Date.parse(t);
      return Number.isNaN(d) ? null : d;
    }
    return null;
  }
  return null;
}

/**
 * Rows -> one array per column (every key any row has), null where a row has no finite value.
 * Written for 500,000-row bulk loads: columns are filled as double arrays (NaN for "no value"),
 * and only a column that has such gaps is turned into numbers-and-nulls at the end.
 */
export function rowsToColumns(rows: readonly MetricRow[]): { columns: MetricColumns; length: number } {
  const n = rows.length;
  const keys: string[] = [];
  const cols: number[][] = [];
  const gaps: boolean[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    let k = 0;
    for (const key in row) {
      // Rows of one run share their key order: the k-th key is almost always the k-th column.
      let j = keys[k] === key ? k : index.get(key);
      if (j === undefined) {
        j = keys.length;
        keys.push(key);
        index.set(key, j);
        cols.push(new Array<number>(n).fill(NaN));
        gaps.push(i > 0);
      }
      const v = row[key];
      if (typeof v === 'number' && v - v === 0) cols[j][i] = v;
      else {
        const c = cell(key, v);
        if (c === null) gaps[j] = true;
        else cols[j][i] = c;
      }
      k++;
    }
    if (k !== keys.length) for (let j = 0; j < keys.length; j++) if (!gaps[j] && !(keys[j] in row)) gaps[j] = true;
  }
  const columns: MetricColumns = {};
  for (let j = 0; j < keys.length; j++) {
    const col = cols[j] as (number | null)[];
    if (gaps[j]) for (let i = 0; i < n; i++) if (col[i] !== col[i]) col[i] = null;
    columns[keys[j]] = col;
  }
  return { columns, length: n };
}

/** One run's rows in columnar form. */
export function columnarRunMetrics(runId: string, rows: readonly MetricRow[], reset = false): RunMetrics {
  const { columns, length } = rowsToColumns(rows);
  return reset ? { runId, columns, length, reset: true } : { runId, columns, length };
}

/** A `metrics` message for one run, columnar. */
export function metricsMessage(runId: string, rows: readonly MetricRow[], reset = false): MetricsMessage {
  return { type: 'metrics', ...columnarRunMetrics(runId, rows, reset) };
}

/** Cells (rows x columns) per bulk message: big enough for few messages, small enough to show progress. */
export const BULK_CELLS_PER_MESSAGE = 2_000_000;

function cellCount(m: RunMetrics): number {
  return m.columns !== undefined ? m.length * Math.max(1, Object.keys(m.columns).length) : m.rows.length;
}

/**
 * Bulk loads (a panel's initial fill, runs that finished elsewhere): every run's rows from the
 * store, reset first, packed into as few `metricsBatch` messages as the cell budget allows (a run
 * is never split; a run over the budget gets a message of its own). Order is kept.
 */
export function bulkMetricsMessages(runs: readonly { runId: string; rows: readonly MetricRow[] }[], maxCells = BULK_CELLS_PER_MESSAGE): MetricsBatchMessage[] {
  const out: MetricsBatchMessage[] = [];
  let current: RunMetrics[] = [];
  let cells = 0;
  for (const { runId, rows } of runs) {
    const m = columnarRunMetrics(runId, rows, true);
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
export function liveMetricsMessage(batch: readonly { runId: string; rows: readonly MetricRow[] }[]): MetricsBatchMessage | undefined {
  const batches = batch.filter((b) => b.rows.length > 0).map((b) => columnarRunMetrics(b.runId, b.rows));
  return batches.length > 0 ? { type: 'metricsBatch', batches } : undefined;
}
