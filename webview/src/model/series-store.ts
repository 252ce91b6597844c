// Columnar store of the metric rows a panel holds: one growable Float64Array per column and run,
// appended in place (amortised doubling), never re-queried. Pure: no DOM, runs in Node for the
// unit tests and the benchmark.
import { cellNumber } from '../../../engine/src/protocol/metric-columns';
import type { MetricColumns, RunMetrics } from '../../../engine/src/protocol/view-messages';
import type { MetricRow } from '../../../engine/src/protocol';

/** What the x axis of a metric chart can be. */
export type XAxisKind = 'step' | 'examples' | 'wallTime';
export const X_AXIS_KINDS: readonly XAxisKind[] = ['step', 'examples', 'wallTime'];

/** Columns that are x coordinates (or bookkeeping), never charted as metrics. */
export const NON_METRIC_COLUMNS: ReadonlySet<string> = new Set(['step', 'examples', 'time', 'wallTime', 'timestamp', 'epoch_time']);

/** Derived column: seconds since the run's first wall-clock value. */
export const WALL_COLUMN = '\u0000wall';
/** Derived column: the row's index, the x of a run that logs no step. */
export const INDEX_COLUMN = '\u0000index';

export interface Extent {
  min: number;
  max: number;
  /** Smallest value > 0 (for log axes), Infinity when none. */
  minPositive: number;
  /** How many finite values. */
  finite: number;
}

const emptyExtent = (): Extent => ({ min: Infinity, max: -Infinity, minPositive: Infinity, finite: 0 });

/** How often a column's direction turns: noise makes consecutive differences change sign. */
interface Turns {
  last: number;
  sign: number;
  /** Non-zero differences between consecutive finite values. */
  moves: number;
  /** Sign changes between consecutive non-zero differences. */
  turns: number;
}

const noTurns = (): Turns => ({ last: NaN, sign: 0, moves: 0, turns: 0 });

/** Fewer moves than this and a column's roughness is not judged. */
export const MIN_MOVES_FOR_ROUGHNESS = 20;

/** A metric value as a number: NaN/Infinity survive as the strings the store writes them as. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (v.trim() === '') return NaN;
    return Number(v);
  }
  return NaN;
}

/** A wall-clock value: seconds or milliseconds since any origin, or an ISO date string. */
function toTime(v: unknown): number {
  if (typeof v === 'string') {
    const n = toNumber(v);
    if (!Number.isNaN(n)) return n;
    const d = Date.parse(v);
    return Number.isNaN(d) ? NaN : d;
  }
  return toNumber(v);
}

const INITIAL_CAPACITY = 256;

function fillIndex(col: Float64Array): void {
  for (let i = 0; i < col.length; i++) col[i] = i;
}

/** The rows of one run, column by column. */
export class RunSeries {
  length = 0;
  /** Bumped by reset(): consumers holding derived data (smoothing, decimation) start over. */
  generation = 0;
  private capacity = 0;
  private readonly cols = new Map<string, Float64Array>();
  private readonly extents = new Map<string, Extent>();
  /** Finite and non-decreasing over all rows so far (binary search is valid). */
  private readonly monotone = new Map<string, boolean>();
  private readonly turnStats = new Map<string, Turns>();
  private wallOrigin = NaN;
  private wallScale = 1;
  private hasWall = false;

  constructor(readonly runId: string) {}

