// Exports of a run's metrics for spreadsheets (CSV) and scripts (JSON).
import { stringifyJson } from './json-codec.js';
import type { MetricRow, RunRecord } from './types.js';

/** RFC 4180: CRLF line ends; fields with a comma, quote, CR or LF are quoted, quotes doubled. */
export function exportCsv(rows: MetricRow[]): string {
  const header: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        header.push(key);
      }
    }
  }
  if (header.length === 0) return '';
  const step = header.indexOf('step');
  if (step > 0) header.unshift(...header.splice(step, 1));
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) lines.push(header.map((key) => csvField(row[key])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** { run, metrics }, pretty-printed; NaN/±Infinity appear as "NaN"/"Infinity"/"-Infinity" as in metrics.jsonl. */
export function exportJson(record: RunRecord, rows: MetricRow[]): string {
  return stringifyJson({ run: record, metrics: rows }, 2) + '\n';
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
