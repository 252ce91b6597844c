// The data layer's public API and its registry: loadDataset(spec) turns an experiment file's
// dataset entry into train and test sets. Every option is validated; an unknown type, an unknown
// option or a bad value is a DatasetSpecError naming the option (and its JSON path when given).
import path from 'node:path';
import { closestName } from '../spec/did-you-mean.js';
import { pointerOf } from '../spec/pointer.js';
import { SpecError } from '../spec/spec-error.js';
import { type Dataset, type NormalizationStats, applyStatsInPlace, classCounts, computeStats } from './dataset.js';
import { loadIdxDataset, loadMnist, type ImageSetResult } from './mnist.js';
import { loadMnist8x8 } from './mnist8x8.js';
import { type DatasetAccess, datasetPathProblem } from './dataset-access.js';
import { IdxFormatError } from './idx.js';
import {
  CLUSTERS_DEFAULTS,
  LOW_RANK_DEFAULTS,
  SPIRALS_DEFAULTS,
  TEACHER_DEFAULTS,
  gaussianClusters,
  lowRank,
  spirals,
  teacher,
} from './synthetic.js';
import { UNIT_SPHERE_DEFAULTS, unitSphere } from './unit-sphere.js';

export * from './dataset.js';
export * from './batches.js';
export * from './shuffle.js';
export * from './idx.js';
export * from './mnist.js';
export * from './mnist8x8.js';
export * from './synthetic.js';
export * from './unit-sphere.js';
export * from './dataset-access.js';

// ---- spec types (what an experiment file may write) ---------------------------------------------

interface CommonSpec {
  /** Training examples (a seeded subset for file sets; the number generated for synthetic ones). */
  trainSize?: number;
  /** Test examples. */
  testSize?: number;
  /** Seed of subsets, splits and generation (default 0). */
  seed?: number;
}
interface ImageSpec extends CommonSpec {
  flatten?: boolean;
  normalize?: 'unit' | 'standardize' | 'none';
}
export interface MnistSpec extends ImageSpec { type: 'mnist'; dir?: string }
export interface Mnist8x8Spec extends ImageSpec { type: 'mnist8x8'; dir?: string }
export interface IdxSpec extends ImageSpec {
  type: 'idx';
  images: string;
  labels: string;
  testImages?: string;
  testLabels?: string;
  testFraction?: number;
}
interface SyntheticSpec extends CommonSpec {
  /** 'standardize': per-feature (x - mean) / std with the training set's statistics. */
  normalize?: 'none' | 'standardize';
}
export interface ClustersSpec extends SyntheticSpec { type: 'clusters'; classes?: number; dim?: number; separation?: number; std?: number }
export interface SpiralsSpec extends SyntheticSpec { type: 'spirals'; arms?: number; turns?: number; noise?: number }
export interface LowRankSpec extends SyntheticSpec { type: 'lowRank'; dim?: number; rank?: number; target?: 'input' | 'linear'; outputDim?: number; noise?: number }
export interface TeacherSpec extends SyntheticSpec {
  type: 'teacher';
  inputDim?: number;
  hidden?: number[];
  activation?: 'tanh' | 'relu';
  task?: 'classification' | 'regression';
  outputs?: number;
  noise?: number;
}
/** Unit-norm inputs with Gaussian regression targets (science-spec section 6, E6). */
export interface UnitSphereSpec extends SyntheticSpec { type: 'unitSphere'; dim?: number; targetStd?: number }
export type DatasetSpec = MnistSpec | Mnist8x8Spec | IdxSpec | ClustersSpec | SpiralsSpec | LowRankSpec | TeacherSpec | UnitSphereSpec;
export type DatasetType = DatasetSpec['type'];

