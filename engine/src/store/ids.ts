// Run ids: <UTC yyyymmdd-hhmmss>-<label slug>-<6 random base36>. The timestamp prefix makes ids sort
// by creation time; the random part keeps ids unique across processes within the same second.
import { randomInt } from 'node:crypto';

export const SLUG_MAX = 24;
const SUFFIX_LEN = 6;

export function slugify(label: string, max = SLUG_MAX): string {
  const slug = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return slug || 'run';
}

export function formatIdTime(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}-` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`
  );
}

export function randomSuffix(): string {
  return randomInt(0, 36 ** SUFFIX_LEN).toString(36).padStart(SUFFIX_LEN, '0');
}

export function makeRunId(label: string, date: Date, suffix: string = randomSuffix()): string {
  return `${formatIdTime(date)}-${slugify(label)}-${suffix}`;
}

/** Rejects anything that could escape the runs folder when joined to it. */
export function isSafeRunId(id: string): boolean {
  return id.length > 0 && id !== '.' && id !== '..' && !/[/\\\0]/.test(id) && !id.startsWith('.');
}
