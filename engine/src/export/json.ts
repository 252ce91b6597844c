// JSON for scripts: the run record and its metrics, non-finite numbers as in metrics.jsonl.
import { stringifyJson } from '../store/json-codec';
import type { MetricRow, RunRecord } from '../store/types';
import type { Exporter } from './types';

/** { run, metrics }, pretty-printed; NaN/±Infinity appear as "NaN"/"Infinity"/"-Infinity" as in metrics.jsonl. */
export function exportJson(record: RunRecord, rows: MetricRow[]): string {
  return stringifyJson({ run: record, metrics: rows }, 2) + '\n';
}

export const jsonExporter: Exporter = {
  id: 'json',
  label: 'JSON',
  description: 'the run record and its metrics',
  filterName: 'JSON',
  render: exportJson,
};
