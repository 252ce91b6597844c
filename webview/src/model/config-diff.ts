// The config diff of the Compare panel: flattened run configuration and hyperparameters, keeping
// only the keys whose values differ between the runs. Pure: no DOM.
import type { RunInfo } from '../../../engine/src/protocol/view-messages';

export type Scalar = string | number | boolean | null;

/** Flattens nested objects and arrays to dotted keys (`a.b`, `a[0]`); scalars stay as they are. */
export function flatten(value: unknown, prefix = '', out: Record<string, Scalar> = {}): Record<string, Scalar> {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out[prefix] = value;
  } else if (Array.isArray(value)) {
    if (value.length === 0) out[prefix] = '[]';
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix !== '') out[prefix] = '{}';
    for (const [k, v] of entries) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else if (value !== undefined) {
    out[prefix] = String(value);
  }
  return out;
}

/** What a run contributes to the diff: hyperparameters first, then its config, then run facts. */
export function runConfig(run: Pick<RunInfo, 'config' | 'hyperparameters' | 'optimizer' | 'batchSize' | 'experiment'>): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(run.hyperparameters ?? {})) flatten(v, `hyperparameters.${k}`, out);
  for (const [k, v] of Object.entries(run.config ?? {})) flatten(v, k, out);
  if (!('optimizer' in out) && run.optimizer !== undefined) out.optimizer = run.optimizer;
  if (!('batchSize' in out) && run.batchSize !== undefined) out.batchSize = run.batchSize;
  if (!('experiment' in out) && run.experiment !== undefined) out.experiment = run.experiment;
  return out;
}

/** Identity of a value for comparison: 1 and "1" differ, NaN equals NaN, -0 equals 0. */
function identity(v: Scalar | undefined): string {
  if (v === undefined) return 'u';
  if (v === null) return 'n';
  return `${typeof v}:${String(v)}`;
}

export interface DiffRow {
  key: string;
  /** One value per run, in the runs' order; undefined where a run lacks the key. */
  values: (Scalar | undefined)[];
}

/**
 * Keys whose values are not all the same across the runs (a key missing from some runs differs),
 * hyperparameters first, then alphabetical. Fewer than two runs: nothing differs.
 */
export function configDiff(configs: readonly Record<string, Scalar>[]): DiffRow[] {
  if (configs.length < 2) return [];
  const keys = new Set<string>();
  for (const c of configs) for (const k of Object.keys(c)) keys.add(k);
  const rows: DiffRow[] = [];
  for (const key of keys) {
    const values = configs.map((c) => (Object.prototype.hasOwnProperty.call(c, key) ? c[key] : undefined));
    const first = identity(values[0]);
    if (values.some((v) => identity(v) !== first)) rows.push({ key, values });
  }
  const group = (k: string) => (k.startsWith('hyperparameters.') ? 0 : 1);
  return rows.sort((a, b) => group(a.key) - group(b.key) || a.key.localeCompare(b.key));
}

/** The diff of RunInfo records. */
export function runsDiff(runs: readonly RunInfo[]): DiffRow[] {
  return configDiff(runs.map(runConfig));
}
