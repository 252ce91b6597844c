// Ready-made optimizers (each a chain of transforms that reports streamable stats) and the
// factory from an experiment-file-like spec.
//
// Every optimizer is the chain
//   grad norm -> [clip] -> [L2 weight decay] -> core -> scale by -lr(step) -> update norm -> [EMA]
// with stats (chain prefixes): grad/global_norm, update/global_norm,
// scale_by_learning_rate/learning_rate, and clip_by_global_norm/{global_norm, clipped} when clipping.
import { chain, type ChainState } from './base';
import { cosineDecay, constant, join, linear, linearScaling, piecewiseConstant } from './schedules';
import {
  addDecayedWeights,
  clipByGlobalNorm,
  emaOfParams,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  trackGlobalNorm,
  traceMomentum,
} from './transforms';
import { KFAC_SPEC_OPTIONS, kfacFromSpec, NGD_SPEC_OPTIONS, ngdFromSpec } from './curvature-factory';
import { check, checkKeys, isObject, num, OptimizerSpecError } from './spec-checks';
import type { GradientTransformation, Schedule, State } from './types';

export { OptimizerSpecError } from './spec-checks';

/** Options every ready-made optimizer takes. */
export interface CommonOptions {
  /** Clip the gradient to this global norm first. */
  clipNorm?: number;
  /**
   * L2 weight decay added to the gradient before the optimizer's own scaling (PyTorch's
   * `weight_decay` for SGD, Adam and RMSProp). adamw's decay is the decoupled one instead.
   */
  weightDecay?: number;
  /** Which parameters weight decay applies to (default all). */
  weightDecayMask?: (name: string) => boolean;
  /** Decay of the EMA of iterates to evaluate on (see emaOfParams). */
  ema?: number;
}

export type Optimizer = GradientTransformation<ChainState>;

function build(name: string, core: GradientTransformation<State>[], learningRate: number | Schedule, opts: CommonOptions): Optimizer {
  const parts: GradientTransformation<State>[] = [trackGlobalNorm('grad')];
  if (opts.clipNorm !== undefined) parts.push(clipByGlobalNorm(opts.clipNorm));
  if (opts.weightDecay) parts.push(addDecayedWeights(opts.weightDecay, { mask: opts.weightDecayMask }));
  parts.push(...core, scaleByLearningRate(learningRate), trackGlobalNorm('update'));
  if (opts.ema !== undefined) parts.push(emaOfParams(opts.ema));
  return chain(...parts, { name });
}

/** Plain SGD: x <- x - lr g. */
export function sgd(learningRate: number | Schedule, opts: CommonOptions = {}): Optimizer {
  return build('sgd', [], learningRate, opts);
}

/** Heavy-ball (or Nesterov) momentum: v <- m v + g; x <- x - lr v (Nesterov: x <- x - lr (g + m v)). */
export function momentum(learningRate: number | Schedule, m = 0.9, opts: CommonOptions & { nesterov?: boolean } = {}): Optimizer {
  return build(opts.nesterov ? 'nesterov' : 'momentum', [traceMomentum(m, { nesterov: opts.nesterov })], learningRate, opts);
}

/** Adam with bias correction. */
export function adam(learningRate: number | Schedule, b1 = 0.9, b2 = 0.999, eps = 1e-8, opts: CommonOptions = {}): Optimizer {
  return build('adam', [scaleByAdam(b1, b2, eps)], learningRate, opts);
}

/**
 * AdamW (Loshchilov & Hutter 2019): x <- x - lr (adam(g) + wd x), the decay decoupled from the
 * adaptive scaling (optax and PyTorch semantics: the decay is multiplied by lr).
 */
export function adamw(
  learningRate: number | Schedule,
  b1 = 0.9,
  b2 = 0.999,
  eps = 1e-8,
  weightDecay = 1e-4,
  opts: Omit<CommonOptions, 'weightDecay'> = {},
): Optimizer {
  return build('adamw', [scaleByAdam(b1, b2, eps), addDecayedWeights(weightDecay, { mask: opts.weightDecayMask })], learningRate, { ...opts, weightDecay: undefined });
}

/**
 * RMSProp (PyTorch form): nu <- decay nu + (1 - decay) g^2; with momentum m,
 * buf <- m buf + g / (sqrt(nu) + eps), x <- x - lr buf; without, x <- x - lr g / (sqrt(nu) + eps).
 */
export function rmsprop(
  learningRate: number | Schedule,
  decay = 0.9,
  eps = 1e-8,
  opts: CommonOptions & { momentum?: number; nesterov?: boolean } = {},
): Optimizer {
  const core: GradientTransformation<State>[] = [scaleByRms(decay, eps)];
  if (opts.momentum) core.push(traceMomentum(opts.momentum, { nesterov: opts.nesterov }));
  return build('rmsprop', core, learningRate, opts);
}

// ---- the factory --------------------------------------------------------------------------------

export type OptimizerType = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adamw' | 'rmsprop' | 'kfac' | 'ngd';

