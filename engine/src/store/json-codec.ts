// JSON has no NaN/Infinity (JSON.stringify silently turns them into null), yet diverged runs
// produce exactly those values, so they are written as the strings "NaN", "Infinity", "-Infinity".
import type { MetricRow } from './types.js';

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

export function nonFiniteReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

export function decodeScalar(value: unknown): unknown {
  return typeof value === 'string' && Object.hasOwn(NON_FINITE, value) ? NON_FINITE[value] : value;
}

/** Decodes non-finite markers anywhere inside a JSON value (summary, hyperparameters). */
export function decodeDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeDeep);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decodeDeep(v);
    return out;
  }
  return decodeScalar(value);
}

export function stringifyJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, nonFiniteReplacer, indent);
}

/** One metrics.jsonl line, without the newline. Throws TypeError for rows that are not plain objects. */
export function encodeMetricRow(row: MetricRow): string {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new TypeError(`a metric row must be a plain object, got ${row === null ? 'null' : Array.isArray(row) ? 'an array' : typeof row}`);
  }
  return stringifyJson(row);
}

export type ParsedLine = { ok: true; row: MetricRow; dropped: string[] } | { ok: false; reason: string };

export function parseMetricLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const row: MetricRow = {};
  const dropped: string[] = [];
  for (const [key, raw] of Object.entries(value)) {
    const v = decodeScalar(raw);
    if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') row[key] = v;
    else dropped.push(key);
  }
  return { ok: true, row, dropped };
}
