// Public types of the noisy quadratic model (science-spec section 1).

/** How the model is built: spectrum, noise, initial state and target. */
export interface NqmSpec {
  /** Number of dimensions d (reference: 10^4). */
  dim: number;
  /** Spectrum exponent a: h_i = i^-a (reference: 1). */
  exponent: number;
  /** Geometric bins of the reference notebook (100), or 0 for the unbinned model. */
  bins: number;
  /** Per-example gradient noise c_i = scale * h_i^power (reference: power 1, scale 1, i.e. C = H). */
  noise: { power: number; scale: number };
  /** Initial variance E[theta_i^2](0) (reference: 1). */
  initVariance: number;
  /** Target expected loss (reference: 0.01). */
  target: number;
}

/** The built model: one entry per (possibly binned) dimension, with its multiplicity. */
export interface NqmProblem {
  spec: NqmSpec;
  /** Curvature of each coordinate (bin edge when binned). */
  h: Float64Array;
  /** Per-example noise variance of each coordinate. */
  c: Float64Array;
  /** Multiplicity of each coordinate: bin counts, or all ones when unbinned. Sums to dim. */
  weight: Float64Array;
  /** Initial second moment s_i(0) of each coordinate. */
  s0: Float64Array;
}

/** A learning-rate schedule piece: `steps` steps at learning rate `lr`. */
export interface SchedulePiece {
  steps: number;
  lr: number;
}

/** The optimizers whose expected loss is known in closed form. */
export type NqmOptimizer =
  | { kind: 'sgd'; lr: number; precondition: number }
  | { kind: 'momentum'; lr: number; momentum: number; precondition: number }
  | { kind: 'ema'; lr: number; decay: number; precondition: number }
  /** SGD with a piecewise-constant schedule; past the last piece the last lr continues. */
  | { kind: 'pwc'; pieces: SchedulePiece[]; precondition: number };

export type NqmFamily = 'sgd' | 'momentum' | 'ema';

/** Hyperparameter grids searched per batch size (science-spec 1.3). */
export interface NqmGrid {
  learningRates: number[];
  /** Momentum values (momentum family only). */
  momenta?: number[];
  /** EMA decays (ema family only). */
  decays?: number[];
}

/** Best steps-to-target at one batch size. steps is null when no grid point reaches the target. */
export interface NqmBatchResult {
  batchSize: number;
  steps: number | null;
  learningRate: number | null;
  momentum?: number | null;
  decay?: number | null;
  /** Grid points evaluated and how many reached the target. */
  evaluated: number;
  reached: number;
  /** Grid points whose expected loss grows without bound (all of them: the run diverged). */
  diverged: number;
}
