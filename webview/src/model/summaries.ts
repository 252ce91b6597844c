// Per-run, per-metric summaries for the Compare panel: best (minimum) value and the step it was
// reached at, last value, how many points. Pure: no DOM.
import type { RunSeries } from './series-store';

export interface MetricSummary {
  /** Smallest finite value (NaN when the run has none). */
  min: number;
  /** Step (x) of the first row holding the minimum. */
  minStep: number;
  /** Largest finite value. */
  max: number;
  /** The last finite value, and its step. */
  last: number;
  lastStep: number;
  /** Finite values counted. */
  count: number;
  /** Infinite values logged (a diverging run); NaN cannot be told from "not logged" and is not counted. */
  nonFinite: number;
}

/**
 * Summarises ys[0..n); steps give the x of each row (the row index where a step is missing).
 * Non-finite values are skipped.
 */
export function summarize(steps: ArrayLike<number> | undefined, ys: ArrayLike<number>, n: number): MetricSummary {
  let min = Infinity;
  let max = -Infinity;
  let minI = -1;
  let lastI = -1;
  let count = 0;
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (y - y !== 0) {
      if (y === Infinity || y === -Infinity) nonFinite++;
      continue;
    }
    count++;
    if (y < min) {
      min = y;
      minI = i;
    }
    if (y > max) max = y;
    lastI = i;
  }
  const stepAt = (i: number) => (i < 0 ? NaN : steps !== undefined && Number.isFinite(steps[i]) ? steps[i] : i);
  return {
    min: count > 0 ? min : NaN,
    minStep: stepAt(minI),
    max: count > 0 ? max : NaN,
    last: lastI >= 0 ? ys[lastI] : NaN,
    lastStep: stepAt(lastI),
    count,
    nonFinite,
  };
}

/** The summary of one metric of one run held in the store. */
export function summarizeRun(series: RunSeries, metric: string): MetricSummary | undefined {
  const ys = series.column(metric);
  if (ys === undefined) return undefined;
  return summarize(series.column('step'), ys, series.length);
}

/** The run ids with the lowest minimum for a metric (ties all win); empty when none has a value. */
export function bestRuns(summaries: ReadonlyMap<string, MetricSummary | undefined>): string[] {
  let best = Infinity;
  for (const s of summaries.values()) if (s !== undefined && s.count > 0 && s.min < best) best = s.min;
  if (best === Infinity) return [];
  return [...summaries.entries()].filter(([, s]) => s !== undefined && s.count > 0 && s.min === best).map(([id]) => id);
}
