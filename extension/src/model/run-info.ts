// RunRecord (run.json) -> RunInfo (what a chart panel gets): metadata without the bulky parts, the
// resolved config flattened to dotted keys so a compare view can show only what differs.
import type { RunInfo } from '../../../engine/src/protocol/view-messages';
import type { RunRecord } from '../../../engine/src';
import { formatNumber } from './format';

type Flat = Record<string, string | number | boolean | null>;

/** Arrays longer than this are summarised ("100 values, 1e-5 … 3.16") instead of listed. */
export const MAX_LISTED_ITEMS = 8;

export function flattenConfig(value: unknown, prefix = '', out: Flat = {}): Flat {
  if (value === null || value === undefined) {
    if (prefix) out[prefix] = null;
    return out;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    out[prefix || 'value'] = value;
    return out;
  }
  if (Array.isArray(value)) {
    out[prefix || 'value'] = summarizeArray(value);
    return out;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = '{}';
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  out[prefix || 'value'] = String(value);
  return out;
}

function summarizeArray(values: unknown[]): string {
  if (values.length <= MAX_LISTED_ITEMS) return JSON.stringify(values);
  const numeric = values.every((v) => typeof v === 'number');
  if (!numeric) return `${values.length} values`;
  const nums = values as number[];
  return `${values.length} values, ${formatNumber(nums[0], 4)} … ${formatNumber(nums[nums.length - 1], 4)}`;
}

/** The JSON pointer and label inside the resolved optimizer are bookkeeping, not configuration. */
const NOT_CONFIG = new Set(['optimizer.pointer', 'optimizer.label']);

export function toRunInfo(record: RunRecord): RunInfo {
  const config = flattenConfig(record.config ?? {});
  for (const key of NOT_CONFIG) delete config[key];
  return {
    id: record.id,
    experiment: record.experiment.name,
    label: record.label,
    optimizer: record.optimizer,
    ...(record.batchSize !== undefined && { batchSize: record.batchSize }),
    status: record.status,
    hyperparameters: record.hyperparameters ?? {},
    summary: record.summary ?? {},
    config,
    createdAt: record.createdAt,
  };
}
