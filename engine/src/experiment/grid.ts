// Expansion of the grid and batch-size shorthands of experiment files into plain lists.
import { describeRange, inRange, type NumericRange } from '../spec/range';
import { linspace, logspace } from '../util/numpy-ranges';
import type { BatchSizesSpec, GridSpec, NqmOptimizerType } from './types';

export { linspace, logspace };

export type RangeKind = 'logspace' | 'linspace' | 'oneMinusLogspace';
export const RANGE_KINDS: readonly RangeKind[] = ['logspace', 'linspace', 'oneMinusLogspace'];

/** The reference notebook's grids, used when an entry leaves a grid out. */
export const REFERENCE_GRIDS: Record<NqmOptimizerType, { learningRate: GridSpec; momentum?: GridSpec; decay?: GridSpec }> = {
  sgd: { learningRate: { logspace: [-5, 0.5, 100] } },
  momentum: { learningRate: { logspace: [-8, 1, 100] }, momentum: { oneMinusLogspace: [-5, 0, 20] } },
  ema: { learningRate: { logspace: [-8, 1, 100] }, decay: { oneMinusLogspace: [-5, 0, 20] } },
};

/** Whether a value is a well-formed grid (the schema reports the others). */
export function isGridSpec(v: unknown): v is GridSpec {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.length > 0 && v.every((x) => typeof x === 'number');
  if (typeof v !== 'object' || v === null || Object.keys(v).length !== 1) return false;
  const range = (RANGE_KINDS as readonly string[]).includes(Object.keys(v)[0]) ? Object.values(v)[0] : undefined;
  return (
    Array.isArray(range) && range.length === 3 && typeof range[0] === 'number' && typeof range[1] === 'number' &&
    Number.isInteger(range[2]) && (range[2] as number) >= 1
  );
}

/** What the values of a searched option must be, for messages ('learning rate must be > 0'). */
export interface GridRule {
  name: string;
  range: NumericRange;
  /** describeRange(range). */
  rule: string;
  ok: (v: number) => boolean;
}

function gridRule(name: string, range: NumericRange): GridRule {
  return { name, range, rule: describeRange(range), ok: (v) => inRange(v, range) };
}

const POSITIVE: NumericRange = { min: 0, minExclusive: true };
const NON_NEGATIVE: NumericRange = { min: 0 };
const FRACTION: NumericRange = { min: 0, max: 1, maxExclusive: true };

/** The rules of every searchable option, NQM and neural alike, by option name. */
export const GRID_RULES: Record<string, GridRule> = {
  learningRate: gridRule('learning rate', POSITIVE),
  momentum: gridRule('momentum', FRACTION),
  beta1: gridRule('beta1', FRACTION),
  beta2: gridRule('beta2', FRACTION),
  decay: gridRule('decay', FRACTION),
  weightDecay: gridRule('weight decay', NON_NEGATIVE),
  damping: gridRule('damping', NON_NEGATIVE),
  minDamping: gridRule('minimum damping', POSITIVE),
};

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

/** Each batch size with the JSON pointer that asks for it: a list entry, or the powersOf2 range. */
export function batchSizesWithPointers(spec: BatchSizesSpec): { value: number; pointer: string }[] {
  return expandBatchSizes(spec).map((value, i) => ({ value, pointer: Array.isArray(spec) ? `/batchSizes/${i}` : '/batchSizes/powersOf2/to' }));
}

/**
 * Problems with a grid's values (each must pass `ok`, described by `rule`): one issue per bad
 * listed value, or one per generated range, since its bad values share one cause.
 */
export function gridValueIssues(spec: GridSpec, path: string, name: string, rule: string, ok: (v: number) => boolean): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const values = expandGrid(spec);
  if (values.length === 0) issues.push({ path, message: `${name} grid expands to no values` });
  const range = gridRange(spec);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && ok(v)) continue;
    const problem = Number.isFinite(v) ? rule : 'must be finite';
    if (!range) {
      issues.push({ path: Array.isArray(spec) ? `${path}/${i}` : path, message: `${name} ${problem}, got ${v}` });
      continue;
    }
    const [a, b, n] = range.range;
    issues.push({ path, message: `${name} ${problem}, but ${range.kind}(${a}, ${b}, ${n}) gives ${v} (value ${i + 1} of ${n})` });
    break;
  }
  return issues;
}

/** How many batch sizes a (possibly invalid) batchSizes value expands to; 0 when it cannot be known. */
export function batchSizeCount(spec: unknown): number {
  if (Array.isArray(spec)) return spec.length;
  const p2 = isObject(spec) && isObject(spec.powersOf2) ? spec.powersOf2 : undefined;
  if (!p2 || typeof p2.from !== 'number' || typeof p2.to !== 'number') return 0;
  const step = p2.step === undefined ? 1 : p2.step;
  if (typeof step !== 'number' || !(step >= 1) || !Number.isFinite(p2.to - p2.from)) return 0;
  return Math.max(0, Math.floor((p2.to - p2.from) / step) + 1);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
