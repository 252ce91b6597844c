// Seeded synthetic sets. Each generator draws its model (cluster centres, subspace, teacher
// weights) from Rng(seed, params), the training examples from Rng(seed, train) and the test
// examples from Rng(seed, test): the same seed gives the same bytes, and the training set does not
// depend on testSize (nor the test set on trainSize).
import { Rng } from '../util/random.js';
import type { Dataset } from './dataset.js';
import { STREAMS, shuffleInPlace } from './shuffle.js';

export interface SizeOptions {
  trainSize: number;
  testSize: number;
  seed: number;
}

export interface Synthetic<P> {
  train: Dataset;
  test: Dataset;
  /** The generating model, for inspection and tests. */
  params: P;
}

/** The seeded generators of a synthetic set: its model, its training and its test examples. */
export const rngs = (seed: number) => ({
  params: new Rng(seed, STREAMS.params),
  train: new Rng(seed, STREAMS.train),
  test: new Rng(seed, STREAMS.test),
});

/** Class labels 0..k-1 balanced to within one example (i mod k), in a seeded random order. */
function balancedLabels(n: number, k: number, rng: Rng): Int32Array {
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = i % k;
  shuffleInPlace(y, rng);
  return y;
}

export function checkSizes(what: string, o: SizeOptions): void {
  for (const key of ['trainSize', 'testSize'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 0) throw new RangeError(`${what}: ${key} must be a non-negative integer, got ${o[key]}`);
  }
  if (!Number.isFinite(o.seed)) throw new RangeError(`${what}: seed must be a finite number, got ${o.seed}`);
}

export function positiveInt(what: string, key: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${what}: ${key} must be an integer >= ${min}, got ${v}`);
}

export function nonNegative(what: string, key: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${what}: ${key} must be a finite number >= 0, got ${v}`);
}

// ---- Gaussian clusters -------------------------------------------------------------------------

export interface ClustersOptions extends SizeOptions {
  /** Number of classes k (>= 2). */
  classes: number;
  dim: number;
  /**
   * Distance between cluster centres. With k <= dim the centres are separation / sqrt(2) times
   * k orthonormal random directions, so every pair is exactly `separation` apart; with k > dim
   * they are random Gaussian points scaled so that the closest pair is `separation` apart.
   */
  separation: number;
  /** Standard deviation of each coordinate around its centre. */
  std: number;
}

export const CLUSTERS_DEFAULTS = { classes: 10, dim: 64, separation: 3, std: 1, trainSize: 4096, testSize: 1024, seed: 0 };

/** k isotropic Gaussian clusters in `dim` dimensions, one class each, classes balanced. */
export function gaussianClusters(options: Partial<ClustersOptions> = {}): Synthetic<{ centers: Float64Array }> {
  const o = { ...CLUSTERS_DEFAULTS, ...options };
  const what = 'clusters';
  checkSizes(what, o);
  positiveInt(what, 'classes', o.classes, 2);
  positiveInt(what, 'dim', o.dim);
  nonNegative(what, 'separation', o.separation);
  nonNegative(what, 'std', o.std);
  const { classes: k, dim } = o;
  const r = rngs(o.seed);
  const centers = new Float64Array(k * dim);
  for (let i = 0; i < centers.length; i++) centers[i] = r.params.normal();
  if (k <= dim) {
    // Gram-Schmidt (twice, for orthogonality to rounding) then scale.
    for (let c = 0; c < k; c++) {
      const v = centers.subarray(c * dim, (c + 1) * dim);
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < c; p++) {
          const q = centers.subarray(p * dim, (p + 1) * dim);
          let dot = 0;
          for (let j = 0; j < dim; j++) dot += v[j] * q[j];
          for (let j = 0; j < dim; j++) v[j] -= dot * q[j];
        }
      }
      let norm = 0;
      for (let j = 0; j < dim; j++) norm += v[j] * v[j];
      norm = Math.sqrt(norm);
      for (let j = 0; j < dim; j++) v[j] /= norm;
    }
    const s = o.separation / Math.SQRT2;
    for (let i = 0; i < centers.length; i++) centers[i] *= s;
  } else {
    let minDist = Infinity;
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        let d2 = 0;
        for (let j = 0; j < dim; j++) d2 += (centers[a * dim + j] - centers[b * dim + j]) ** 2;
        minDist = Math.min(minDist, Math.sqrt(d2));
      }
    }
    const s = o.separation / minDist;
    for (let i = 0; i < centers.length; i++) centers[i] *= s;
  }
  const sample = (n: number, rng: Rng): Dataset => {
    const y = balancedLabels(n, k, rng);
    const x = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const c = y[i] * dim;
      for (let j = 0; j < dim; j++) x[i * dim + j] = centers[c + j] + o.std * rng.normal();
    }
    return { x, y, n, xShape: [dim], yShape: [], numClasses: k };
  };
  return { train: sample(o.trainSize, r.train), test: sample(o.testSize, r.test), params: { centers } };
}

