// K-FAC / KFC options (science-spec sections 3 and 4), their defaults and validation.
import type { Schedule } from '../types';

/**
 * Options of kfac(). Defaults follow the K-FAC paper's autoencoders and kfac-jax's MNIST
 * autoencoder example (science-spec 3.8) unless stated.
 */
export interface KfacOptions {
  /**
   * Absent (default): adaptive mode, the step size alpha and momentum mu minimise the exact
   * quadratic model M (3.4) every step. Present: fixed mode, delta = -lr * Delta + momentum * delta0.
   * A number > 0 or a schedule of the update count (0 for the first parameter update).
   */
  learningRate?: number | Schedule;
  /** Fixed mode only: momentum on the previous update, in [0, 1). Default 0.9. */
  momentum: number;
  /**
   * Initial Levenberg-Marquardt damping lambda, >= 0. Adaptive mode: default 150 (the paper's
   * autoencoders). Fixed mode (learningRate given): required, as in kfac-jax and tf-kfac, since no
   * default suits every model and, unless adaptDamping is set, it never moves.
   */
  damping: number;
  /** eta: the L2 coefficient added to the objective (h + eta/2 |theta|^2), >= 0. Default 0. */
  l2: number;
  /** Decay of the bias-corrected curvature EMA (kfac-jax WeightedMovingAverage), in [0, 1). Default 0.95. */
  emaDecay: number;
  /**
   * Curvature-only steps before the first parameter update, with a plain running mean of the
   * factors (they return zero updates). Integer >= 0. Default 10 (kfac-jax).
   */
  burnIn: number;
  /** T3: recompute the damped factor inverses every this many parameter updates. Integer >= 1. Default 20. */
  inverseEvery: number;
  /** T1: adapt lambda (Levenberg-Marquardt on rho) every this many parameter updates. Integer >= 1. Default 5. */
  adaptEvery: number;
  /** Per-step LM factor omega; every T1 steps lambda is multiplied or divided by dampingDecay^T1. In (0, 1). Default 0.95. */
  dampingDecay: number;
  /** Lower clip of lambda, >= 0. Default 1e-8. */
  minDamping: number;
  /** Upper clip of lambda, >= minDamping. Default 1e8. */
  maxDamping: number;
  /**
   * Adapt lambda with the LM rule. Default: true in adaptive mode, false in fixed mode (where it
   * costs two Jacobian-vector products and a loss evaluation every T1 updates).
   */
  adaptDamping?: boolean;
  /**
   * tau1: the factors are estimated on the first ceil(statsFraction * batch) examples of each
   * minibatch (the sampled backward pass runs on those rows only). In (0, 1]. Default 1 (the paper uses 1/8).
   */
  statsFraction: number;
  /**
   * tau2: the exact-model products J d (for alpha, mu and rho's prediction) are computed on the
   * first ceil(quadModelFraction * batch) examples of each minibatch, estimating the minibatch
   * Fisher by the subset's (H_L of the MEAN loss over the subset); the gradient terms stay on the
   * whole minibatch. In (0, 1]. Default 1 (exact, like statsFraction's default; the paper uses 1/4,
   * which cuts the quadratic model's cost ~4x).
   */
  quadModelFraction: number;
  /**
   * The statsFraction and quadModelFraction subsets never have fewer examples than this (or the
   * whole minibatch when it is smaller), so that small batches keep usable statistics. Integer >= 1,
   * default 1 (the plain fractions).
   */
  subsetMinRows: number;
  /**
   * false (default): pi-adjusted factored Tikhonov damping, (A + pi gamma I)^-1 and
   * (G + gamma/pi I)^-1 by Cholesky, gamma = sqrt(lambda + eta). true: eigendecompositions of A and
   * G and the exact (A (x) G + (lambda + eta) I)^-1 of 3.3 (uses the current lambda every step).
   */
  exactInverses: boolean;
  /**
   * Fixed mode only: KL clipping (Ba et al. 2017), Delta <- Delta * min(1, sqrt(klClip /
   * (lr^2 |grad^T Fhat^-1 grad|))). > 0; absent: no clipping.
   */
  klClip?: number;
  /**
   * Compute inverses in a worker thread (InverseService): submitted at the inverse step k, applied
   * from update k + inverseLag (deterministic: the result does not depend on timing). Default true
   * when the largest factor has at least asyncMinSize rows, false otherwise. The first inverses are
   * always synchronous.
   */
  asyncInverses?: boolean;
  /** Factor size (rows) from which asyncInverses defaults to true. Default 256. */
  asyncMinSize: number;
  /** Updates between submitting async inverses and applying them, in [1, inverseEvery]. Default ceil(inverseEvery / 2). */
  inverseLag?: number;
  /**
   * Report the main-thread time of each phase of the update as stats (ms): time_factors (factor
   * matmuls and their device read), time_ema, time_inverses, time_precondition, time_qmodel,
   * time_update, time_rho. Free (no extra device read: wasm and cpu kernels run synchronously;
   * on an asynchronous backend a phase's time lands where its result is first read). Default false.
   */
  timing: boolean;
}

