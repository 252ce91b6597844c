// CSV for spreadsheets: one row per logged row, the union of keys as header (step first).
import type { MetricRow } from '../store/types';
import type { Exporter } from './types';

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

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvExporter: Exporter = {
  id: 'csv',
  label: 'CSV',
  description: 'metrics, one row per logged step',
  filterName: 'CSV',
  render: (_record, rows) => exportCsv(rows),
};