/**
 * A learning-rate schedule around the spec's learningRate: optional linear warmup, then a decay
 * (counted from the end of warmup), all optionally scaled by batchSize / baseBatchSize.
 */
export interface ScheduleSpec {
  /** Linear warmup over this many steps, from warmupInit * lr to lr. */
  warmupSteps?: number;
  /** Fraction of lr at step 0 of the warmup (default 0). */
  warmupInit?: number;
  /** After warmup: 'constant' (default), 'cosine' or 'linear' to finalFactor * lr over decaySteps, or 'piecewise'. */
  decay?: 'constant' | 'cosine' | 'linear' | 'piecewise';
  decaySteps?: number;
  /** lr at the end of a cosine or linear decay, as a fraction of lr (default 0). */
  finalFactor?: number;
  /** Piecewise constant: lr * factors[i] between boundaries (steps after warmup). */
  boundaries?: number[];
  factors?: number[];
  /** Linear scaling with batch size: lr * batchSize / baseBatchSize (batchSize from the context). */
  baseBatchSize?: number;
}

export interface OptimizerSpec {
  type: OptimizerType;
  /** Ignored here (experiment files carry it). */
  label?: string;
  learningRate: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** RMSProp's decay of the squared-gradient average. */
  decay?: number;
  /** adamw: decoupled decay; the others: L2 added to the gradient. */
  weightDecay?: number;
  clipNorm?: number;
  schedule?: ScheduleSpec;
  /** Decay of the EMA of iterates to evaluate on. */
  ema?: number;
}

/** Where an optimizer is built: the batch size (for linear scaling). */
export interface OptimizerContext {
  batchSize?: number;
}

const COMMON = ['type', 'label', 'learningRate', 'weightDecay', 'clipNorm', 'schedule', 'ema'] as const;

/** The options each optimizer type takes (for validation, diagnostics and completion). */
export const OPTIMIZER_OPTIONS: Readonly<Record<OptimizerType, readonly string[]>> = {
  sgd: [...COMMON],
  momentum: [...COMMON, 'momentum'],
  nesterov: [...COMMON, 'momentum'],
  adam: [...COMMON, 'beta1', 'beta2', 'eps'],
  adamw: [...COMMON, 'beta1', 'beta2', 'eps'],
  rmsprop: [...COMMON, 'decay', 'eps', 'momentum'],
  kfac: KFAC_SPEC_OPTIONS,
  ngd: NGD_SPEC_OPTIONS,
};

export const SCHEDULE_OPTIONS: readonly string[] = ['warmupSteps', 'warmupInit', 'decay', 'decaySteps', 'finalFactor', 'boundaries', 'factors', 'baseBatchSize'];

function numberList(spec: Record<string, unknown>, key: string, where: string): number[] | undefined {
  const v = spec[key];
  if (v === undefined) return undefined;
  const path = `schedule.${key}`;
  check(Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)), path, `${where}: ${path} must be a list of finite numbers`);
  return v as number[];
}

/** The learning-rate schedule of a spec (validated), as a function of the step. */
export function scheduleFromSpec(learningRate: number, schedule: unknown, context: OptimizerContext = {}, where = 'schedule'): Schedule {
  if (schedule === undefined) return constant(learningRate);
  check(isObject(schedule), 'schedule', `${where}: schedule must be an object`);
  const s = schedule as Record<string, unknown>;
  checkKeys(s, SCHEDULE_OPTIONS, where, 'schedule.', () => undefined);
  const warmupSteps = num(s, 'warmupSteps', where, { min: 0, integer: true }, 'schedule.') ?? 0;
  const warmupInit = num(s, 'warmupInit', where, { min: 0 }, 'schedule.') ?? 0;
  if (s.warmupInit !== undefined) check(warmupSteps > 0, 'schedule.warmupInit', `${where}: schedule.warmupInit needs schedule.warmupSteps > 0`);
  const decay = s.decay ?? 'constant';
  const decays = ['constant', 'cosine', 'linear', 'piecewise'];
  check(typeof decay === 'string' && decays.includes(decay), 'schedule.decay', `${where}: schedule.decay must be one of ${decays.join(', ')}, got ${JSON.stringify(decay)}`);
  const decaySteps = num(s, 'decaySteps', where, { min: 0, minExclusive: true, integer: true }, 'schedule.');
  const finalFactor = num(s, 'finalFactor', where, { min: 0, max: 1 }, 'schedule.');
  const boundaries = numberList(s, 'boundaries', where);
  const factors = numberList(s, 'factors', where);
  const onlyFor = (key: string, kinds: string[]) =>
    check(s[key] === undefined || kinds.includes(decay as string), `schedule.${key}`, `${where}: schedule.${key} applies only to decay ${kinds.map((k) => `"${k}"`).join(' or ')}, not "${decay}"`);
  onlyFor('decaySteps', ['cosine', 'linear']);
  onlyFor('finalFactor', ['cosine', 'linear']);
  onlyFor('boundaries', ['piecewise']);
  onlyFor('factors', ['piecewise']);

  let main: Schedule;
  try {
    if (decay === 'cosine' || decay === 'linear') {
      check(decaySteps !== undefined, 'schedule.decaySteps', `${where}: decay "${decay}" needs schedule.decaySteps`);
      const end = finalFactor ?? 0;
      main = decay === 'cosine' ? cosineDecay(learningRate, decaySteps!, end) : linear(learningRate, end * learningRate, decaySteps!);
    } else if (decay === 'piecewise') {
      check(boundaries !== undefined && factors !== undefined, 'schedule.boundaries', `${where}: decay "piecewise" needs schedule.boundaries and schedule.factors`);
      main = piecewiseConstant(boundaries!, factors!.map((f) => f * learningRate));
    } else {
      main = constant(learningRate);
    }
  } catch (err) {
    if (err instanceof OptimizerSpecError) throw err;
    throw new OptimizerSpecError(`${where}: ${(err as Error).message}`, 'schedule');
  }
  let out = warmupSteps > 0 ? join([linear(warmupInit * learningRate, learningRate, warmupSteps), main], [warmupSteps]) : main;
  const baseBatchSize = num(s, 'baseBatchSize', where, { min: 0, minExclusive: true }, 'schedule.');
  if (baseBatchSize !== undefined) {
    const b = context.batchSize;
    check(b !== undefined && Number.isFinite(b) && b > 0, 'schedule.baseBatchSize', `${where}: schedule.baseBatchSize (linear scaling) needs the run's batch size`);
    out = linearScaling(out, b!, baseBatchSize);
  }
  return out;
}