export interface DatasetInfo {
  type: DatasetType;
  /** A human-readable description, e.g. "MNIST (28x28x1, 10 classes)". */
  name: string;
  task: 'classification' | 'regression';
  numClasses?: number;
  xShape: number[];
  yShape: number[];
  trainSize: number;
  testSize: number;
  seed: number;
  normalize: 'none' | 'unit' | 'standardize';
  /** Statistics used by 'standardize' (computed on the training set only). */
  stats: { scope: 'scalar' | 'perFeature'; mean: number[]; std: number[] } | null;
  /** Examples per class, classification only. */
  classCounts?: { train: number[]; test: number[] };
  /** Files read (file-based sets). */
  files?: string[];
  /** Every option with its default filled in (record this with a run to reproduce it). */
  resolved: Record<string, unknown>;
  loadMs: number;
}

export interface LoadedDataset {
  train: Dataset;
  test: Dataset;
  info: DatasetInfo;
}

export interface LoadDatasetOptions {
  /** JSON pointer of the spec in the experiment file (e.g. "/data"), prefixed to error messages. */
  pointer?: string;
  /** Folder relative IDX paths are resolved against (the experiment file's folder); default cwd. */
  baseDir?: string;
  /** Where IDX files may be read from; default: below baseDir (or cwd) only. */
  access?: DatasetAccess;
}

/**
 * An invalid dataset spec. `pointer` is the offending value's JSON pointer in the file when the
 * caller gave the spec's pointer, else within the spec ('/trainSize'; '' for the spec as a whole).
 */
export class DatasetSpecError extends SpecError {
  override name = 'DatasetSpecError';
  constructor(
    message: string,
    /** The offending option ('type' for an unknown type), or null for the spec as a whole. */
    readonly option: string | null,
    pointer?: string,
  ) {
    super(pointer !== undefined ? `${pointer}: ${message}` : message, pointer ?? (option ? pointerOf([option]) : ''));
  }
}

// ---- option validation -------------------------------------------------------------------------

type Check = (v: unknown) => string | null; // null = valid, else "must be ..."

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const intAtLeast = (min: number, max = Infinity): Check => (v) =>
  isInt(v) && v >= min && v <= max ? null : `must be an integer ${max === Infinity ? `>= ${min}` : `from ${min} to ${max}`}`;
