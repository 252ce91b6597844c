// Expansion of the grid and batch-size shorthands of experiment files into plain lists.
import type { BatchSizesSpec, GridSpec, OptimizerEntry } from './types';

export type RangeKind = 'logspace' | 'linspace' | 'oneMinusLogspace';
export const RANGE_KINDS: readonly RangeKind[] = ['logspace', 'linspace', 'oneMinusLogspace'];

/** The reference notebook's grids, used when an entry leaves a grid out. */
export const REFERENCE_GRIDS: Record<OptimizerEntry['type'], { learningRate: GridSpec; momentum?: GridSpec; decay?: GridSpec }> = {
  sgd: { learningRate: { logspace: [-5, 0.5, 100] } },
  momentum: { learningRate: { logspace: [-8, 1, 100] }, momentum: { oneMinusLogspace: [-5, 0, 20] } },
  ema: { learningRate: { logspace: [-8, 1, 100] }, decay: { oneMinusLogspace: [-5, 0, 20] } },
};

/** numpy.linspace: value_i = start + i * (stop - start) / (n - 1), the last value exactly stop. */
export function linspace(start: number, stop: number, count: number): number[] {
  if (count <= 0) return [];
  if (count === 1) return [start];
  const step = (stop - start) / (count - 1);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  out[count - 1] = stop;
  return out;
}

/** numpy.logspace: 10 ** linspace(start, stop, count). */
export function logspace(start: number, stop: number, count: number): number[] {
  return linspace(start, stop, count).map(pow10);
}

// 10 ** -5 is 9.999999999999999e-6 in V8; integer exponents go through the decimal literal,
// which is correctly rounded, so logspace(-5, ...)[0] is exactly 1e-5.
function pow10(x: number): number {
  return Number.isInteger(x) && Math.abs(x) <= 400 ? Number(`1e${x}`) : 10 ** x;
}

/** The range of a generated grid, or undefined for a number or a list. */
export function gridRange(spec: GridSpec): { kind: RangeKind; range: [number, number, number] } | undefined {
  if (typeof spec !== 'object' || Array.isArray(spec)) return undefined;
  for (const kind of RANGE_KINDS) {
    const range = (spec as Partial<Record<RangeKind, [number, number, number]>>)[kind];
    if (range) return { kind, range };
  }
  return undefined;
}

/** How many values a grid expands to, without expanding it. */
export function gridSize(spec: GridSpec): number {
  if (typeof spec === 'number') return 1;
  if (Array.isArray(spec)) return spec.length;
  return Math.max(0, gridRange(spec)?.range[2] ?? 0);
}

export function expandGrid(spec: GridSpec): number[] {
  if (typeof spec === 'number') return [spec];
  if (Array.isArray(spec)) return [...spec];
  const r = gridRange(spec);
  if (!r) return [];
  const [start, stop, count] = r.range;
  if (r.kind === 'linspace') return linspace(start, stop, count);
  const values = logspace(start, stop, count);
  return r.kind === 'logspace' ? values : values.map((v) => 1 - v);
}

/** Explicit list as given, or 2^from, 2^(from+step), ..., up to 2^to inclusive. */
export function expandBatchSizes(spec: BatchSizesSpec): number[] {
  if (Array.isArray(spec)) return [...spec];
  const { from, to, step = 1 } = spec.powersOf2;
  const out: number[] = [];
  if (!(step >= 1)) return out;
  for (let e = from; e <= to; e += step) out.push(2 ** e);
  return out;
}
