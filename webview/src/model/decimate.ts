// Min-max bucket decimation for drawing, on linear and logarithmic x alike, straight from the
// store's typed columns to the {x, y} points Chart.js draws (parsing off). Pure: no DOM.
//
// The visible x range [xMin, xMax] is cut into `buckets` equal slices (equal in log x on a log axis),
// one per pixel column; each slice keeps its minimum and its maximum (in row order), so spikes
// survive; the first and the last point of the range are always kept, and so are the nearest points
// just outside it (the line then runs to the chart's edge). Points that a log axis cannot show
// (x <= 0 on log x, y <= 0 on log y) and non-finite points are dropped. At most 2 buckets + 4
// points come out, whatever the number of rows.

export interface XY {
  x: number;
  y: number;
}

export interface DecimateOptions {
  xMin: number;
  xMax: number;
  /** Slices across the range, usually the plot width in pixels. */
  buckets: number;
  logX?: boolean;
  logY?: boolean;
  /** xs is finite and non-decreasing over [0, n): the range is found by binary search. */
  sorted?: boolean;
}

/** First index i in [0, n) with xs[i] >= v (n when none); xs sorted ascending. */
export function lowerBound(xs: ArrayLike<number>, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i in [0, n) with xs[i] > v (n when none); xs sorted ascending. */
export function upperBound(xs: ArrayLike<number>, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether a point can be drawn on the given axes. */
export function drawable(x: number, y: number, logX = false, logY = false): boolean {
  return x - x === 0 && y - y === 0 && (!logX || x > 0) && (!logY || y > 0);
}

/** The drawable points of a series (no decimation): what a log axis keeps. */
export function filterDrawable(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, logX = false, logY = false): XY[] {
  const out: XY[] = [];
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const y = ys[i];
    if (drawable(x, y, logX, logY)) out.push({ x, y });
  }
  return out;
}

/**
 * Decimates ys over xs[0..n) into `out` (its point objects are reused, its length set), returning
 * out. A bucket holding one or two points keeps them all, so sparse ranges are drawn exactly.
 */
export function decimateMinMax(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, opts: DecimateOptions, out: XY[] = []): XY[] {
  if (opts.sorted === true) return new MinMaxDecimator(out).update(xs, ys, n, opts);
  return decimateUnsorted(xs, ys, n, opts, out);
}

function bucketScale(opts: DecimateOptions): { t0: number; scale: number; buckets: number } {
  const buckets = Math.max(1, Math.floor(opts.buckets));
  const t0 = opts.logX === true ? Math.log(opts.xMin) : opts.xMin;
  const t1 = opts.logX === true ? Math.log(opts.xMax) : opts.xMax;
  return { t0, scale: t1 > t0 ? buckets / (t1 - t0) : 0, buckets };
}

/**
 * Min-max decimation of a growing series with sorted x, kept up to date incrementally: while the
 * options (range, buckets, axes) and the source stay the same, update() reads only the rows
 * appended since the previous call, because a bucket that the data has moved past never changes
 * again. Streaming then costs O(new rows) per frame instead of O(all rows).
 */
export class MinMaxDecimator {
  private opts: Required<DecimateOptions> | null = null;
  private source: unknown = undefined;
  private t0 = 0;
  private scale = 0;
  private buckets = 1;
  /** Rows consumed so far. */
  private done = 0;
  /** Points of out that are final (closed buckets); the rest is rewritten by each update. */
  private committed = 0;
  private count = 0;
  private before = -1;
  private after = -1;
  private firstIn = -1;
  private lastIn = -1;
  private lastEmitted = -1;
  private bucket = -1;
  private minI = -1;
  private maxI = -1;
  private minY = Infinity;
  private maxY = -Infinity;

  constructor(readonly out: XY[] = []) {}

  /** Forgets the state (and empties out): the next update starts over. */
  reset(): void {
    this.opts = null;
    this.out.length = 0;
  }

  /**
   * The decimation of xs/ys[0..n) (xs finite and non-decreasing where y is drawable). `source`
   * identifies the data (a run's generation, a smoothed copy): a different one starts over.
   */
  update(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, opts: DecimateOptions, source?: unknown): XY[] {
    if (!this.matches(opts, source) || n < this.done) this.restart(xs, ys, n, opts, source);
    this.feed(xs, ys, n);
    this.finish(xs, ys);
    return this.out;
  }

  private matches(o: DecimateOptions, source: unknown): boolean {
    const p = this.opts;
    return p !== null && source === this.source && p.xMin === o.xMin && p.xMax === o.xMax && p.buckets === o.buckets && p.logX === (o.logX === true) && p.logY === (o.logY === true);
  }

  private restart(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, o: DecimateOptions, source: unknown): void {
    this.opts = { xMin: o.xMin, xMax: o.xMax, buckets: o.buckets, logX: o.logX === true, logY: o.logY === true, sorted: true };
    this.source = source;
    ({ t0: this.t0, scale: this.scale, buckets: this.buckets } = bucketScale(o));
    this.committed = this.count = 0;
    this.after = this.firstIn = this.lastIn = this.lastEmitted = this.bucket = this.minI = this.maxI = -1;
    // Skip the rows left of the range by binary search, keeping the nearest drawable one.
    const lo = lowerBound(xs, n, o.xMin);
    this.before = -1;
    for (let i = lo - 1; i >= 0; i--) {
      if (drawable(xs[i], ys[i], this.opts.logX, this.opts.logY)) {
        this.before = i;
        break;
      }
    }
    this.done = lo;
  }

  private emit(xs: ArrayLike<number>, ys: ArrayLike<number>, i: number): void {
    const p = this.out[this.count];
    if (p === undefined) this.out[this.count] = { x: xs[i], y: ys[i] };
    else {
      p.x = xs[i];
      p.y = ys[i];
    }
    this.count++;
  }

  /** Emits the open bucket's min and max in row order (those not emitted yet). */
  private emitBucket(xs: ArrayLike<number>, ys: ArrayLike<number>, last: number): number {
    if (this.minI < 0) return last;
    const a = this.minI < this.maxI ? this.minI : this.maxI;
    const b = this.minI < this.maxI ? this.maxI : this.minI;
    if (a > last) {
      this.emit(xs, ys, a);
      last = a;
    }
    if (b > last) {
      this.emit(xs, ys, b);
      last = b;
    }
    return last;
  }

  private feed(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): void {
    if (this.after >= 0) {
      // Sorted: nothing after the first row right of the range can change the drawing.
      this.done = n;
      return;
    }
    const { xMin, xMax, logX, logY } = this.opts!;
    const { t0, scale, buckets } = this;
    this.count = this.committed;
    for (let i = this.done; i < n; i++) {
      const x = xs[i];
      const y = ys[i];
      if (!(x - x === 0 && y - y === 0) || (logX && !(x > 0)) || (logY && !(y > 0))) continue;
      if (x < xMin) {
        this.before = i;
        continue;
      }
      if (x > xMax) {
        this.after = i;
        break;
      }
      if (this.firstIn < 0) {
        this.firstIn = i;
        if (this.before >= 0) this.emit(xs, ys, this.before);
        this.emit(xs, ys, i);
        this.lastEmitted = i;
      }
      let k = Math.floor(((logX ? Math.log(x) : x) - t0) * scale);
      if (k >= buckets) k = buckets - 1;
      if (k !== this.bucket) {
        this.lastEmitted = this.emitBucket(xs, ys, this.lastEmitted);
        this.bucket = k;
        this.minI = this.maxI = i;
        this.minY = this.maxY = y;
      } else if (y < this.minY) {
        this.minY = y;
        this.minI = i;
      } else if (y > this.maxY) {
        this.maxY = y;
        this.maxI = i;
      }
      this.lastIn = i;
    }
    this.committed = this.count;
    this.done = n;
  }

  /** Appends the provisional tail: the open bucket, the last point in range, the point after it. */
  private finish(xs: ArrayLike<number>, ys: ArrayLike<number>): void {
    this.count = this.committed;
    if (this.firstIn < 0) {
      if (this.before >= 0) this.emit(xs, ys, this.before);
    } else {
      const last = this.emitBucket(xs, ys, this.lastEmitted);
      if (this.lastIn > last) this.emit(xs, ys, this.lastIn);
    }
    if (this.after >= 0) this.emit(xs, ys, this.after);
    this.out.length = this.count;
  }
}

/** Unsorted x (a run that restarted its step count, say): a full pass, then sorted by x for drawing. */
function decimateUnsorted(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, opts: DecimateOptions, out: XY[]): XY[] {
  const logX = opts.logX === true;
  const logY = opts.logY === true;
  const { xMin, xMax } = opts;
  const { t0, scale, buckets } = bucketScale(opts);
  let count = 0;
  const emit = (i: number): void => {
    const p = out[count];
    if (p === undefined) out[count] = { x: xs[i], y: ys[i] };
    else {
      p.x = xs[i];
      p.y = ys[i];
    }
    count++;
  };
  let before = -1;
  let after = -1;
  let firstIn = -1;
  let lastIn = -1;
  let lastEmitted = -1;
  let bucket = -1;
  let minI = -1;
  let maxI = -1;
  let minY = Infinity;
  let maxY = -Infinity;
  const flush = (): void => {
    if (minI < 0) return;
    const a = minI < maxI ? minI : maxI;
    const b = minI < maxI ? maxI : minI;
    if (a > lastEmitted) emit((lastEmitted = a));
    if (b > lastEmitted) emit((lastEmitted = b));
  };
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!drawable(x, y, logX, logY)) continue;
    if (x < xMin) {
      if (before < 0 || x > xs[before]) before = i;
      continue;
    }
    if (x > xMax) {
      if (after < 0 || x < xs[after]) after = i;
      continue;
    }
    if (firstIn < 0) {
      firstIn = i;
      emit(i);
      lastEmitted = i;
    }
    let k = Math.floor(((logX ? Math.log(x) : x) - t0) * scale);
    if (k >= buckets) k = buckets - 1;
    if (k !== bucket) {
      flush();
      bucket = k;
      minI = maxI = i;
      minY = maxY = y;
    } else if (y < minY) {
      minY = y;
      minI = i;
    } else if (y > maxY) {
      maxY = y;
      maxI = i;
    }
    lastIn = i;
  }
  flush();
  if (lastIn > lastEmitted) emit(lastIn);
  if (before >= 0) emit(before);
  if (after >= 0) emit(after);
  out.length = count;
  out.sort((p, q) => p.x - q.x);
  return out;
}

/**
 * The upper end of an automatic x range, rounded up to the next 1/8 of its power of two, so that a
 * streaming run moves it (and forces every run to be decimated again) only every ~12% of growth.
 */
export function autoUpperBound(lo: number, hi: number): number {
  const span = hi - lo;
  if (!(span > 0)) return hi;
  const step = 2 ** (Math.floor(Math.log2(span)) - 3);
  return lo + Math.ceil(span / step) * step;
}
