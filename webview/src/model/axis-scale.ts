// Default axis scales of the metric charts. NQM loss curves are logged at log-spaced steps from 1 to
// 10^6: on a linear x axis every point but the last few sits in the first pixel column. So, unless
// the user chose a scale:
//   - x is logarithmic when the x values span more than 3 decades and a linear axis would crowd
//     them against its left edge (half of the rows in its first 5%; rows logged every step up to
//     10^5 span 5 decades too, yet read best on a linear axis);
//   - y is logarithmic for loss-like metrics whose values span more than 2 decades, and for
//     learning rates when the runs' rates differ by more than 2 decades (sweeps space them by
//     factors: on a linear axis all but the largest lie on zero);
//   - y is logarithmic for curvature diagnostics that live on a multiplicative scale (damping,
//     condition numbers, traces, eigenvalue bounds: K-FAC's damping moves by factors of ~1.05
//     per adaptation and spans decades in a run) when their values are all positive and span at
//     least a decade (within one a log axis would show a single label).
// What a metric is comes from the engine's declarations (engine/src/protocol/metric-catalog.ts), not from
// its name. Pure: no DOM.
import { metricMeta } from '../../../engine/src/protocol';
import type { Extent, RunSeries } from './series-store';

export type ScaleChoice = 'auto' | 'linear' | 'log';
export const SCALE_CHOICES: readonly ScaleChoice[] = ['auto', 'linear', 'log'];

export const LOG_X_DECADES = 3;
export const LOG_Y_DECADES = 2;
/** x is crowded when the middle row lies within this fraction of the range from its left end. */
export const CROWDED_FRACTION = 0.05;

/** Decades spanned by the positive values of an extent (0 when fewer than two). */
export function decades(min: number, max: number): number {
  return min > 0 && max > min && Number.isFinite(max) ? Math.log10(max / min) : 0;
}

/** Metrics whose values shrink by orders of magnitude: losses, errors (as the engine declares them). */
export function isLossLike(metric: string): boolean {
  return metricMeta(metric).kind === 'loss';
}

/** Learning rates: a sweep spaces them by factors. */
export function isLearningRate(metric: string): boolean {
  return metricMeta(metric).kind === 'learning-rate';
}

/** Optimizer stats on a multiplicative scale ("kfac/damping", "kfac/G_cond/<layer>", ...). */
export function isScaleLike(metric: string): boolean {
  return metricMeta(metric).kind === 'multiplicative';
}

/** What the x decision needs from one run. */
export interface XSample {
  extent: Extent;
  /** x at the middle row when x is sorted, else NaN. */
  median: number;
}

export function xSample(series: RunSeries, key: string): XSample | undefined {
  const extent = series.extent(key);
  const col = series.column(key);
  if (extent === undefined || col === undefined || extent.finite === 0) return undefined;
  const median = series.isMonotone(key) && series.length > 0 ? col[Math.floor(series.length / 2)] : NaN;
  return { extent, median };
}

/** Whether x should default to a log axis, from the runs' x columns. */
export function autoLogX(samples: readonly XSample[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  let min = Infinity;
  for (const s of samples) {
    if (s.extent.finite === 0) continue;
    lo = Math.min(lo, s.extent.minPositive);
    hi = Math.max(hi, s.extent.max);
    min = Math.min(min, s.extent.min);
  }
  // Negative x cannot be shown on a log axis; x = 0 (a first row at step 0) is only left out.
  if (!(min >= 0) || decades(lo, hi) <= LOG_X_DECADES) return false;
  let crowded = 0;
  let judged = 0;
  for (const s of samples) {
    if (s.extent.finite === 0 || !Number.isFinite(s.median)) continue;
    judged++;
    const left = Math.max(0, s.extent.min);
    if (s.median - left <= CROWDED_FRACTION * (s.extent.max - left)) crowded++;
  }
  // Unsorted x everywhere: the span alone decides.
  return judged === 0 || crowded * 2 >= judged;
}

/**
 * Whether the y axis of `metric` should default to log, from its extents over the runs (one per
 * run). Curvature scales (damping, condition numbers, traces): when all values are positive and
 * span at least a decade.
 * Losses: when their values span more than 2 decades. Learning rates: when the runs' rates differ
 * by more than 2 decades (a sweep), not for one run's warm-up ramp.
 */
export function autoLogY(metric: string, extents: readonly Extent[]): boolean {
  const scaleLike = isScaleLike(metric);
  const loss = !scaleLike && isLossLike(metric);
  if (!scaleLike && !loss && !isLearningRate(metric)) return false;
  let lo = Infinity;
  let hi = -Infinity;
  let min = Infinity;
  let lowestMax = Infinity;
  for (const e of extents) {
    if (e.finite === 0) continue;
    lo = Math.min(lo, e.minPositive);
    hi = Math.max(hi, e.max);
    min = Math.min(min, e.min);
    lowestMax = Math.min(lowestMax, e.max);
  }
  // Zero or negative values would vanish from a log axis: keep it linear then.
  if (!(min > 0)) return false;
  // Within a decade a log axis gets one or two labels: linear reads better there.
  if (scaleLike) return decades(lo, hi) >= 1;
  return loss ? decades(lo, hi) > LOG_Y_DECADES : decades(lowestMax, hi) > LOG_Y_DECADES;
}

/** The scale a chart uses: the user's choice, else the automatic one. */
export function resolveScale(choice: ScaleChoice, auto: () => boolean): boolean {
  return choice === 'log' ? true : choice === 'linear' ? false : auto();
}
