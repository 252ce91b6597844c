// "Did you mean ...?" for a misspelt key or name: the closest allowed name by edit distance.
// Callers word the hint in their own message style.

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

export interface ClosestOptions {
  /** Largest distance that still counts as a slip (default: a third of the key, at least 2). */
  maxDistance?: number;
  /** Compare letters case-insensitively (a name that differs only in case is always distance 0). */
  ignoreCase?: boolean;
  /** A prefix either way ('warmup' for 'warmupSteps') counts as distance 1. */
  prefixes?: boolean;
}

/** The allowed name closest to `key`, the first of equally close ones; undefined when none is close. */
export function closestName(key: string, allowed: readonly string[], options: ClosestOptions = {}): string | undefined {
  const max = options.maxDistance ?? Math.max(2, Math.floor(key.length / 3));
  const fold = (s: string) => (options.ignoreCase ? s.toLowerCase() : s);
  const k = fold(key);
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const name of allowed) {
    const n = fold(name);
    const d = name.toLowerCase() === key.toLowerCase() ? 0 : options.prefixes && (n.startsWith(k) || k.startsWith(n)) ? 1 : editDistance(k, n);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}