  /** Appends rows in place; returns true when a column appeared that the run did not have. */
  append(rows: readonly MetricRow[]): boolean {
    if (rows.length === 0) return false;
    const start = this.length;
    const end = start + rows.length;
    this.reserve(end);
    // A column absent from a row holds NaN there.
    for (const [key, col] of this.cols) if (key !== INDEX_COLUMN) col.fill(NaN, start, end);
    let newColumn = false;
    let wall = this.cols.get(WALL_COLUMN);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const i = start + r;
      for (const key in row) {
        if (key === 'time' || key === 'wallTime') continue;
        let col = this.cols.get(key);
        if (col === undefined) {
          col = this.addColumn(key, end);
          newColumn = true;
        }
        col[i] = toNumber(row[key]);
      }
      const t = row.wallTime !== undefined ? row.wallTime : row.time;
      if (t !== undefined) {
        if (wall === undefined) {
          wall = this.addColumn(WALL_COLUMN, end);
          this.hasWall = true;
          newColumn = true;
        }
        const tv = toTime(t);
        if (Number.isNaN(this.wallOrigin) && Number.isFinite(tv)) {
          this.wallOrigin = tv;
          // Epoch milliseconds (or any value that large) are shown as seconds.
          this.wallScale = Math.abs(tv) > 1e11 ? 1e-3 : 1;
        }
        wall[i] = (tv - this.wallOrigin) * this.wallScale;
      }
    }
    this.length = end;
    for (const [key, col] of this.cols) this.scan(key, col, start, end);
    return newColumn;
  }

  /**
   * Appends `n` rows given as columns (the protocol's columnar form): each column is copied
   * straight into its typed array, null as NaN; no row objects. Columns the run has and the
   * message lacks are NaN for these rows. Returns true when a column appeared.
   */
  appendColumns(columns: Readonly<MetricColumns>, n: number): boolean {
    if (n <= 0) return false;
    const start = this.length;
    const end = start + n;
    this.reserve(end);
    let newColumn = false;
    for (const [key, col] of this.cols) if (key !== INDEX_COLUMN && key !== WALL_COLUMN && !Object.prototype.hasOwnProperty.call(columns, key)) col.fill(NaN, start, end);
    for (const key in columns) {
      if (key === 'time' || key === 'wallTime') continue;
      const src = columns[key];
      let col = this.cols.get(key);
      if (col === undefined) {
        col = this.addColumn(key, start);
        newColumn = true;
      }
      for (let i = 0; i < n; i++) {
        const v = src[i];
        col[start + i] = typeof v === 'number' ? v : cellNumber(v);
      }
    }
    const wt = columns.wallTime;
    const tt = columns.time;
    let wall = this.cols.get(WALL_COLUMN);
    if (wt !== undefined || tt !== undefined) {
      if (wall === undefined) {
        wall = this.addColumn(WALL_COLUMN, start);
        this.hasWall = true;
        newColumn = true;
      }
      for (let i = 0; i < n; i++) {
        // wallTime wins over time, as in append().
        const w = wt === undefined ? null : wt[i];
        const t = w !== null ? w : tt === undefined ? null : tt[i];
        const tv = typeof t === 'string' ? NaN : t;
        if (tv === null || Number.isNaN(tv)) {
          wall[start + i] = NaN;
          continue;
        }
        if (Number.isNaN(this.wallOrigin) && Number.isFinite(tv)) {
          this.wallOrigin = tv;
          this.wallScale = Math.abs(tv) > 1e11 ? 1e-3 : 1;
        }
        wall[start + i] = (tv - this.wallOrigin) * this.wallScale;
      }
    } else if (wall !== undefined) {
      wall.fill(NaN, start, end);
    }
    this.length = end;
    for (const [key, col] of this.cols) this.scan(key, col, start, end);
    return newColumn;
  }

  /** Extents and monotonicity of rows [from, to) of a column. */
  private scan(key: string, col: Float64Array, from: number, to: number): void {
    const ext = this.extents.get(key)!;
    let mono = this.monotone.get(key)!;
    let prev = from > 0 ? col[from - 1] : -Infinity;
    let { min, max, minPositive, finite } = ext;
    let t = this.turnStats.get(key);
    if (t === undefined) this.turnStats.set(key, (t = noTurns()));
    let { last, sign, moves, turns } = t;
    for (let i = from; i < to; i++) {
      const v = col[i];
      if (v - v === 0) {
        // finite
        finite++;
        if (v < min) min = v;
        if (v > max) max = v;
        if (v > 0 && v < minPositive) minPositive = v;
        if (v < prev) mono = false;
        prev = v;
        const d = v - last;
        if (d > 0 || d < 0) {
          const sg = d > 0 ? 1 : -1;
          if (sign !== 0 && sg !== sign) turns++;
          sign = sg;
          moves++;
        }
        last = v;
      } else {
        mono = false;
      }
    }
    ext.min = min;
    ext.max = max;
    ext.minPositive = minPositive;
    ext.finite = finite;
    t.last = last;
    t.sign = sign;
    t.moves = moves;
    t.turns = turns;
    this.monotone.set(key, mono);
  }

  /**
   * The fraction of a column's moves that turn its direction: about 2/3 for noise, near 0 for a
   * smooth curve (an expected loss computed in closed form, a schedule); 0 for a column of many
   * values that hardly change. Undefined while there is too little to tell.
   */
  roughness(key: string): number | undefined {
    const t = this.turnStats.get(key);
    if (t === undefined) return undefined;
    if (t.moves < MIN_MOVES_FOR_ROUGHNESS) {
      // Many values that hardly ever change (a constant, a step schedule): smooth.
      return (this.extents.get(key)?.finite ?? 0) >= 4 * MIN_MOVES_FOR_ROUGHNESS ? 0 : undefined;
    }
    return t.turns / (t.moves - 1);
  }

  /** A new column, NaN for the rows [0, upTo) that did not have it. */
  private addColumn(key: string, upTo: number): Float64Array {
    const col = new Float64Array(this.capacity);
    col.fill(NaN, 0, upTo);
    this.cols.set(key, col);
    this.extents.set(key, emptyExtent());
    this.monotone.set(key, this.length === 0);
    return col;
  }

  private reserve(n: number): void {
    if (n <= this.capacity) return;
    let cap = Math.max(this.capacity, INITIAL_CAPACITY);
    while (cap < n) cap *= 2;
    for (const [key, col] of this.cols) {
      const next = new Float64Array(cap);
      if (key === INDEX_COLUMN) fillIndex(next);
      else next.set(col.subarray(0, this.length));
      this.cols.set(key, next);
    }
    this.capacity = cap;
  }

  /** The row index as a column (the x of a run that logs no step). */
  private indexColumn(): Float64Array {
    let col = this.cols.get(INDEX_COLUMN);
    if (col === undefined) {
      col = new Float64Array(this.capacity);
      fillIndex(col);
      this.cols.set(INDEX_COLUMN, col);
      this.extents.set(INDEX_COLUMN, emptyExtent());
      this.monotone.set(INDEX_COLUMN, true);
      this.scan(INDEX_COLUMN, col, 0, this.length);
    }
    return col;
  }

  /** The column's buffer (valid up to `length`), or undefined. The buffer is replaced on growth. */
  column(key: string): Float64Array | undefined {
    return this.cols.get(key);
  }

  /** The x column for an axis kind: step (the row index when the run logs none), examples, wall time. */
  x(kind: XAxisKind): Float64Array | undefined {
    if (kind === 'step') return this.cols.get('step') ?? this.indexColumn();
    if (kind === 'examples') return this.cols.get('examples');
    return this.cols.get(WALL_COLUMN);
  }

  /** The column key of x(kind), for extent() and isMonotone(). */
  xKey(kind: XAxisKind): string | undefined {
    if (kind === 'step') {
      if (this.cols.has('step')) return 'step';
      this.indexColumn();
      return INDEX_COLUMN;
    }
    if (kind === 'examples') return this.cols.has('examples') ? 'examples' : undefined;
    return this.hasWall ? WALL_COLUMN : undefined;
  }

  extent(key: string): Extent | undefined {
    return this.extents.get(key);
  }

  isMonotone(key: string): boolean {
    return this.monotone.get(key) ?? false;
  }

  /** Column names, without the derived ones. */
  keys(): string[] {
    return [...this.cols.keys()].filter((k) => k !== WALL_COLUMN && k !== INDEX_COLUMN);
  }

  /** Columns with at least one finite value that are not x columns. */
  metricKeys(): string[] {
    return this.keys().filter((k) => !NON_METRIC_COLUMNS.has(k) && (this.extents.get(k)?.finite ?? 0) > 0);
  }

  hasWallTime(): boolean {
    return this.hasWall;
  }

  reset(): void {
    this.cols.clear();
    this.extents.clear();
    this.monotone.clear();
    this.turnStats.clear();
    this.length = 0;
    this.capacity = 0;
    this.wallOrigin = NaN;
    this.wallScale = 1;
    this.hasWall = false;
    this.generation++;
  }
}