// ---- spirals -----------------------------------------------------------------------------------

export interface SpiralsOptions extends SizeOptions {
  /** Number of arms = classes (2 or 3 typically; 2..8). */
  arms: number;
  /** Turns each arm makes from the centre to radius 1. */
  turns: number;
  /** Standard deviation of the Gaussian noise added to both coordinates. */
  noise: number;
}

export const SPIRALS_DEFAULTS = { arms: 2, turns: 1.5, noise: 0.05, trainSize: 1000, testSize: 500, seed: 0 };

/**
 * Interleaved spiral arms in 2-D: a point of arm a at t ~ U(0, 1) is r = t, angle
 * 2 pi (turns t + a / arms), plus N(0, noise^2) on each coordinate. Classes balanced.
 */
export function spirals(options: Partial<SpiralsOptions> = {}): Synthetic<Record<string, never>> {
  const o = { ...SPIRALS_DEFAULTS, ...options };
  const what = 'spirals';
  checkSizes(what, o);
  positiveInt(what, 'arms', o.arms, 2);
  if (o.arms > 8) throw new RangeError(`${what}: arms must be at most 8, got ${o.arms}`);
  nonNegative(what, 'turns', o.turns);
  nonNegative(what, 'noise', o.noise);
  const r = rngs(o.seed);
  const sample = (n: number, rng: Rng): Dataset => {
    const y = balancedLabels(n, o.arms, rng);
    const x = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const t = rng.next();
      const angle = 2 * Math.PI * (o.turns * t + y[i] / o.arms);
      x[2 * i] = t * Math.cos(angle) + o.noise * rng.normal();
      x[2 * i + 1] = t * Math.sin(angle) + o.noise * rng.normal();
    }
    return { x, y, n, xShape: [2], yShape: [], numClasses: o.arms };
  };
  return { train: sample(o.trainSize, r.train), test: sample(o.testSize, r.test), params: {} };
}

// ---- low-rank data -----------------------------------------------------------------------------

export interface LowRankOptions extends SizeOptions {
  dim: number;
  rank: number;
  /**
   * 'input' (autoencoders, science-spec E3): x = B z with B a fixed dim x rank matrix
   * (entries N(0, 1/rank), so each coordinate has variance about 1) and z ~ N(0, I_rank), plus
   * N(0, noise^2) per coordinate; the target is the input itself, y = x.
   * 'linear' (low-rank regression): x ~ N(0, I_dim), y = A x + N(0, noise^2) with
   * A = U V^T of rank `rank` (U outputDim x rank, entries N(0, 1/rank); V dim x rank, N(0, 1/dim)).
   */
  target: 'input' | 'linear';
  /** Output dimension for target 'linear' (default dim). */
  outputDim: number;
  noise: number;
}

export const LOW_RANK_DEFAULTS = { dim: 64, rank: 8, target: 'input' as const, noise: 0, trainSize: 2000, testSize: 0, seed: 0 };

