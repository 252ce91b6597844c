// The experiment file (*.optlab.json) after validation and grid expansion.
// The JSON Schema in schemas/optlab-experiment.schema.json is the source of truth for the file;
// these types describe what the loader hands to the runner.

/** A grid value as written in the file: one number, a list, or a generated range. */
export type GridSpec =
  | number
  | number[]
  | { logspace: [number, number, number] } // 10^linspace(a, b, n), as numpy.logspace
  | { linspace: [number, number, number] }
  | { oneMinusLogspace: [number, number, number] }; // 1 - 10^linspace(a, b, n): momentum/decay grids

/** Batch sizes: an explicit list or powers of two 2^from..2^to in steps of `step`. */
export type BatchSizesSpec = number[] | { powersOf2: { from: number; to: number; step?: number } };

export interface NqmProblemSpec {
  type: 'nqm';
  dim?: number; // default 10000
  exponent?: number; // default 1
  bins?: number; // default 100; 0 = unbinned
  noise?: { power?: number; scale?: number }; // default power 1, scale 1
  initVariance?: number; // default 1
}

export type ProblemSpec = NqmProblemSpec;

export interface OptimizerEntry {
  /** Shown in tables and charts; unique within the file. Defaults to a label built from type and options. */
  label?: string;
  type: 'sgd' | 'momentum' | 'ema';
  /** Preconditioning power p (NQM): P = H^-p. Default 0. */
  precondition?: number;
  learningRate?: GridSpec; // default: the reference grid of the family
  momentum?: GridSpec; // momentum only; default 1 - logspace(-5, 0, 20)
  decay?: GridSpec; // ema only; default 1 - logspace(-5, 0, 20)
}

export interface ExperimentFile {
  $schema?: string;
  name: string;
  description?: string;
  problem: ProblemSpec;
  target: { metric: 'loss'; value: number };
  batchSizes: BatchSizesSpec;
  optimizers: OptimizerEntry[];
  /** Curve points logged per run (log-spaced steps). Default 200. */
  logPoints?: number;
  seed?: number;
}

/** One optimizer entry with defaults filled and grids expanded to plain arrays. */
export interface ResolvedOptimizer {
  label: string;
  type: 'sgd' | 'momentum' | 'ema';
  precondition: number;
  learningRates: number[];
  momenta?: number[];
  decays?: number[];
  /** JSON pointer of the entry in the file, for messages: e.g. /optimizers/2 */
  pointer: string;
}

export interface ResolvedExperiment {
  name: string;
  description?: string;
  file?: string;
  problem: Required<Omit<NqmProblemSpec, 'noise'>> & { noise: { power: number; scale: number } };
  target: { metric: 'loss'; value: number };
  batchSizes: number[];
  optimizers: ResolvedOptimizer[];
  logPoints: number;
  seed: number;
  /** The file's parsed JSON as written, recorded in each run. */
  raw: unknown;
}