/** Orders metric names: loss first, then other losses, accuracies, the learning rate, then the rest. */
export function orderMetrics(keys: Iterable<string>): string[] {
  const rank = (k: string): number => {
    const l = k.toLowerCase();
    if (l === 'loss') return 0;
    if (l.includes('loss')) return 1;
    if (l.includes('acc')) return 2;
    if (l === 'learningrate' || l === 'lr' || l === 'learning_rate') return 3;
    return 4;
  };
  return [...new Set(keys)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** All runs of a panel. */
export class SeriesStore {
  private readonly runs = new Map<string, RunSeries>();
  /** Bumped whenever a run gains a column: the metric list may have changed. */
  columnsVersion = 0;

  get(runId: string): RunSeries | undefined {
    return this.runs.get(runId);
  }

  ensure(runId: string): RunSeries {
    let s = this.runs.get(runId);
    if (s === undefined) {
      s = new RunSeries(runId);
      this.runs.set(runId, s);
    }
    return s;
  }

  append(runId: string, rows: readonly MetricRow[], reset = false): RunSeries {
    const s = this.ensure(runId);
    if (reset) {
      s.reset();
      this.columnsVersion++;
    }
    if (s.append(rows)) this.columnsVersion++;
    return s;
  }

  /** Appends columnar rows (see RunSeries.appendColumns). */
  appendColumns(runId: string, columns: Readonly<MetricColumns>, length: number, reset = false): RunSeries {
    const s = this.ensure(runId);
    if (reset) {
      s.reset();
      this.columnsVersion++;
    }
    if (s.appendColumns(columns, length)) this.columnsVersion++;
    return s;
  }

  /** One run's rows from a message, in whichever form they came. */
  ingest(m: RunMetrics): RunSeries {
    return m.columns !== undefined ? this.appendColumns(m.runId, m.columns, m.length, m.reset === true) : this.append(m.runId, m.rows, m.reset === true);
  }

  delete(runId: string): void {
    if (this.runs.delete(runId)) this.columnsVersion++;
  }

  runIds(): string[] {
    return [...this.runs.keys()];
  }

  /** Metric names present in any run, in display order. */
  metricKeys(): string[] {
    const all: string[] = [];
    for (const s of this.runs.values()) all.push(...s.metricKeys());
    return orderMetrics(all);
  }

  hasXAxis(kind: XAxisKind): boolean {
    if (kind === 'step') return true;
    for (const s of this.runs.values()) if (s.xKey(kind) !== undefined) return true;
    return false;
  }
}