export const KFAC_DEFAULTS = {
  momentum: 0.9,
  damping: 150,
  l2: 0,
  emaDecay: 0.95,
  burnIn: 10,
  inverseEvery: 20,
  adaptEvery: 5,
  dampingDecay: 0.95,
  minDamping: 1e-8,
  maxDamping: 1e8,
  statsFraction: 1,
  quadModelFraction: 1,
  subsetMinRows: 1,
  exactInverses: false,
  asyncMinSize: 256,
  timing: false,
} as const;

/** The options with every default filled in. */
export type ResolvedKfacOptions = KfacOptions & { adaptDamping: boolean; inverseLag: number };

function check(cond: boolean, message: string): void {
  if (!cond) throw new RangeError(`kfac: ${message}`);
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const nonNegInt = (x: unknown): x is number => finite(x) && Number.isInteger(x) && x >= 0;

/** Fills in the defaults and validates every option (RangeError naming the option). */
export function resolveKfacOptions(options: Partial<KfacOptions> = {}): ResolvedKfacOptions {
  const o = { ...KFAC_DEFAULTS, ...options } as KfacOptions;
  const lr = o.learningRate;
  check(lr === undefined || options.damping !== undefined, 'damping must be given with a learningRate (the fixed-step mode has no default damping; add adaptDamping: true to adapt it from there)');
  check(lr === undefined || typeof lr === 'function' || (finite(lr) && lr > 0), `learningRate must be > 0 or a schedule, got ${String(lr)}`);
  check(finite(o.momentum) && o.momentum >= 0 && o.momentum < 1, `momentum must be in [0, 1), got ${o.momentum}`);
  check(finite(o.damping) && o.damping >= 0, `damping must be >= 0, got ${o.damping}`);
  check(finite(o.l2) && o.l2 >= 0, `l2 must be >= 0, got ${o.l2}`);
  check(finite(o.emaDecay) && o.emaDecay >= 0 && o.emaDecay < 1, `emaDecay must be in [0, 1), got ${o.emaDecay}`);
  check(nonNegInt(o.burnIn), `burnIn must be an integer >= 0, got ${o.burnIn}`);
  check(nonNegInt(o.inverseEvery) && o.inverseEvery >= 1, `inverseEvery must be an integer >= 1, got ${o.inverseEvery}`);
  check(nonNegInt(o.adaptEvery) && o.adaptEvery >= 1, `adaptEvery must be an integer >= 1, got ${o.adaptEvery}`);
  check(finite(o.dampingDecay) && o.dampingDecay > 0 && o.dampingDecay < 1, `dampingDecay must be in (0, 1), got ${o.dampingDecay}`);
  check(finite(o.minDamping) && o.minDamping >= 0, `minDamping must be >= 0, got ${o.minDamping}`);
  check(finite(o.maxDamping) && o.maxDamping >= o.minDamping, `maxDamping must be >= minDamping, got ${o.maxDamping}`);
  check(finite(o.statsFraction) && o.statsFraction > 0 && o.statsFraction <= 1, `statsFraction must be in (0, 1], got ${o.statsFraction}`);
  check(finite(o.quadModelFraction) && o.quadModelFraction > 0 && o.quadModelFraction <= 1, `quadModelFraction must be in (0, 1], got ${o.quadModelFraction}`);
  check(typeof o.exactInverses === 'boolean', `exactInverses must be a boolean`);
  check(typeof o.timing === 'boolean', `timing must be a boolean`);
  check(nonNegInt(o.subsetMinRows) && o.subsetMinRows >= 1, `subsetMinRows must be an integer >= 1, got ${o.subsetMinRows}`);
  check(o.klClip === undefined || (finite(o.klClip) && o.klClip > 0), `klClip must be > 0, got ${o.klClip}`);
  check(o.klClip === undefined || lr !== undefined, 'klClip applies to the fixed-learning-rate mode only (give learningRate)');
  check(nonNegInt(o.asyncMinSize), `asyncMinSize must be an integer >= 0, got ${o.asyncMinSize}`);
  const inverseLag = o.inverseLag ?? Math.ceil(o.inverseEvery / 2);
  check(nonNegInt(inverseLag) && inverseLag >= 1 && inverseLag <= o.inverseEvery, `inverseLag must be an integer in [1, inverseEvery], got ${inverseLag}`);
  const adaptDamping = o.adaptDamping ?? lr === undefined;
  return { ...o, adaptDamping, inverseLag };
}