/**
 * Builds an optimizer from an experiment-file-like spec (see OptimizerSpec). Unknown options, options
 * of another optimizer type and out-of-range values are OptimizerSpecErrors naming the option.
 */
export function makeOptimizer(spec: unknown, context: OptimizerContext = {}): Optimizer {
  check(isObject(spec), '', 'optimizer spec must be an object');
  const s = spec as Record<string, unknown>;
  const types = Object.keys(OPTIMIZER_OPTIONS) as OptimizerType[];
  check(s.type !== undefined, 'type', `optimizer spec needs a type (one of ${types.join(', ')})`);
  check(typeof s.type === 'string' && types.includes(s.type as OptimizerType), 'type', `unknown optimizer type ${JSON.stringify(s.type)} (one of ${types.join(', ')})`);
  const type = s.type as OptimizerType;
  const where = `optimizer "${type}"`;
  const allowed = OPTIMIZER_OPTIONS[type];
  checkKeys(s, allowed, where, '', (key) => {
    const takers = types.filter((t) => OPTIMIZER_OPTIONS[t].includes(key));
    return takers.length ? `it is an option of ${takers.join(', ')}, not ${type}` : undefined;
  });
  check(s.label === undefined || typeof s.label === 'string', 'label', `${where}: label must be a string`);
  if (type === 'kfac') {
    // K-FAC's learning rate is optional: without one, the step size comes from its quadratic model.
    check(s.schedule === undefined || s.learningRate !== undefined, 'schedule', `${where}: schedule needs a learningRate (the fixed-step mode)`);
    const lr = s.learningRate === undefined ? undefined : scheduleFromSpec(num(s, 'learningRate', where, { min: 0, minExclusive: true })!, s.schedule, context, where);
    return kfacFromSpec(s, lr) as Optimizer;
  }
  check(s.learningRate !== undefined, 'learningRate', `${where}: learningRate is required`);
  const lr = num(s, 'learningRate', where, { min: 0, minExclusive: true })!;
  const m = num(s, 'momentum', where, { min: 0, max: 1, maxExclusive: true });
  const b1 = num(s, 'beta1', where, { min: 0, max: 1, maxExclusive: true });
  const b2 = num(s, 'beta2', where, { min: 0, max: 1, maxExclusive: true });
  const eps = num(s, 'eps', where, { min: 0 });
  const decay = num(s, 'decay', where, { min: 0, max: 1, maxExclusive: true });
  const weightDecay = num(s, 'weightDecay', where, { min: 0 });
  const clipNorm = num(s, 'clipNorm', where, { min: 0, minExclusive: true });
  const ema = num(s, 'ema', where, { min: 0, max: 1, maxExclusive: true });
  const schedule = scheduleFromSpec(lr, s.schedule, context, where);
  if (type === 'ngd') return ngdFromSpec(s, schedule) as Optimizer;
  const common: CommonOptions = { clipNorm, ema };
  switch (type) {
    case 'sgd':
      return sgd(schedule, { ...common, weightDecay });
    case 'momentum':
    case 'nesterov':
      return momentum(schedule, m ?? 0.9, { ...common, weightDecay, nesterov: type === 'nesterov' });
    case 'adam':
      return adam(schedule, b1 ?? 0.9, b2 ?? 0.999, eps ?? 1e-8, { ...common, weightDecay });
    case 'adamw':
      return adamw(schedule, b1 ?? 0.9, b2 ?? 0.999, eps ?? 1e-8, weightDecay ?? 1e-4, common);
    case 'rmsprop':
      return rmsprop(schedule, decay ?? 0.9, eps ?? 1e-8, { ...common, weightDecay, momentum: m });
  }
}
