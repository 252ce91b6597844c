// What a metric a problem (or an optimizer transform) writes is, said once where it is written, so
// that charts draw from it instead of guessing from the metric's name.

export type MetricScale = 'linear' | 'log';

/** A fixed horizontal guide on the metric's chart, e.g. K-FAC's rho at 1/4 and 3/4. */
export interface MetricReferenceLine {
  value: number;
  label: string;
}

export interface MetricMeta {
  /** The column name in metrics.jsonl rows: 'loss', 'testAccuracy', 'kfac/rho'. */
  name: string;
  /** Axis and legend text: 'test accuracy'. */
  label: string;
  /** Charts of one group sit together: 'loss', 'accuracy', 'progress', 'optimizer'. */
  group: string;
  /** '' for dimensionless quantities; 'examples', 's', ... */
  unit: string;
  /** The y axis the metric reads best on. */
  scale: MetricScale;
  referenceLines: readonly MetricReferenceLine[];
}

/** A metric's description with the common defaults (dimensionless, linear, no guides). */
export function metric(name: string, label: string, group: string, extra: Partial<Pick<MetricMeta, 'unit' | 'scale' | 'referenceLines'>> = {}): MetricMeta {
  return { name, label, group, unit: extra.unit ?? '', scale: extra.scale ?? 'linear', referenceLines: extra.referenceLines ?? [] };
}
