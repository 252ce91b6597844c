// Metric rows in columnar form, the one shape rows travel in from the engine to the chart panels:
// one array per column, all `length` long. A cell is a number; NaN and infinities are the strings
// the store writes ("NaN", "Infinity", "-Infinity"); null means the row has no value there (no
// key, a null, or a value that is not a number). Wall-clock columns (`time`, `wallTime`) hold
// numbers (seconds or epoch milliseconds), never date strings. Columns cost about a tenth of row
// objects to serialise and go straight into the panels' typed arrays. Pure: runs in a browser.
import type { MetricRow } from '../store/types';

export type NonFiniteMarker = 'NaN' | 'Infinity' | '-Infinity';
export type MetricCell = number | NonFiniteMarker | null;
export type MetricColumns = Record<string, MetricCell[]>;

/** `length` rows as columns. */
export interface ColumnChunk {
  columns: MetricColumns;
  length: number;
}

const MARKERS: Readonly<Record<NonFiniteMarker, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

export function isNonFiniteMarker(v: unknown): v is NonFiniteMarker {
  return typeof v === 'string' && Object.hasOwn(MARKERS, v);
}

/** A cell as a number: NaN for "no value". */
export function cellNumber(v: MetricCell | undefined): number {
  return v === null || v === undefined ? Number.NaN : typeof v === 'number' ? v : MARKERS[v];
}

/** Wall-clock columns: a date string there becomes epoch milliseconds. */
const TIME_COLUMNS: ReadonlySet<string> = new Set(['time', 'wallTime']);

/** A row's value as a cell. */
export function toCell(key: string, v: unknown): MetricCell {
  if (typeof v === 'number') return v - v === 0 ? v : (String(v) as NonFiniteMarker);
  if (typeof v === 'string') {
    if (isNonFiniteMarker(v)) return v;
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
 * Rows -> one array per column (every key any row has). Written for 500,000-row bulk loads:
 * columns are filled as double arrays (NaN for "not filled"), and only a column with gaps or
 * non-numbers is finished cell by cell at the end.
 */
export function rowsToColumns(rows: readonly MetricRow[]): ColumnChunk {
  const n = rows.length;
  const keys: string[] = [];
  const cols: number[][] = [];
  const odd: (Map<number, MetricCell> | undefined)[] = [];
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
        odd.push(undefined);
        gaps.push(i > 0);
      }
      const v = row[key];
      if (typeof v === 'number' && v - v === 0) cols[j][i] = v;
      else {
        const c = toCell(key, v);
        if (c === null) gaps[j] = true;
        else if (typeof c === 'number') cols[j][i] = c;
        else (odd[j] ??= new Map()).set(i, c);
      }
      k++;
    }
    if (k !== keys.length) for (let j = 0; j < keys.length; j++) if (!gaps[j] && !(keys[j] in row)) gaps[j] = true;
  }
  const columns: MetricColumns = {};
  for (let j = 0; j < keys.length; j++) {
    const col = cols[j] as MetricCell[];
    const markers = odd[j];
    if (gaps[j] || markers) for (let i = 0; i < n; i++) if (col[i] !== col[i]) col[i] = markers?.get(i) ?? null;
    columns[keys[j]] = col;
  }
  return { columns, length: n };
}

/** Row `i` of columns as a row object (markers as numbers, no key for "no value"). */
export function rowAt(chunk: ColumnChunk, i: number): MetricRow {
  const row: MetricRow = {};
  for (const key in chunk.columns) {
    const v = chunk.columns[key][i];
    if (v !== null && v !== undefined) row[key] = typeof v === 'number' ? v : MARKERS[v];
  }
  return row;
}

export function columnsToRows(chunk: ColumnChunk): MetricRow[] {
  const out: MetricRow[] = [];
  for (let i = 0; i < chunk.length; i++) out.push(rowAt(chunk, i));
  return out;
}

/** Rows `from` .. end of a chunk. */
export function sliceColumns(chunk: ColumnChunk, from: number): ColumnChunk {
  if (from <= 0) return chunk;
  const columns: MetricColumns = {};
  for (const key in chunk.columns) columns[key] = chunk.columns[key].slice(from);
  return { columns, length: Math.max(0, chunk.length - from) };
}

/** Chunks one after another; a column a chunk lacks is null there. */
export function concatColumns(chunks: readonly ColumnChunk[]): ColumnChunk {
  const live = chunks.filter((c) => c.length > 0);
  if (live.length === 1) return live[0];
  const length = live.reduce((n, c) => n + c.length, 0);
  const columns: MetricColumns = {};
  let at = 0;
  for (const c of live) {
    for (const key in c.columns) {
      let col = columns[key];
      if (col === undefined) col = columns[key] = new Array<MetricCell>(length).fill(null);
      const src = c.columns[key];
      for (let i = 0; i < c.length; i++) col[at + i] = src[i];
    }
    at += c.length;
  }
  return { columns, length };
}

/** Checks columns at a boundary: an object of arrays, each `length` long, of cells. Returns a message or undefined. */
export function columnsProblem(columns: unknown, length: unknown, where: string): string | undefined {
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) return `${where}.length: expected the number of rows`;
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) return `${where}.columns: expected an object of arrays`;
  for (const [key, col] of Object.entries(columns as Record<string, unknown>)) {
    if (!Array.isArray(col)) return `${where}.columns.${key}: expected an array`;
    if (col.length !== length) return `${where}.columns.${key}: ${col.length} values for ${length} rows`;
    for (let i = 0; i < col.length; i++) {
      const v: unknown = col[i];
      if (typeof v !== 'number' && v !== null && !isNonFiniteMarker(v)) return `${where}.columns.${key}[${i}]: expected a number or null (or "NaN", "Infinity", "-Infinity")`;
    }
  }
  return undefined;
}
