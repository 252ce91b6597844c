// Experiment-file specs of the curvature optimizers: K-FAC/KFC (type "kfac", optim/kfac) and
// natural gradient (type "ngd", optim/natural-gradient), built from options the registry has
// validated (optim/registry/kfac.ts, ngd.ts); the cross-option checks are OptimizerSpecErrors
// naming the option.
import { kfac, type KfacOptions } from './kfac';
import { naturalGradient, type NaturalGradientOptions } from './natural-gradient';
import { chain, named } from './base';
import { check, OptimizerSpecError } from './spec-checks';
import { trackGlobalNorm } from './transforms';
import type { GradientTransformation, Schedule, State } from './types';

/**
 * The curvature optimizer between the gradient- and update-norm trackers every ready-made
 * optimizer has, its own stats under `name/` (kfac/damping, ngd/residual, ...).
 */
function withNorms(name: string, core: GradientTransformation<State>): GradientTransformation<State> {
  return chain(trackGlobalNorm('grad'), named(name, core), trackGlobalNorm('update'), { name }) as GradientTransformation<State>;
}

/** K-FAC's options as the registry validated them (optim/registry/kfac.ts), defaults filled in. */
export type KfacSpecValues = Omit<Partial<KfacOptions>, 'learningRate'>;

/**
 * K-FAC from validated options (optim/registry/kfac.ts). Without learningRate it runs in the
 * adaptive mode (step size and momentum from the exact quadratic model); with it, in the fixed mode
 * (learningRate/schedule and momentum). `given` is the spec as written: the checks that depend on
 * what the user wrote look there, not at the filled-in defaults.
 */
export function kfacFromSpec(values: KfacSpecValues, learningRate: Schedule | undefined, given: Readonly<Record<string, unknown>>): GradientTransformation<State> {
  const where = 'optimizer "kfac"';
  const fixedOnly = (key: string) => check(given[key] === undefined || learningRate !== undefined, key, `${where}: ${key} applies only with a learningRate (the fixed-step mode); the adaptive mode chooses the step itself`);
  fixedOnly('momentum');
  fixedOnly('klClip');
  // kfac-jax and tf-kfac make the fixed mode's damping an explicit choice: a silent 150 that never
  // adapts would decide the result without the user seeing it.
  check(learningRate === undefined || given.damping !== undefined, 'damping', `${where}: with a learningRate (the fixed-step mode) give the damping explicitly, e.g. "damping": [1, 10, 100]; add "adaptDamping": true to adapt it by Levenberg-Marquardt from there`);
  const { minDamping, maxDamping } = values;
  if (given.minDamping !== undefined && given.maxDamping !== undefined) check(minDamping! <= maxDamping!, 'minDamping', `${where}: minDamping ${minDamping} exceeds maxDamping ${maxDamping}`);
  return withNorms('kfac', specError(where, () => kfac(withoutUndefined({ ...values, learningRate })) as GradientTransformation<State>));
}

/** Natural gradient (exact in output space, or conjugate gradient) from validated options (optim/registry/ngd.ts). */
export function ngdFromSpec(values: Omit<NaturalGradientOptions, 'learningRate'>, learningRate: Schedule, given: Readonly<Record<string, unknown>>): GradientTransformation<State> {
  const where = 'optimizer "ngd"';
  for (const key of ['cgIterations', 'cgTolerance']) {
    check(given[key] === undefined || values.method === 'cg', key, `${where}: ${key} applies only to method "cg"`);
  }
  return withNorms('ngd', specError(where, () => naturalGradient(withoutUndefined({ ...values, learningRate })) as GradientTransformation<State>));
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
