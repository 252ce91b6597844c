// Where each metric goes on the dashboard. Optimizer stats stream under their chain's prefix
// ("kfac/damping", "grad/global_norm", "kfac/A_trace/<layer>"): they are internals, not results,
// so they get their own section, one group per prefix, below loss and accuracy. A stat reported
// per layer would be dozens of charts: its layers share one chart slot with a layer selector.
// Pure: no DOM.
import { metricMeta } from '../../../engine/src/protocol';

export const INTERNALS_TITLE = 'Optimizer internals';

/** A stat reported per layer: "kfac/A_trace" over the layers of "kfac/A_trace/<layer>". */
export interface MetricFamily {
  /** "kfac/A_trace". */
  id: string;
  /** Layer names in display order (natural: "dense_2" before "dense_10"). */
  layers: string[];
}

export type ChartSlot = { kind: 'metric'; metric: string } | { kind: 'family'; family: MetricFamily };

/** One prefix's charts ("kfac", "ngd", "grad"). */
export interface InternalsGroup {
  prefix: string;
  slots: ChartSlot[];
}

export interface MetricLayout {
  /** Results (loss, accuracy, learning rate...), in the order given. */
  main: string[];
  internals: InternalsGroup[];
}

/** Chains shown first (curvature optimizers' diagnostics matter most when present). */
const PREFIX_ORDER = ['kfac', 'kfc', 'ngd'];
/** A stat's place in its group, as the optimizer declares it (K-FAC: damping, rho, alpha, mu, ...); undeclared ones follow alphabetically. */
const statRank = (metric: string): number => metricMeta(metric).order ?? Number.MAX_SAFE_INTEGER;

export function isInternalMetric(key: string): boolean {
  const slash = key.indexOf('/');
  return slash > 0 && slash < key.length - 1;
}

/** "kfac/A_trace/dense_0/kernel" -> prefix kfac, stat A_trace, layer "dense_0/kernel". */
export function splitInternal(key: string): { prefix: string; stat: string; layer?: string } | undefined {
  if (!isInternalMetric(key)) return undefined;
  const parts = key.split('/');
  const [prefix, stat] = parts;
  if (parts.length === 2 || stat === '') return { prefix, stat: parts.slice(1).join('/') };
  const layer = parts.slice(2).join('/');
  return layer === '' ? { prefix, stat } : { prefix, stat, layer };
}

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function rank(list: readonly string[], x: string): number {
  const i = list.indexOf(x);
  return i < 0 ? list.length : i;
}

function slotName(s: ChartSlot): string {
  return s.kind === 'metric' ? s.metric : s.family.id;
}

/** Splits metric keys into results and optimizer internals grouped by prefix. */
export function layoutMetrics(keys: readonly string[]): MetricLayout {
  const main: string[] = [];
  const scalars = new Map<string, string[]>();
  const families = new Map<string, Map<string, string[]>>();
  for (const key of new Set(keys)) {
    const parts = splitInternal(key);
    if (parts === undefined) {
      main.push(key);
      continue;
    }
    if (parts.layer === undefined) {
      scalars.set(parts.prefix, [...(scalars.get(parts.prefix) ?? []), key]);
      continue;
    }
    const byStat = families.get(parts.prefix) ?? new Map<string, string[]>();
    families.set(parts.prefix, byStat);
    byStat.set(parts.stat, [...(byStat.get(parts.stat) ?? []), parts.layer]);
  }
  const prefixes = [...new Set([...scalars.keys(), ...families.keys()])].sort((a, b) => rank(PREFIX_ORDER, a) - rank(PREFIX_ORDER, b) || natural.compare(a, b));
  const internals = prefixes.map((prefix): InternalsGroup => {
    const slots: ChartSlot[] = (scalars.get(prefix) ?? []).map((metric) => ({ kind: 'metric', metric }));
    for (const [stat, layers] of families.get(prefix) ?? []) {
      slots.push({ kind: 'family', family: { id: `${prefix}/${stat}`, layers: [...layers].sort(natural.compare) } });
    }
    // Scalars before per-layer families, each in reading order.
    slots.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'metric' ? -1 : 1) || statRank(slotName(a)) - statRank(slotName(b)) || natural.compare(slotName(a), slotName(b)));
    return { prefix, slots };
  });
  return { main, internals };
}

/** The metric key a family chart draws for a layer. */
export function familyMetric(family: MetricFamily, layer: string): string {
  return `${family.id}/${layer}`;
}

/** The layer a family chart shows: the saved choice while it exists, else the first layer. */
export function chosenLayer(family: MetricFamily, saved: string | undefined): string {
  return saved !== undefined && family.layers.includes(saved) ? saved : family.layers[0];
}

/** Every metric key the layout draws (family slots: only the chosen layer). */
export function drawnMetrics(layout: MetricLayout, layers: Readonly<Record<string, string>>): string[] {
  const out = [...layout.main];
  for (const g of layout.internals) {
    for (const s of g.slots) out.push(s.kind === 'metric' ? s.metric : familyMetric(s.family, chosenLayer(s.family, layers[s.family.id])));
  }
  return out;
}
