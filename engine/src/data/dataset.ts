// The in-memory dataset: examples stored row-major in flat typed arrays, plus the operations the
// training loop needs on it: gathering rows, seeded subsets and train/test splits, one-hot labels,
// and normalization whose statistics come from the training set only.
import { STREAMS, permutation, sampleIndices } from './shuffle.js';

export interface Dataset {
  /** n x prod(xShape) features, row-major (example i occupies [i*d, (i+1)*d)). */
  x: Float32Array;
  /**
   * Targets: class indices (Int32Array, yShape []) for classification; Float32Array rows of
   * prod(yShape) values for regression or one-hot labels.
   */
  y: Float32Array | Int32Array;
  /** Number of examples. */
  n: number;
  /** Shape of one example, e.g. [784] or [28, 28, 1] (height, width, channels). */
  xShape: number[];
  /** Shape of one target: [] for class indices, [k] for one-hot or k regression outputs. */
  yShape: number[];
  /** Number of classes for classification sets (labels are 0..numClasses-1). */
  numClasses?: number;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
export const featureSize = (ds: Dataset): number => sizeOf(ds.xShape);
export const targetSize = (ds: Dataset): number => sizeOf(ds.yShape);

/** Throws if the arrays do not match n and the shapes. */
export function checkDataset(ds: Dataset, what = 'dataset'): void {
  const d = featureSize(ds);
  const m = targetSize(ds);
  if (!Number.isInteger(ds.n) || ds.n < 0) throw new Error(`${what}: n must be a non-negative integer, got ${ds.n}`);
  if (ds.x.length !== ds.n * d) throw new Error(`${what}: x has ${ds.x.length} values, expected n x ${ds.xShape.join('x')} = ${ds.n * d}`);
  if (ds.y.length !== ds.n * m) throw new Error(`${what}: y has ${ds.y.length} values, expected n x ${ds.yShape.join('x') || '1'} = ${ds.n * m}`);
  if (ds.y instanceof Int32Array && ds.numClasses !== undefined) {
    for (let i = 0; i < ds.y.length; i++) {
      const c = ds.y[i];
      if (c < 0 || c >= ds.numClasses) throw new Error(`${what}: label ${c} of example ${i} is outside 0..${ds.numClasses - 1}`);
    }
  }
}

/**
 * Copies rows indices[from .. from+count) of ds into xOut / yOut (from their start). No
 * allocation: this is the inner loop of minibatching.
 */
export function gatherInto(
  ds: Dataset,
  indices: ArrayLike<number>,
  from: number,
  count: number,
  xOut: Float32Array,
  yOut: Float32Array | Int32Array,
): void {
  const d = featureSize(ds);
  const m = targetSize(ds);
  const x = ds.x;
  const y = ds.y;
  for (let k = 0; k < count; k++) {
    const i = indices[from + k];
    const src = i * d;
    const dst = k * d;
    for (let j = 0; j < d; j++) xOut[dst + j] = x[src + j];
    const ys = i * m;
    const yd = k * m;
    for (let j = 0; j < m; j++) yOut[yd + j] = y[ys + j];
  }
}

/** A new dataset holding the rows `indices` (in that order). */
export function gather(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const n = indices.length;
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new RangeError(`gather: index ${i} is outside 0..${ds.n - 1}`);
  }
  const x = new Float32Array(n * featureSize(ds));
  const y = ds.y instanceof Int32Array ? new Int32Array(n * targetSize(ds)) : new Float32Array(n * targetSize(ds));
  gatherInto(ds, indices, 0, n, x, y);
  return withRows(ds, x, y, n);
}

function withRows(ds: Dataset, x: Float32Array, y: Float32Array | Int32Array, n: number): Dataset {
  const out: Dataset = { x, y, n, xShape: [...ds.xShape], yShape: [...ds.yShape] };
  if (ds.numClasses !== undefined) out.numClasses = ds.numClasses;
  return out;
}

/**
 * `n` examples chosen uniformly without replacement (seeded), kept in their original order.
 * n = ds.n returns a copy of everything.
 */
export function subset(ds: Dataset, n: number, seed: number, stream: number = STREAMS.subsetTrain): Dataset {
  if (!Number.isInteger(n) || n < 0 || n > ds.n) throw new RangeError(`subset: cannot take ${n} of ${ds.n} examples`);
  return gather(ds, sampleIndices(ds.n, n, seed, stream));
}

export interface SplitOptions {
  /** Number of test examples; or give testFraction. */
  testSize?: number;
  /** Fraction of the examples that go to the test set (rounded to the nearest integer). */
  testFraction?: number;
  seed: number;
}