/** Data on (or a regression through) a rank-r linear subspace. */
export function lowRank(options: Partial<LowRankOptions> = {}): Synthetic<{ basis: Float64Array | null; a: Float64Array | null }> {
  const o = { ...LOW_RANK_DEFAULTS, outputDim: options.dim ?? LOW_RANK_DEFAULTS.dim, ...options };
  const what = 'lowRank';
  checkSizes(what, o);
  positiveInt(what, 'dim', o.dim);
  positiveInt(what, 'rank', o.rank);
  positiveInt(what, 'outputDim', o.outputDim);
  nonNegative(what, 'noise', o.noise);
  if (o.target !== 'input' && o.target !== 'linear') throw new RangeError(`${what}: target must be 'input' or 'linear', got ${String(o.target)}`);
  const { dim, rank, outputDim: m } = o;
  if (rank > dim || (o.target === 'linear' && rank > m)) {
    throw new RangeError(`${what}: rank ${rank} exceeds ${o.target === 'linear' ? `min(dim, outputDim) = ${Math.min(dim, m)}` : `dim = ${dim}`}`);
  }
  const r = rngs(o.seed);
  const gaussian = (len: number, sd: number): Float64Array => {
    const a = new Float64Array(len);
    for (let i = 0; i < len; i++) a[i] = sd * r.params.normal();
    return a;
  };
  if (o.target === 'input') {
    const basis = gaussian(dim * rank, 1 / Math.sqrt(rank)); // dim x rank, row-major
    const z = new Float64Array(rank);
    const sample = (n: number, rng: Rng): Dataset => {
      const x = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) {
        for (let q = 0; q < rank; q++) z[q] = rng.normal();
        for (let j = 0; j < dim; j++) {
          let s = 0;
          for (let q = 0; q < rank; q++) s += basis[j * rank + q] * z[q];
          x[i * dim + j] = s + (o.noise > 0 ? o.noise * rng.normal() : 0);
        }
      }
      return { x, y: x.slice(), n, xShape: [dim], yShape: [dim] };
    };
    return { train: sample(o.trainSize, r.train), test: sample(o.testSize, r.test), params: { basis, a: null } };
  }
  const u = gaussian(m * rank, 1 / Math.sqrt(rank));
  const v = gaussian(dim * rank, 1 / Math.sqrt(dim));
  const a = new Float64Array(m * dim); // outputDim x dim, row-major
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let q = 0; q < rank; q++) s += u[i * rank + q] * v[j * rank + q];
      a[i * dim + j] = s;
    }
  }
  const sample = (n: number, rng: Rng): Dataset => {
    const x = new Float32Array(n * dim);
    const y = new Float32Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dim; j++) x[i * dim + j] = rng.normal();
      for (let p = 0; p < m; p++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += a[p * dim + j] * x[i * dim + j];
        y[i * m + p] = s + (o.noise > 0 ? o.noise * rng.normal() : 0);
      }
    }
    return { x, y, n, xShape: [dim], yShape: [m] };
  };
  return { train: sample(o.trainSize, r.train), test: sample(o.testSize, r.test), params: { basis: null, a } };
}

// ---- teacher network ---------------------------------------------------------------------------

export interface TeacherOptions extends SizeOptions {
  inputDim: number;
  /** Hidden layer widths of the teacher MLP. */
  hidden: number[];
  activation: 'tanh' | 'relu';
  /** 'classification': y = argmax of the teacher's outputs; 'regression': its outputs + noise. */
  task: 'classification' | 'regression';
  /** Classes (classification) or outputs (regression). */
  outputs: number;
  /** Regression only: standard deviation of the Gaussian noise on the outputs. */
  noise: number;
}

export interface TeacherParams {
  /** Layer sizes [inputDim, ...hidden, outputs]. */
  sizes: number[];
  activation: 'tanh' | 'relu';
  /** weights[l] is sizes[l+1] x sizes[l] (row-major), biases[l] has sizes[l+1] entries. */
  weights: Float64Array[];
  biases: Float64Array[];
}

