// Every metric the engine declares (metrics/meta.ts says how), one line per emitter, and the lookup
// the views use: a declared metric gets its declaration, anything else what its name suggests
// (metrics/infer.ts). Pure data: the webviews import it through protocol/.
import { KFAC_METRICS } from '../optim/kfac/metric-meta';
import { OPTIMIZER_CHAIN_METRICS } from '../optim/metric-meta';
import { NGD_METRICS } from '../optim/natural-gradient/metric-meta';
import { NQM_METRICS } from '../problems/nqm/metrics';
import { SUPERVISED_METRICS } from '../problems/supervised/metrics';
import { inferMetricMeta } from '../metrics/infer';
import type { MetricDeclaration, MetricMeta } from '../metrics/meta';

export type { MetricDeclaration, MetricKind, MetricMeta, ReferenceLine } from '../metrics/meta';
export { LM_THRESHOLDS } from '../metrics/meta';

/** Problems declare the rows they write, optimizers their stats; a key two problems share is declared alike. */
export const METRIC_DECLARATIONS: readonly MetricDeclaration[] = [...SUPERVISED_METRICS, ...NQM_METRICS, ...OPTIMIZER_CHAIN_METRICS, ...KFAC_METRICS, ...NGD_METRICS];

const exact = new Map<string, MetricMeta>();
const patterns: { prefix: string; meta: MetricMeta }[] = [];
for (const { key, ...meta } of METRIC_DECLARATIONS) {
  if (key.endsWith('/*')) patterns.push({ prefix: key.slice(0, -1), meta });
  else if (!exact.has(key)) exact.set(key, meta);
}
const cache = new Map<string, MetricMeta>();

/** What `metric` is: its declaration, else what its name suggests. */
export function metricMeta(metric: string): MetricMeta {
  let meta = cache.get(metric);
  if (meta) return meta;
  meta = exact.get(metric) ?? patterns.find((p) => metric.startsWith(p.prefix) && metric.length > p.prefix.length)?.meta ?? inferMetricMeta(metric);
  if (cache.size > 10_000) cache.clear();
  cache.set(metric, meta);
  return meta;
}