const numberAtLeast = (min: number): Check => (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? null : `must be a number >= ${min}`);
const fraction: Check = (v) => (typeof v === 'number' && v >= 0 && v < 1 ? null : 'must be a number in [0, 1)');
const boolean: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const string: Check = (v) => (typeof v === 'string' && v.length > 0 ? null : 'must be a non-empty string (a path)');
const oneOf = (...values: string[]): Check => (v) => (typeof v === 'string' && values.includes(v) ? null : `must be one of ${values.map((s) => `'${s}'`).join(', ')}`);
const seedCheck: Check = (v) => (isInt(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? null : 'must be an integer');
const widths: Check = (v) => (Array.isArray(v) && v.every((w) => isInt(w) && w >= 1) ? null : 'must be a list of positive integers (layer widths)');

const COMMON: Record<string, Check> = { trainSize: intAtLeast(1), testSize: intAtLeast(0), seed: seedCheck };
const IMAGE: Record<string, Check> = { ...COMMON, flatten: boolean, normalize: oneOf('unit', 'standardize', 'none') };
const SYNTH: Record<string, Check> = { ...COMMON, normalize: oneOf('none', 'standardize') };

const OPTIONS: Record<DatasetType, Record<string, Check>> = {
  mnist: { ...IMAGE, dir: string },
  mnist8x8: { ...IMAGE, dir: string },
  idx: { ...IMAGE, images: string, labels: string, testImages: string, testLabels: string, testFraction: fraction },
  clusters: { ...SYNTH, classes: intAtLeast(2), dim: intAtLeast(1), separation: numberAtLeast(0), std: numberAtLeast(0) },
  spirals: { ...SYNTH, arms: intAtLeast(2, 8), turns: numberAtLeast(0), noise: numberAtLeast(0) },
  lowRank: { ...SYNTH, dim: intAtLeast(1), rank: intAtLeast(1), target: oneOf('input', 'linear'), outputDim: intAtLeast(1), noise: numberAtLeast(0) },
  teacher: {
    ...SYNTH,
    inputDim: intAtLeast(1),
    hidden: widths,
    activation: oneOf('tanh', 'relu'),
    task: oneOf('classification', 'regression'),
    outputs: intAtLeast(1),
    noise: numberAtLeast(0),
  },
  unitSphere: { ...SYNTH, dim: intAtLeast(1), targetStd: numberAtLeast(0) },
};
const REQUIRED: Partial<Record<DatasetType, string[]>> = { idx: ['images', 'labels'] };

export const DATASET_TYPES = Object.keys(OPTIONS) as DatasetType[];

/** The closest name within edit distance 2, for "did you mean". */
function suggest(name: string, names: string[]): string | null {
  return closestName(name, names, { ignoreCase: true, maxDistance: 2 }) ?? null;
}

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/**
 * Validates a dataset spec (from JSON) and returns it typed. Throws DatasetSpecError naming the
 * first problem's option.
 */
export function validateDatasetSpec(spec: unknown, pointer?: string): DatasetSpec {
  const err = (option: string | null, message: string): DatasetSpecError =>
    new DatasetSpecError(message, option, pointer === undefined ? undefined : option ? `${pointer}/${option}` : pointer);
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw err(null, `dataset: expected an object with a 'type', got ${show(spec)}`);
  const s = spec as Record<string, unknown>;
  const known = DATASET_TYPES.map((t) => `'${t}'`).join(', ');
  if (!('type' in s)) throw err('type', `dataset: option 'type' is required (one of ${known})`);
  const type = s.type;
  // hasOwn, not `in`: 'constructor', 'toString' and '__proto__' are not dataset types or options.
  if (typeof type !== 'string' || !Object.hasOwn(OPTIONS, type)) {
    const hint = typeof type === 'string' ? suggest(type, DATASET_TYPES) : null;
    throw err('type', `dataset: unknown type ${show(type)}${hint ? ` (did you mean '${hint}'?)` : ''}; known types: ${known}`);
  }
  const checks = OPTIONS[type as DatasetType];
  for (const [key, value] of Object.entries(s)) {
    if (key === 'type') continue;
    const check = Object.hasOwn(checks, key) ? checks[key] : undefined;
    if (!check) {
      const hint = suggest(key, Object.keys(checks));
      throw err(key, `dataset '${type}': unknown option '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; its options are ${Object.keys(checks).sort().join(', ')}`);
    }
    if (value === undefined) continue;
    const problem = check(value);
    if (problem) throw err(key, `dataset '${type}': option '${key}' ${problem}, got ${show(value)}`);
  }
  for (const key of (Object.hasOwn(REQUIRED, type) ? REQUIRED[type as DatasetType] : undefined) ?? []) {
    if (s[key] === undefined) throw err(key, `dataset '${type}': option '${key}' is required`);
  }
  // Relations between options.
  if (type === 'idx') {
    if ((s.testImages === undefined) !== (s.testLabels === undefined)) {
      const missing = s.testImages === undefined ? 'testImages' : 'testLabels';
      throw err(missing, `dataset 'idx': option '${missing}' is required with '${missing === 'testImages' ? 'testLabels' : 'testImages'}' (give both test files or neither)`);
    }
    if (s.testImages !== undefined && s.testFraction !== undefined) {
      throw err('testFraction', `dataset 'idx': option 'testFraction' applies only without test files (the test set is then held out of the training file)`);
    }
    if (s.testSize !== undefined && s.testFraction !== undefined) {
      throw err('testFraction', `dataset 'idx': give 'testSize' or 'testFraction', not both`);
    }
  }
  if (type === 'lowRank') {
    const dim = (s.dim as number | undefined) ?? LOW_RANK_DEFAULTS.dim;
    const rank = (s.rank as number | undefined) ?? LOW_RANK_DEFAULTS.rank;
    const target = (s.target as string | undefined) ?? LOW_RANK_DEFAULTS.target;
    if (rank > dim) throw err('rank', `dataset 'lowRank': option 'rank' (${rank}) must be at most 'dim' (${dim})`);
    if (target === 'input' && s.outputDim !== undefined) throw err('outputDim', `dataset 'lowRank': option 'outputDim' applies only to target 'linear' (target 'input' reconstructs the input)`);
    if (target === 'linear' && s.outputDim !== undefined && rank > (s.outputDim as number)) {
      throw err('rank', `dataset 'lowRank': option 'rank' (${rank}) must be at most 'outputDim' (${s.outputDim as number})`);
    }
  }
  if (type === 'teacher') {
    const task = (s.task as string | undefined) ?? TEACHER_DEFAULTS.task;
    if (task === 'classification' && s.noise !== undefined && s.noise !== 0) throw err('noise', `dataset 'teacher': option 'noise' applies only to task 'regression'`);
    if (task === 'classification' && s.outputs !== undefined && (s.outputs as number) < 2) throw err('outputs', `dataset 'teacher': option 'outputs' (classes) must be at least 2 for classification`);
  }
  return s as unknown as DatasetSpec;
}

// ---- loading -----------------------------------------------------------------------------------

const statsInfo = (s: NormalizationStats | null): DatasetInfo['stats'] => (s ? { scope: s.scope, mean: Array.from(s.mean), std: Array.from(s.std) } : null);

/** Loads the train and test sets a spec describes. */
export function loadDataset(spec: unknown, options: LoadDatasetOptions = {}): LoadedDataset {
  const t0 = performance.now();
  const s = validateDatasetSpec(spec, options.pointer);
  const seed = s.seed ?? 0;
  const err = (option: string, message: string): DatasetSpecError =>
    new DatasetSpecError(message, option, options.pointer === undefined ? undefined : `${options.pointer}/${option}`);
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      // Range problems found while loading (e.g. trainSize beyond the file) name their option.
      if (e instanceof RangeError) {
        const m = /^(?:\w+: )?(trainSize|testSize|testFraction)\b/.exec(e.message);
        if (m) throw new DatasetSpecError(`dataset '${s.type}': ${e.message.replace(/^\w+: (?=trainSize|testSize|testFraction)/, '')}`, m[1], options.pointer === undefined ? undefined : `${options.pointer}/${m[1]}`);
      }
      throw e;
    }
  };

  if (s.type === 'mnist' || s.type === 'mnist8x8' || s.type === 'idx') {
    const common = { flatten: s.flatten ?? true, normalize: s.normalize, trainSize: s.trainSize, testSize: s.testSize, seed };
    let r: ImageSetResult;
    let name: string;
    const resolved: Record<string, unknown> = { ...s, flatten: common.flatten, seed };
    if (s.type === 'idx') {
      const base = options.baseDir ?? process.cwd();
      const access = options.access ?? { roots: [base] };
      const files = { images: s.images, labels: s.labels, testImages: s.testImages, testLabels: s.testLabels };
      const abs: Record<string, string | undefined> = {};
      const optionOf = new Map<string, string>();
      for (const [option, p] of Object.entries(files)) {
        if (p === undefined) continue;
        abs[option] = path.resolve(base, p);
        optionOf.set(abs[option], option);
        const problem = datasetPathProblem(abs[option], access);
        if (problem) throw err(option, `dataset 'idx': ${problem}`);
      }
      try {
        r = wrap(() =>
          loadIdxDataset(
            { images: abs.images as string, labels: abs.labels as string, testImages: abs.testImages, testLabels: abs.testLabels },
            { ...common, testFraction: s.testFraction },
          ),
        );
      } catch (e) {
        // A file that is not a valid IDX file: the option (and its JSON path) that names it.
        if (e instanceof IdxFormatError && optionOf.has(e.file)) throw err(optionOf.get(e.file)!, `dataset 'idx': ${e.message}`);
        throw e;
      }
      name = `IDX ${path.basename(s.images)}`;
    } else if (s.type === 'mnist') {
      r = wrap(() => loadMnist({ ...common, dir: s.dir }));
      name = 'MNIST';
    } else {
      r = wrap(() => loadMnist8x8({ ...common, dir: s.dir }));
      name = 'MNIST 8x8 (24x24 crop, 3x3 mean)';
    }
    resolved.normalize = r.normalize;
    const shape = r.train.xShape.join('x');
    return {
      train: r.train,
      test: r.test,
      info: {
        type: s.type,
        name: `${name} (${shape}, ${r.train.numClasses} classes)`,
        task: 'classification',
        numClasses: r.train.numClasses,
        xShape: [...r.train.xShape],
        yShape: [],
        trainSize: r.train.n,
        testSize: r.test.n,
        seed,
        normalize: r.normalize,
        stats: statsInfo(r.stats),
        classCounts: { train: classCounts(r.train), test: classCounts(r.test) },
        files: r.files,
        resolved,
        loadMs: performance.now() - t0,
      },
    };
  }

  let gen: { train: Dataset; test: Dataset };
  let resolved: Record<string, unknown>;
  let name: string;
  const sizes = { trainSize: s.trainSize, testSize: s.testSize, seed };
  const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  switch (s.type) {
    case 'clusters': {
      const o = { ...CLUSTERS_DEFAULTS, ...defined({ ...sizes, classes: s.classes, dim: s.dim, separation: s.separation, std: s.std }) };
      gen = gaussianClusters(o);
      resolved = o;
      name = `Gaussian clusters (${o.classes} classes, ${o.dim}-d, separation ${o.separation}, std ${o.std})`;
      break;
    }
    case 'spirals': {
      const o = { ...SPIRALS_DEFAULTS, ...defined({ ...sizes, arms: s.arms, turns: s.turns, noise: s.noise }) };
      gen = spirals(o);
      resolved = o;
      name = `${o.arms}-arm spirals (${o.turns} turns, noise ${o.noise})`;
      break;
    }
    case 'lowRank': {
      const o = { ...LOW_RANK_DEFAULTS, ...defined({ ...sizes, dim: s.dim, rank: s.rank, target: s.target, outputDim: s.outputDim, noise: s.noise }) };
      gen = lowRank(o);
      resolved = o.target === 'linear' ? { ...o, outputDim: o.outputDim ?? o.dim } : o;
      name = o.target === 'input' ? `low-rank data (rank ${o.rank} in ${o.dim}-d, target = input)` : `low-rank regression (rank ${o.rank}, ${o.dim} -> ${o.outputDim ?? o.dim})`;
      break;
    }
    case 'teacher': {
      const o = { ...TEACHER_DEFAULTS, ...defined({ ...sizes, inputDim: s.inputDim, hidden: s.hidden, activation: s.activation, task: s.task, outputs: s.outputs, noise: s.noise }) };
      gen = teacher(o);
      resolved = o;
      name = `teacher MLP ${[o.inputDim, ...o.hidden, o.outputs].join('-')} (${o.activation}, ${o.task})`;
      break;
    }
    case 'unitSphere': {
      const o = { ...UNIT_SPHERE_DEFAULTS, ...defined({ ...sizes, dim: s.dim, targetStd: s.targetStd }) };
      gen = unitSphere(o);
      resolved = o;
      name = `unit-sphere inputs (${o.dim}-d) with N(0, ${o.targetStd}^2) targets`;
      break;
    }
  }
  const { train, test } = gen;
  const normalize = s.normalize ?? 'none';
  resolved = { type: s.type, ...resolved, normalize };
  let stats: NormalizationStats | null = null;
  if (normalize === 'standardize') {
    stats = computeStats(train, 'perFeature');
    applyStatsInPlace(train, stats);
    applyStatsInPlace(test, stats);
    if (s.type === 'lowRank' && (s.target ?? 'input') === 'input') {
      // The autoencoder target is the (normalized) input.
      train.y = train.x.slice();
      test.y = test.x.slice();
    }
  }
  const classification = train.numClasses !== undefined;
  const info: DatasetInfo = {
    type: s.type,
    name,
    task: classification ? 'classification' : 'regression',
    xShape: [...train.xShape],
    yShape: [...train.yShape],
    trainSize: train.n,
    testSize: test.n,
    seed,
    normalize,
    stats: statsInfo(stats),
    resolved,
    loadMs: performance.now() - t0,
  };
  if (classification) {
    info.numClasses = train.numClasses;
    info.classCounts = { train: classCounts(train), test: classCounts(test) };
  }
  return { train, test, info };
}