export const TEACHER_DEFAULTS = {
  inputDim: 20,
  hidden: [64],
  activation: 'tanh' as const,
  task: 'classification' as const,
  outputs: 10,
  noise: 0,
  trainSize: 4000,
  testSize: 1000,
  seed: 0,
};

/** The teacher's outputs for one input (float64). */
export function teacherForward(p: TeacherParams, x: ArrayLike<number>, offset = 0): Float64Array {
  let h = Float64Array.from({ length: p.sizes[0] }, (_, j) => x[offset + j]);
  for (let l = 0; l < p.weights.length; l++) {
    const nin = p.sizes[l];
    const nout = p.sizes[l + 1];
    const out = new Float64Array(nout);
    const w = p.weights[l];
    for (let i = 0; i < nout; i++) {
      let s = p.biases[l][i];
      for (let j = 0; j < nin; j++) s += w[i * nin + j] * h[j];
      const last = l === p.weights.length - 1;
      out[i] = last ? s : p.activation === 'tanh' ? Math.tanh(s) : Math.max(0, s);
    }
    h = out;
  }
  return h;
}

/**
 * Inputs x ~ N(0, I), labelled by a random MLP (weights N(0, gain^2 / fan_in) with gain 1 for tanh
 * and sqrt 2 for relu, biases N(0, 0.1^2)). Classification classes are not balanced: they are
 * whatever the teacher says.
 */
export function teacher(options: Partial<TeacherOptions> = {}): Synthetic<TeacherParams> {
  const o = { ...TEACHER_DEFAULTS, ...options };
  const what = 'teacher';
  checkSizes(what, o);
  positiveInt(what, 'inputDim', o.inputDim);
  if (!Array.isArray(o.hidden)) throw new RangeError(`${what}: hidden must be a list of layer widths`);
  o.hidden.forEach((h, i) => positiveInt(what, `hidden[${i}]`, h));
  positiveInt(what, 'outputs', o.outputs, o.task === 'classification' ? 2 : 1);
  nonNegative(what, 'noise', o.noise);
  if (o.activation !== 'tanh' && o.activation !== 'relu') throw new RangeError(`${what}: activation must be 'tanh' or 'relu', got ${String(o.activation)}`);
  if (o.task !== 'classification' && o.task !== 'regression') throw new RangeError(`${what}: task must be 'classification' or 'regression', got ${String(o.task)}`);
  const r = rngs(o.seed);
  const sizes = [o.inputDim, ...o.hidden, o.outputs];
  const gain = o.activation === 'relu' ? Math.SQRT2 : 1;
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const sd = gain / Math.sqrt(sizes[l]);
    weights.push(Float64Array.from({ length: sizes[l + 1] * sizes[l] }, () => sd * r.params.normal()));
    biases.push(Float64Array.from({ length: sizes[l + 1] }, () => 0.1 * r.params.normal()));
  }
  const params: TeacherParams = { sizes, activation: o.activation, weights, biases };
  const d = o.inputDim;
  const sample = (n: number, rng: Rng): Dataset => {
    const x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    if (o.task === 'classification') {
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const out = teacherForward(params, x, i * d);
        let best = 0;
        for (let c = 1; c < out.length; c++) if (out[c] > out[best]) best = c;
        y[i] = best;
      }
      return { x, y, n, xShape: [d], yShape: [], numClasses: o.outputs };
    }
    const y = new Float32Array(n * o.outputs);
    for (let i = 0; i < n; i++) {
      const out = teacherForward(params, x, i * d);
      for (let c = 0; c < o.outputs; c++) y[i * o.outputs + c] = out[c] + (o.noise > 0 ? o.noise * rng.normal() : 0);
    }
    return { x, y, n, xShape: [d], yShape: [o.outputs] };
  };
  return { train: sample(o.trainSize, r.train), test: sample(o.testSize, r.test), params };
}
