// Monte-Carlo simulator of the NQM: samples theta_0 and the noisy gradients of independent runs
// and applies the optimizer updates as written in science-spec 1, to validate the expected-loss
// models (recurrence, closed forms) independently of their algebra.
import { Rng } from '../util/random.js';
import { preconditioner } from './model.js';
import { checkArgs, learningRateAt } from './recurrence.js';
import type { NqmOptimizer, NqmProblem } from './types.js';

export interface MonteCarloOptions {
  /** Number of independent runs. */
  seeds: number;
  steps: number;
  /** Steps (0..steps) at which the loss is recorded; default every step. */
  logSteps?: number[];
  seed: number;
}

export interface MonteCarloResult {
  /** Logged steps, ascending and unique. */
  steps: number[];
  /** Mean loss over runs at each logged step. */
  meanLoss: Float64Array;
  /** Standard error of that mean (sample standard deviation / sqrt(seeds)). */
  stdErr: Float64Array;
}

/**
 * Mean and standard error over `seeds` runs of L = 1/2 sum_i weight_i h_i theta_i^2 (theta-bar
 * for EMA) at the logged steps. A binned coordinate is simulated once and its loss term weighted
 * by its multiplicity: the expected loss equals that of `weight` copies (only the spread differs).
 */
export function simulateNqm(
  problem: NqmProblem,
  opt: NqmOptimizer,
  batchSize: number,
  options: MonteCarloOptions,
): MonteCarloResult {
  const { seeds, steps } = options;
  checkArgs(problem, batchSize, steps);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`seeds must be a positive integer, got ${seeds}`);
  const logged = loggedSteps(options.logSteps, steps);
  const { h, c, weight, s0 } = problem;
  const d = h.length;
  const prec = preconditioner(h, opt.precondition);
  const m = opt.kind === 'momentum' ? opt.momentum : 0;
  const g = opt.kind === 'ema' ? opt.decay : 0;
  const wh = new Float64Array(d);
  const sigma = new Float64Array(d);
  const initStd = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    wh[i] = 0.5 * weight[i] * h[i];
    sigma[i] = Math.sqrt(c[i] / batchSize);
    initStd[i] = Math.sqrt(s0[i]);
  }
  // The step theta - lr prec (h theta + sigma z) is applied as theta - a theta - b z with
  // a = lr prec h, b = lr prec sigma (one array load fewer in the hot loop); rebuilt only when
  // a pwc schedule changes lr.
  const a = new Float64Array(d);
  const b = new Float64Array(d);
  let currentLr = NaN;
  const setLr = (lr: number): void => {
    if (lr === currentLr) return;
    currentLr = lr;
    for (let i = 0; i < d; i++) {
      a[i] = lr * prec[i] * h[i];
      b[i] = lr * prec[i] * sigma[i];
    }
  };
  const theta = new Float64Array(d);
  const aux = new Float64Array(d); // velocity (momentum) or averaged iterate (EMA)
  const z = new Float64Array(d);
  // Welford accumulators over runs, one per logged step.
  const meanLoss = new Float64Array(logged.length);
  const m2 = new Float64Array(logged.length);

  for (let run = 0; run < seeds; run++) {
    // One stream per run: results do not depend on the order in which runs are done.
    const rng = new Rng(options.seed, run);
    rng.fillNormal(z);
    for (let i = 0; i < d; i++) {
      theta[i] = initStd[i] * z[i];
      aux[i] = opt.kind === 'ema' ? theta[i] : 0;
    }
    const tracked = opt.kind === 'ema' ? aux : theta;
    let j = 0;
    for (let t = 0; j < logged.length; t++) {
      if (t === logged[j]) {
        let loss = 0;
        for (let i = 0; i < d; i++) loss += wh[i] * tracked[i] * tracked[i];
        const delta = loss - meanLoss[j];
        meanLoss[j] += delta / (run + 1);
        m2[j] += delta * (loss - meanLoss[j]);
        j++;
        if (j === logged.length) break;
      }
      setLr(learningRateAt(opt, t));
      rng.fillNormal(z);
      if (opt.kind === 'momentum') momentumStep(theta, aux, a, b, z, m);
      else if (opt.kind === 'ema') emaStep(theta, aux, a, b, z, g);
      else sgdStep(theta, a, b, z);
    }
  }

  const stdErr = new Float64Array(logged.length);
  for (let j = 0; j < logged.length; j++) {
    stdErr[j] = seeds > 1 ? Math.sqrt(m2[j] / (seeds - 1) / seeds) : 0;
  }
  return { steps: logged, meanLoss, stdErr };
}

// The updates, with g = h theta + sigma z, z ~ N(0, 1).
function sgdStep(theta: Float64Array, a: Float64Array, b: Float64Array, z: Float64Array): void {
  for (let i = 0; i < theta.length; i++) theta[i] -= a[i] * theta[i] + b[i] * z[i];
}

// Heavy ball, velocity form: v <- m v - lr prec g; theta <- theta + v.
function momentumStep(theta: Float64Array, v: Float64Array, a: Float64Array, b: Float64Array, z: Float64Array, m: number): void {
  for (let i = 0; i < theta.length; i++) {
    const vi = m * v[i] - a[i] * theta[i] - b[i] * z[i];
    v[i] = vi;
    theta[i] += vi;
  }
}

// SGD step, then bar <- g bar + (1 - g) theta.
function emaStep(theta: Float64Array, bar: Float64Array, a: Float64Array, b: Float64Array, z: Float64Array, g: number): void {
  for (let i = 0; i < theta.length; i++) {
    const x = theta[i] - a[i] * theta[i] - b[i] * z[i];
    theta[i] = x;
    bar[i] = g * bar[i] + (1 - g) * x;
  }
}

function loggedSteps(requested: number[] | undefined, steps: number): number[] {
  if (!requested) return Array.from({ length: steps + 1 }, (_, t) => t);
  for (const t of requested) {
    if (!Number.isInteger(t) || t < 0 || t > steps) throw new Error(`logged step ${t} is not an integer in 0..${steps}`);
  }
  return [...new Set(requested)].sort((x, y) => x - y);
}
