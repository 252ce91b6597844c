// A Unicode sparkline ("▇▆▅▃▂▁") of a series, for the decoration after an optimizer entry.
// Non-finite values (a diverged run's NaN or Infinity), and values <= 0 on a log scale, have no
// height: they are drawn as GAP so that they are never mistaken for a low or high value.

export const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
export const GAP = '·';

export interface SparklineOptions {
  /** Characters at most; longer series are averaged into this many buckets. Default 16. */
  width?: number;
  /** Log scale (for losses spanning decades). Default false. */
  log?: boolean;
}

/** The value on the drawing scale, or NaN when it cannot be drawn. */
function transform(v: number, log: boolean): number {
  if (!Number.isFinite(v)) return Number.NaN;
  if (log) return v > 0 ? Math.log10(v) : Number.NaN;
  return v;
}

/** Buckets of consecutive values, averaged (on the drawing scale, ignoring gaps). */
function resample(values: number[], width: number): number[] {
  if (values.length <= width) return values;
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * values.length) / width);
    const to = Math.floor(((b + 1) * values.length) / width);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      if (!Number.isNaN(values[i])) {
        sum += values[i];
        n += 1;
      }
    }
    out.push(n ? sum / n : Number.NaN);
  }
  return out;
}

export function sparkline(series: readonly number[], options: SparklineOptions = {}): string {
  const width = Math.max(1, Math.floor(options.width ?? 16));
  const log = options.log ?? false;
  if (series.length === 0) return '';
  const scaled = resample(series.map((v) => transform(v, log)), width);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of scaled) {
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Number.POSITIVE_INFINITY) return GAP.repeat(scaled.length);
  const top = BLOCKS.length - 1;
  return scaled
    .map((v) => {
      if (Number.isNaN(v)) return GAP;
      if (max === min) return BLOCKS[Math.floor(top / 2)];
      const level = Math.round(((v - min) / (max - min)) * top);
      return BLOCKS[Math.min(top, Math.max(0, level))];
    })
    .join('');
}
