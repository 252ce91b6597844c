// Which colour each run of a dashboard or compare panel gets. Runs of one optimizer label share the
// label's hue (the same hue the critical-batch-size panel gives that label: palette colour by order
// of first appearance) in a family of shades ordered by batch size, further from the background as
// the batch grows; a panel whose runs all have one label (or all different labels) gives every run
// a distinct palette colour instead. Pure.
import type { SeriesPalette } from './colors';

export interface ColorRun {
  id: string;
  /** The optimizer label, when the host described the run. */
  label?: string;
  batchSize?: number;
  /** Order in which the panel first saw the run (stable while runs stream in). */
  index: number;
}

export type ColorScheme = 'distinct' | 'families';

/** Families when several labels are shown and at least one label has several runs. */
export function colorScheme(runs: readonly ColorRun[]): ColorScheme {
  const counts = new Map<string, number>();
  for (const r of runs) if (r.label !== undefined) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const labelled = runs.filter((r) => r.label !== undefined).length;
  return counts.size >= 2 && labelled > counts.size ? 'families' : 'distinct';
}

/** Colour per run id. `runs` in display order. */
export function assignRunColors(runs: readonly ColorRun[], palette: SeriesPalette): Map<string, string> {
  const out = new Map<string, string>();
  if (colorScheme(runs) === 'distinct') {
    for (const r of runs) out.set(r.id, palette.color(r.index));
    return out;
  }
  // A hue per label (runs without a label: a group of their own), in order of first appearance.
  const groups = new Map<string, ColorRun[]>();
  for (const r of runs) {
    const key = r.label !== undefined ? `l:${r.label}` : `r:${r.id}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  let hue = 0;
  for (const members of groups.values()) {
    const sorted = [...members].sort((a, b) => (a.batchSize ?? Infinity) - (b.batchSize ?? Infinity) || a.index - b.index);
    sorted.forEach((r, j) => out.set(r.id, palette.familyColor(hue, j, sorted.length)));
    hue++;
  }
  return out;
}
