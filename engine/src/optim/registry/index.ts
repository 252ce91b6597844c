// The optimizer registry: one line per optimizer type (its descriptor lives in its own file).
// Adding an optimizer = one descriptor file + one line here; the factory, the experiment-file
// tables, the NQM prediction and the JSON Schema (npm run gen:schema) follow from the list.
import { adam, adamw } from './adam';
import type { NqmFamilyDescriptor, OptimizerDescriptor, OptionDescriptor } from './descriptor';
import { kfac } from './kfac';
import { momentum, nesterov } from './momentum';
import { ngd } from './ngd';
import { rmsprop } from './rmsprop';
import { sgd } from './sgd';

export const OPTIMIZERS = [
  sgd,
  momentum,
  nesterov,
  adam,
  adamw,
  rmsprop,
  kfac,
  ngd,
] as const;

type Registered = (typeof OPTIMIZERS)[number];
/** The optimizer types of specs and experiment files: 'sgd' | 'momentum' | ... */
export type OptimizerType = Registered['type'];
/** The descriptor of one type, with its precise option keys. */
export type DescriptorOf<T extends OptimizerType> = Extract<Registered, { type: T }>;
/** The option keys (besides type and label) one type takes. */
export type OptionName<T extends OptimizerType> = keyof DescriptorOf<T>['options'] & string;

export type { BuildContext, NeedName, NqmFamilyDescriptor, OptionDescriptor, OptionKind, OptimizerDescriptor } from './descriptor';
export { defineOptimizer } from './descriptor';
export { ADAPTIVE_PRECONDITION } from './adam';
export { CURVATURE_PRECONDITION } from './kfac';

/** The registry seen generically (option keys as strings), for code that walks every descriptor. */
export const DESCRIPTORS = OPTIMIZERS as unknown as readonly (OptimizerDescriptor & { type: OptimizerType })[];

const BY_TYPE = new Map<string, OptimizerDescriptor>(DESCRIPTORS.map((d) => [d.type, d]));

export const OPTIMIZER_TYPES = OPTIMIZERS.map((d) => d.type) as OptimizerType[];

export function isOptimizerType(type: unknown): type is OptimizerType {
  return typeof type === 'string' && BY_TYPE.has(type);
}

/** The descriptor of a registered type, or undefined. */
export function findOptimizer(type: string): OptimizerDescriptor | undefined {
  return BY_TYPE.get(type);
}

/** The descriptor of a type that must be registered (a programming error otherwise). */
export function optimizerDescriptor(type: string): OptimizerDescriptor {
  const d = BY_TYPE.get(type);
  if (!d) throw new RangeError(`unknown optimizer type ${JSON.stringify(type)} (registered: ${OPTIMIZER_TYPES.join(', ')})`);
  return d;
}

/** Options whose values an experiment file may search (grids), in grid-product order. */
export function gridOptions(d: Pick<OptimizerDescriptor, 'options'>): string[] {
  return Object.keys(d.options).filter((k) => d.options[k].grid);
}

/** Every key a spec of this type may hold: type, label, then the options. */
export function specKeys(d: Pick<OptimizerDescriptor, 'options'>): string[] {
  return ['type', 'label', ...Object.keys(d.options)];
}

/**
 * The NQM stand-in of an optimizer type for critical-batch predictions, with its display name
 * ("momentum", "SGD", "SGD p=0.5"). An unregistered type is an error, never a silent SGD.
 */
export function nqmFamilyOf(type: string): NqmFamilyDescriptor & { name: string } {
  const { family, precondition } = optimizerDescriptor(type).nqm;
  const name = family === 'momentum' ? 'momentum' : precondition === 0 ? 'SGD' : `SGD p=${precondition}`;
  return { family, precondition, name };
}

/** The range rule of a numeric option in words ("must be in [0, 1)", "must be > 0"), and its test. */
export function rangeRule(o: OptionDescriptor): { rule: string; ok: (v: number) => boolean } {
  const lo = o.min === undefined ? undefined : { v: o.min, open: !!o.minExclusive };
  const hi = o.max === undefined ? undefined : { v: o.max, open: !!o.maxExclusive };
  const okLo = (v: number) => !lo || (lo.open ? v > lo.v : v >= lo.v);
  const okHi = (v: number) => !hi || (hi.open ? v < hi.v : v <= hi.v);
  const ok = (v: number) => okLo(v) && okHi(v) && (o.kind !== 'integer' || Number.isInteger(v));
  let rule: string;
  if (lo && hi) rule = `must be in ${lo.open ? '(' : '['}${lo.v}, ${hi.v}${hi.open ? ')' : ']'}`;
  else if (lo) rule = `must be ${lo.open ? '>' : '>='} ${lo.v}`;
  else if (hi) rule = `must be ${hi.open ? '<' : '<='} ${hi.v}`;
  else rule = 'must be a number';
  if (o.kind === 'integer') rule = rule.replace(/^must be/, 'must be an integer');
  return { rule, ok };
}
