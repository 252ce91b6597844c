// Learning-rate schedules: pure functions of the step count (0 for the first update).
import type { Schedule } from './types';

function check(cond: boolean, message: string): void {
  if (!cond) throw new RangeError(`schedule: ${message}`);
}

const finite = (x: number) => typeof x === 'number' && Number.isFinite(x);
const steps = (x: number) => Number.isInteger(x) && x >= 0;

/** The same value at every step. */
export function constant(value: number): Schedule {
  check(finite(value), `constant value must be a finite number, got ${value}`);
  return () => value;
}

/**
 * Linear interpolation from `init` (step 0) to `end` (step `transitionSteps` and after), like
 * optax.linear_schedule. transitionSteps = 0 gives `end` throughout.
 */
export function linear(init: number, end: number, transitionSteps: number): Schedule {
  check(finite(init) && finite(end), `linear schedule values must be finite, got ${init} and ${end}`);
  check(steps(transitionSteps), `transition steps must be an integer >= 0, got ${transitionSteps}`);
  if (transitionSteps === 0) return () => end;
  return (step) => {
    const t = Math.min(Math.max(step, 0), transitionSteps) / transitionSteps;
    return init + (end - init) * t;
  };
}

/** Linear warmup from `init` to `peak` over `warmupSteps` steps, then `peak`. */
export function linearWarmup(peak: number, warmupSteps: number, init = 0): Schedule {
  return linear(init, peak, warmupSteps);
}

/**
 * Cosine decay from `init` to `alpha * init` over `decaySteps` steps, then constant (optax.cosine_decay_schedule):
 * init * ((1 - alpha) * (1 + cos(pi * min(step, T) / T)) / 2 + alpha).
 */
export function cosineDecay(init: number, decaySteps: number, alpha = 0): Schedule {
  check(finite(init), `cosine decay init must be finite, got ${init}`);
  check(Number.isInteger(decaySteps) && decaySteps > 0, `cosine decay steps must be an integer > 0, got ${decaySteps}`);
  check(finite(alpha) && alpha >= 0 && alpha <= 1, `cosine decay alpha must be in [0, 1], got ${alpha}`);
  return (step) => {
    const t = Math.min(Math.max(step, 0), decaySteps) / decaySteps;
    return init * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * t)) + alpha);
  };
}

/**
 * values[0] before boundaries[0], values[i] for boundaries[i-1] <= step < boundaries[i], the last
 * value from the last boundary on. Boundaries strictly increasing, values one more than boundaries.
 */
export function piecewiseConstant(boundaries: number[], values: number[]): Schedule {
  check(values.length === boundaries.length + 1, `piecewise constant needs one more value than boundaries, got ${values.length} values and ${boundaries.length} boundaries`);
  check(values.every(finite), 'piecewise constant values must be finite');
  boundaries.forEach((b, i) => {
    check(steps(b), `boundary ${i} must be an integer >= 0, got ${b}`);
    if (i > 0) check(b > boundaries[i - 1], `boundaries must be strictly increasing, got ${boundaries[i - 1]} then ${b}`);
  });
  const bs = [...boundaries];
  const vs = [...values];
  return (step) => {
    let i = 0;
    while (i < bs.length && step >= bs[i]) i++;
    return vs[i];
  };
}

/** Linear scaling with batch size (Goyal et al. 2017): base(step) * batchSize / baseBatchSize. */
export function linearScaling(base: number | Schedule, batchSize: number, baseBatchSize: number): Schedule {
  check(finite(batchSize) && batchSize > 0, `batch size must be > 0, got ${batchSize}`);
  check(finite(baseBatchSize) && baseBatchSize > 0, `base batch size must be > 0, got ${baseBatchSize}`);
  const s = typeof base === 'number' ? constant(base) : base;
  const factor = batchSize / baseBatchSize;
  return (step) => s(step) * factor;
}

/**
 * Runs schedules one after another (optax.join_schedules): schedules[0] before boundaries[0],
 * then schedules[i] evaluated at (step - boundaries[i-1]), i.e. each restarts its own count.
 */
export function join(schedules: Schedule[], boundaries: number[]): Schedule {
  check(schedules.length === boundaries.length + 1, `join needs one more schedule than boundaries, got ${schedules.length} and ${boundaries.length}`);
  boundaries.forEach((b, i) => {
    check(steps(b), `join boundary ${i} must be an integer >= 0, got ${b}`);
    if (i > 0) check(b > boundaries[i - 1], `join boundaries must be strictly increasing, got ${boundaries[i - 1]} then ${b}`);
  });
  const bs = [...boundaries];
  const ss = [...schedules];
  return (step) => {
    let i = 0;
    while (i < bs.length && step >= bs[i]) i++;
    return ss[i](i === 0 ? step : step - bs[i - 1]);
  };
}

/**
 * Linear warmup from `init` to `peak` over `warmupSteps`, then cosine decay to `end` at
 * `totalSteps` (counted from step 0, warmup included, as optax.warmup_cosine_decay_schedule).
 */
export function warmupCosineDecay(opts: { peak: number; warmupSteps: number; totalSteps: number; init?: number; end?: number }): Schedule {
  const { peak, warmupSteps, totalSteps, init = 0, end = 0 } = opts;
  check(steps(warmupSteps), `warmup steps must be an integer >= 0, got ${warmupSteps}`);
  check(Number.isInteger(totalSteps) && totalSteps > warmupSteps, `total steps (${totalSteps}) must be an integer > warmup steps (${warmupSteps})`);
  check(finite(peak) && peak !== 0, `peak must be finite and non-zero, got ${peak}`);
  const decay = cosineDecay(peak, totalSteps - warmupSteps, end / peak);
  if (warmupSteps === 0) return decay;
  return join([linear(init, peak, warmupSteps), decay], [warmupSteps]);
}

/** Multiplies a schedule by a constant. */
export function scaled(s: Schedule, factor: number): Schedule {
  check(finite(factor), `scale factor must be finite, got ${factor}`);
  return (step) => s(step) * factor;
}
