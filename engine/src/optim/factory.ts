// Optimizers from experiment-file-like specs ({ type: 'adam', learningRate: 1e-3, ... }). What each
// type takes, its ranges and defaults come from the registry (optim/registry): the checks here are
// generic, the descriptor's builder composes the transforms. Unknown options, options of another
// type and out-of-range values are OptimizerSpecErrors naming the option.
import type { Optimizer } from './optimizers';
import { DESCRIPTORS, OPTIMIZER_TYPES, isOptimizerType, optimizerDescriptor, specKeys, type OptimizerType, type OptionDescriptor } from './registry';
import * as toolkit from './registry/toolkit';
import { cosineDecay, constant, join, linear, linearScaling, piecewiseConstant } from './schedules';
import { bool, check, checkKeys, isObject, num, oneOf, OptimizerSpecError } from './spec-checks';
import type { Schedule } from './types';

export { OptimizerSpecError } from './spec-checks';
export type { OptimizerType } from './registry';

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

/** A spec as makeOptimizer takes it; which options each type takes is in the registry. */
export interface OptimizerSpec {
  type: OptimizerType;
  /** Ignored here (experiment files carry it). */
  label?: string;
  learningRate?: number;
  schedule?: ScheduleSpec;
  [option: string]: unknown;
}

/** Where an optimizer is built: the batch size (for linear scaling). */
export interface OptimizerContext {
  batchSize?: number;
}

/** The options each optimizer type takes (for validation, diagnostics and completion). */
export const OPTIMIZER_OPTIONS = Object.fromEntries(DESCRIPTORS.map((d) => [d.type, specKeys(d)])) as unknown as Readonly<Record<OptimizerType, readonly string[]>>;

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

/** One option of a spec, checked against its descriptor (undefined when absent). */
function optionValue(s: Record<string, unknown>, key: string, o: OptionDescriptor, where: string): unknown {
  switch (o.kind) {
    case 'number':
    case 'integer':
      return num(s, key, where, { min: o.min, max: o.max, minExclusive: o.minExclusive, maxExclusive: o.maxExclusive, integer: o.kind === 'integer' });
    case 'boolean':
      return bool(s, key, where);
    case 'enum':
      return oneOf(s, key, where, o.values ?? []);
    case 'schedule':
      return undefined; // built around the learning rate below
  }
}

/**
 * Builds an optimizer from an experiment-file-like spec (see OptimizerSpec). Unknown options, options
 * of another optimizer type and out-of-range values are OptimizerSpecErrors naming the option.
 */
export function makeOptimizer(spec: unknown, context: OptimizerContext = {}): Optimizer {
  check(isObject(spec), '', 'optimizer spec must be an object');
  const s = spec as Record<string, unknown>;
  const types = OPTIMIZER_TYPES;
  check(s.type !== undefined, 'type', `optimizer spec needs a type (one of ${types.join(', ')})`);
  check(isOptimizerType(s.type), 'type', `unknown optimizer type ${JSON.stringify(s.type)} (one of ${types.join(', ')})`);
  const type = s.type as OptimizerType;
  const d = optimizerDescriptor(type);
  const where = `optimizer "${type}"`;
  checkKeys(s, OPTIMIZER_OPTIONS[type], where, '', (key) => {
    const takers = types.filter((t) => OPTIMIZER_OPTIONS[t].includes(key));
    return takers.length ? `it is an option of ${takers.join(', ')}, not ${type}` : undefined;
  });
  check(s.label === undefined || typeof s.label === 'string', 'label', `${where}: label must be a string`);
  if (d.learningRate === 'optional') {
    // Without a learning rate the optimizer chooses its own step (K-FAC's adaptive mode).
    check(s.schedule === undefined || s.learningRate !== undefined, 'schedule', `${where}: schedule needs a learningRate (the fixed-step mode)`);
  } else {
    check(s.learningRate !== undefined, 'learningRate', `${where}: learningRate is required`);
  }
  // Absent options get the descriptor's default: what the schema states is what is applied.
  const values: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(d.options)) values[key] = optionValue(s, key, o, where) ?? o.default;
  const lr = values.learningRate as number | undefined;
  const learningRate = lr === undefined ? undefined : scheduleFromSpec(lr, s.schedule, context, where);
  return d.build(values as never, { learningRate, raw: s, where }, toolkit) as Optimizer;
}
