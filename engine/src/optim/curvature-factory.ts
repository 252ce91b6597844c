// Experiment-file specs of the curvature optimizers: K-FAC/KFC (type "kfac", optim/kfac) and
// natural gradient (type "ngd", optim/natural-gradient). Same conventions as makeOptimizer:
// unknown or misplaced options and out-of-range values are OptimizerSpecErrors naming the option.
import { kfac } from './kfac';
import { naturalGradient } from './natural-gradient';
import { chain, named } from './base';
import { bool, check, num, oneOf, OptimizerSpecError } from './spec-checks';
import { trackGlobalNorm } from './transforms';
import type { GradientTransformation, Schedule, State } from './types';

/**
 * The curvature optimizer between the gradient- and update-norm trackers every ready-made
 * optimizer has, its own stats under `name/` (kfac/damping, ngd/residual, ...).
 */
function withNorms(name: string, core: GradientTransformation<State>): GradientTransformation<State> {
  return chain(trackGlobalNorm('grad'), named(name, core), trackGlobalNorm('update'), { name }) as GradientTransformation<State>;
}

export const KFAC_SPEC_OPTIONS = [
  'type', 'label', 'learningRate', 'schedule', 'momentum', 'damping', 'l2', 'emaDecay', 'burnIn', 'inverseEvery', 'adaptEvery',
  'dampingDecay', 'minDamping', 'maxDamping', 'adaptDamping', 'statsFraction', 'quadModelFraction', 'subsetMinRows', 'exactInverses', 'klClip', 'asyncInverses', 'inverseLag', 'timing',
] as const;

export const NGD_SPEC_OPTIONS = ['type', 'label', 'learningRate', 'schedule', 'damping', 'method', 'cgIterations', 'cgTolerance'] as const;

const positive = { min: 0, minExclusive: true };
const unit = { min: 0, max: 1, maxExclusive: true };
const count = { min: 1, integer: true };

/**
 * K-FAC from a spec. Without learningRate it runs in the adaptive mode (step size and momentum from
 * the exact quadratic model); with it, in the fixed mode (learningRate/schedule and momentum).
 */
export function kfacFromSpec(s: Record<string, unknown>, learningRate: Schedule | undefined): GradientTransformation<State> {
  const where = 'optimizer "kfac"';
  const fixedOnly = (key: string) => check(s[key] === undefined || learningRate !== undefined, key, `${where}: ${key} applies only with a learningRate (the fixed-step mode); the adaptive mode chooses the step itself`);
  fixedOnly('momentum');
  fixedOnly('klClip');
  const minDamping = num(s, 'minDamping', where, positive);
  const maxDamping = num(s, 'maxDamping', where, positive);
  if (minDamping !== undefined && maxDamping !== undefined) check(minDamping <= maxDamping, 'minDamping', `${where}: minDamping ${minDamping} exceeds maxDamping ${maxDamping}`);
  const options = {
    learningRate,
    momentum: num(s, 'momentum', where, unit),
    damping: num(s, 'damping', where, positive),
    l2: num(s, 'l2', where, { min: 0 }),
    emaDecay: num(s, 'emaDecay', where, unit),
    burnIn: num(s, 'burnIn', where, { min: 0, integer: true }),
    inverseEvery: num(s, 'inverseEvery', where, count),
    adaptEvery: num(s, 'adaptEvery', where, count),
    dampingDecay: num(s, 'dampingDecay', where, { min: 0, max: 1, minExclusive: true, maxExclusive: true }),
    minDamping,
    maxDamping,
    statsFraction: num(s, 'statsFraction', where, { min: 0, max: 1, minExclusive: true }),
    exactInverses: bool(s, 'exactInverses', where),
    klClip: num(s, 'klClip', where, positive),
    asyncInverses: bool(s, 'asyncInverses', where),
    inverseLag: num(s, 'inverseLag', where, count),
    adaptDamping: bool(s, 'adaptDamping', where),
    quadModelFraction: num(s, 'quadModelFraction', where, { min: 0, max: 1, minExclusive: true }),
    timing: bool(s, 'timing', where),
    subsetMinRows: num(s, 'subsetMinRows', where, count),
  };
  return withNorms('kfac', specError(where, () => kfac(withoutUndefined(options)) as GradientTransformation<State>));
}

/** Natural gradient (exact in output space, or conjugate gradient) from a spec. */
export function ngdFromSpec(s: Record<string, unknown>, learningRate: Schedule): GradientTransformation<State> {
  const where = 'optimizer "ngd"';
  const method = oneOf(s, 'method', where, ['exact', 'cg'] as const);
  for (const key of ['cgIterations', 'cgTolerance']) {
    check(s[key] === undefined || method === 'cg', key, `${where}: ${key} applies only to method "cg"`);
  }
  const options = {
    learningRate,
    damping: num(s, 'damping', where, { min: 0 }),
    method,
    cgIterations: num(s, 'cgIterations', where, count),
    cgTolerance: num(s, 'cgTolerance', where, positive),
  };
  return withNorms('ngd', specError(where, () => naturalGradient(withoutUndefined(options)) as GradientTransformation<State>));
}

/**
 * The transforms' own cross-option checks throw RangeErrors worded "<name>: <option> must ...";
 * as spec errors they name the option.
 */
function specError<T>(where: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    // "kfac: ..." or "natural gradient: ...": the transform's name, then the option.
    const message = err.message.replace(/^[a-z_ ]+: /, '');
    const option = /^([A-Za-z]+)\b/.exec(message)?.[1] ?? '';
    throw new OptimizerSpecError(`${where}: ${message}`, option);
  }
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