/** A seeded random split; both parts keep the original order of their examples. */
export function trainTestSplit(ds: Dataset, options: SplitOptions): { train: Dataset; test: Dataset } {
  const { testSize, testFraction, seed } = options;
  if ((testSize === undefined) === (testFraction === undefined)) throw new Error('trainTestSplit: give exactly one of testSize and testFraction');
  if (testFraction !== undefined && !(testFraction >= 0 && testFraction <= 1)) throw new RangeError(`trainTestSplit: testFraction must be in [0, 1], got ${testFraction}`);
  const nTest = testSize ?? Math.round((testFraction as number) * ds.n);
  if (!Number.isInteger(nTest) || nTest < 0 || nTest > ds.n) throw new RangeError(`trainTestSplit: cannot hold out ${nTest} of ${ds.n} examples`);
  const perm = permutation(ds.n, seed, STREAMS.split);
  const test = perm.slice(0, nTest).sort();
  const train = perm.slice(nTest).sort();
  return { train: gather(ds, train), test: gather(ds, test) };
}

/** One-hot rows (n x numClasses) for class indices. */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new RangeError(`oneHot: label ${c} of example ${i} is outside 0..${numClasses - 1}`);
    out[i * numClasses + c] = 1;
  }
  return out;
}

/** The dataset with its class-index labels replaced by one-hot rows (x is shared, not copied). */
export function toOneHot(ds: Dataset): Dataset {
  if (!(ds.y instanceof Int32Array) || ds.numClasses === undefined || ds.yShape.length !== 0) {
    throw new Error('toOneHot: the dataset has no class-index labels');
  }
  return { x: ds.x, y: oneHot(ds.y, ds.numClasses), n: ds.n, xShape: [...ds.xShape], yShape: [ds.numClasses], numClasses: ds.numClasses };
}

/** Examples per class (classification sets). */
export function classCounts(ds: Dataset): number[] {
  if (!(ds.y instanceof Int32Array) || ds.numClasses === undefined || ds.yShape.length !== 0) {
    throw new Error('classCounts: the dataset has no class-index labels');
  }
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (let i = 0; i < ds.n; i++) counts[ds.y[i]]++;
  return counts;
}

export interface NormalizationStats {
  /** 'scalar': one mean and std for every feature (images); 'perFeature': one per feature. */
  scope: 'scalar' | 'perFeature';
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Mean and (population) standard deviation of the features of `ds` (the training set: never
 * compute them on test data). A feature with std below 1e-8 (a constant pixel) gets std 1.
 */
export function computeStats(ds: Dataset, scope: 'scalar' | 'perFeature'): NormalizationStats {
  const d = featureSize(ds);
  const x = ds.x;
  if (ds.n === 0) throw new Error('computeStats: the dataset is empty');
  if (scope === 'scalar') {
    // One pass, shifted by the first value (keeps the sum of squares well conditioned).
    const k = x[0];
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < x.length; i++) {
      const t = x[i] - k;
      s += t;
      s2 += t * t;
    }
    const m = x.length;
    const mean = k + s / m;
    const std = Math.sqrt(Math.max(0, (s2 - (s * s) / m) / m));
    return { scope, mean: Float64Array.of(mean), std: Float64Array.of(std < 1e-8 ? 1 : std) };
  }
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < ds.n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= ds.n;
  for (let i = 0; i < ds.n; i++) {
    for (let j = 0; j < d; j++) {
      const t = x[i * d + j] - mean[j];
      std[j] += t * t;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(std[j] / ds.n);
    std[j] = s < 1e-8 ? 1 : s;
  }
  return { scope, mean, std };
}

/** (x - mean) / std in place on ds.x; returns ds. */
export function applyStatsInPlace(ds: Dataset, stats: NormalizationStats): Dataset {
  const x = ds.x;
  if (stats.scope === 'scalar') {
    const mean = stats.mean[0];
    const inv = 1 / stats.std[0];
    for (let i = 0; i < x.length; i++) x[i] = (x[i] - mean) * inv;
    return ds;
  }
  const d = featureSize(ds);
  if (stats.mean.length !== d) throw new Error(`applyStats: stats have ${stats.mean.length} features, the dataset ${d}`);
  const inv = stats.std.map((s) => 1 / s);
  for (let i = 0; i < ds.n; i++) for (let j = 0; j < d; j++) x[i * d + j] = (x[i * d + j] - stats.mean[j]) * inv[j];
  return ds;
}

/** A copy of ds with normalized features (y is shared). */
export function applyStats(ds: Dataset, stats: NormalizationStats): Dataset {
  return applyStatsInPlace({ ...ds, x: ds.x.slice(), xShape: [...ds.xShape], yShape: [...ds.yShape] }, stats);
}

/** An empty dataset with the shapes of `like`. */
export function emptyLike(like: Dataset): Dataset {
  return withRows(like, new Float32Array(0), like.y instanceof Int32Array ? new Int32Array(0) : new Float32Array(0), 0);
}
