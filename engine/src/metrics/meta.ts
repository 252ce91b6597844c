// What a metric is, declared by whoever emits it (a transform's stats, a problem's rows), so that
// views draw it right (its axis scale, its guides, its group) without guessing from its name.
// Pure data: no TensorFlow.js here, the extension and the webview read it.

/** How a metric's values behave, which decides its default axis. */
export type MetricKind =
  /** Shrinks by orders of magnitude (losses, errors): log y when it spans > 2 decades. */
  | 'loss'
  /** A fraction in [0, 1]: linear. */
  | 'accuracy'
  /** Sweeps space it by factors: log y when the runs differ by > 2 decades. */
  | 'learning-rate'
  /** Lives on a multiplicative scale (damping, traces, condition numbers): log y when positive and >= 1 decade. */
  | 'multiplicative'
  /** Anything else: linear. */
  | 'plain';

/** A fixed horizontal guide on a metric's chart. */
export interface ReferenceLine {
  value: number;
  label: string;
}

export interface MetricMeta {
  kind: MetricKind;
  /** Axis and legend text ('test accuracy'); the key when absent. */
  label?: string;
  /** Charts of one group sit together: 'loss', 'accuracy', 'progress', 'optimizer'. */
  group?: string;
  /** A one-line explanation (chart tooltips). */
  doc?: string;
  unit?: string;
  referenceLines?: readonly ReferenceLine[];
  /** Position within its group (internals: the order a reader of the paper scans them); lower first. */
  order?: number;
}

/**
 * A declared metric. `key` is the exact key, or a pattern whose last segment is `*` (one or more
 * path segments, e.g. a layer name: "kfac/A_trace/*" matches "kfac/A_trace/dense_0/kernel").
 */
export interface MetricDeclaration extends MetricMeta {
  key: string;
}

/**
 * Levenberg-Marquardt thresholds of a reduction ratio (Martens & Grosse 2015, section 6.5): above
 * 3/4 the damping shrinks, below 1/4 it grows.
 */
export const LM_THRESHOLDS: readonly ReferenceLine[] = [
  { value: 0.25, label: 'ρ = 1/4 (damping grows below)' },
  { value: 0.75, label: 'ρ = 3/4 (damping shrinks above)' },
];

/** The same declarations under each chain prefix a transform may run under ("kfac", "kfc"). */
export function underPrefixes(prefixes: readonly string[], decls: readonly MetricDeclaration[]): MetricDeclaration[] {
  return prefixes.flatMap((p) => decls.map((d) => ({ ...d, key: `${p}/${d.key}` })));
}
