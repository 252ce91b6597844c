// TensorBoard-style debiased exponential moving average, in one pass and incrementally (a live run
// only smooths its new rows). Pure: no DOM.
//
//   last_k = w last_{k-1} + (1 - w) y_k,   last_0 = 0
//   smoothed_k = last_k / (1 - w^k)          (k counts finite values only; the debias divides out
//                                             the zero start, so smoothed_1 = y_1)
// Non-finite values are passed through unsmoothed and do not advance the average.

export const MAX_SMOOTHING = 0.999;

export function clampSmoothing(w: number): number {
  if (!Number.isFinite(w) || w <= 0) return 0;
  return w > MAX_SMOOTHING ? MAX_SMOOTHING : w;
}

/** Smooths ys[0..n) into a new (or the given) array. */
export function emaSmooth(ys: ArrayLike<number>, weight: number, n = ys.length, out?: Float64Array): Float64Array {
  const s = new SmoothedSeries(weight);
  s.extend(ys, n);
  if (out === undefined) return s.values.slice(0, n);
  out.set(s.values.subarray(0, n));
  return out;
}

/** The smoothed copy of one column, extended as the column grows. */
export class SmoothedSeries {
  readonly weight: number;
  values: Float64Array = new Float64Array(0);
  length = 0;
  private last = 0;
  private count = 0;
  /** weight^count, kept by multiplication instead of Math.pow per point. */
  private wPow = 1;
  /** The finite values so far are all equal to `first`. */
  private constant = true;
  private first = NaN;

  constructor(weight: number) {
    this.weight = clampSmoothing(weight);
  }

  /** Smooths ys[length..n): only the rows not seen yet. */
  extend(ys: ArrayLike<number>, n: number): void {
    if (n <= this.length) return;
    if (n > this.values.length) {
      let cap = Math.max(256, this.values.length);
      while (cap < n) cap *= 2;
      const next = new Float64Array(cap);
      next.set(this.values.subarray(0, this.length));
      this.values = next;
    }
    const w = this.weight;
    const out = this.values;
    if (w === 0) {
      for (let i = this.length; i < n; i++) out[i] = ys[i];
      this.length = n;
      return;
    }
    const a = 1 - w;
    let { last, count, wPow, constant, first } = this;
    for (let i = this.length; i < n; i++) {
      const y = ys[i];
      if (y - y !== 0) {
        // NaN or +-Infinity: shown as is, the average goes on from the previous finite value.
        out[i] = y;
        continue;
      }
      if (constant) {
        if (count === 0) first = y;
        else if (y !== first) constant = false;
      }
      last = last * w + a * y;
      count++;
      if (wPow !== 0) {
        wPow *= w;
        // Below 2^-53, 1 - wPow is exactly 1: flush to 0 before w^k turns subnormal, where every
        // multiplication costs a hundred times more (20x slower smoothing measured).
        if (wPow < 1e-17) wPow = 0;
      }
      out[i] = constant ? first : last / (1 - wPow);
    }
    this.last = last;
    this.count = count;
    this.wPow = wPow;
    this.constant = constant;
    this.first = first;
    this.length = n;
  }

  reset(): void {
    this.length = 0;
    this.last = 0;
    this.count = 0;
    this.wPow = 1;
    this.constant = true;
    this.first = NaN;
  }
}
