// The experiment file (*.optlab.json) after validation and grid expansion.
// The JSON Schema in schemas/optlab-experiment.schema.json is the source of truth for the file;
// these types describe what the loader hands to the runner.

import type { OptimizerType as RegisteredOptimizerType } from '../optim/registry';

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

/** A neural network trained with TensorFlow.js (engine/src/train, engine/src/sweep). */
export type NeuralProblemType = 'classification' | 'regression' | 'autoencoder';
export const NEURAL_PROBLEM_TYPES: readonly NeuralProblemType[] = ['classification', 'regression', 'autoencoder'];

export interface NeuralProblemSpec {
  type: NeuralProblemType;
  /** A dataset spec for loadDataset (engine/src/data). */
  data: Record<string, unknown> & { type: string };
  /** A model spec for makeModel (engine/src/models). */
  model: Record<string, unknown> & { type: string };
}

export type ProblemSpec = NqmProblemSpec | NeuralProblemSpec;

export type NqmOptimizerType = 'sgd' | 'momentum' | 'ema';
/** The neural optimizer types: those of the optimizer registry (engine/src/optim/registry). */
export type NeuralOptimizerType = RegisteredOptimizerType;
export type OptimizerType = NqmOptimizerType | NeuralOptimizerType;

/** Neural target metrics (see engine/src/train/types.ts). */
export type NeuralTargetMetric = 'trainLoss' | 'testLoss' | 'accuracy' | 'testAccuracy';

export interface OptimizerEntry {
  /** Shown in tables and charts; unique within the file. Defaults to a label built from type and options. */
  label?: string;
  type: OptimizerType;
  /** Preconditioning power p (NQM): P = H^-p. Default 0. */
  precondition?: number;
  learningRate?: GridSpec; // default: the reference grid of the family
  momentum?: GridSpec; // momentum only; default 1 - logspace(-5, 0, 20)
  decay?: GridSpec; // ema (NQM) and rmsprop (neural)
  // Neural problems only:
  beta1?: GridSpec;
  beta2?: GridSpec;
  weightDecay?: GridSpec;
  eps?: number;
  clipNorm?: number;
  ema?: number;
  schedule?: Record<string, unknown>;
}

export interface ExperimentFile {
  $schema?: string;
  name: string;
  description?: string;
  problem: ProblemSpec;
  target: { metric: 'loss' | NeuralTargetMetric; value: number; evalEvery?: number; relativeResolution?: number; evalSize?: number; relativeToInitial?: boolean };
  batchSizes: BatchSizesSpec;
  optimizers: OptimizerEntry[];
  /** Curve points logged per run (log-spaced steps). Default 200. */
  logPoints?: number;
  seed?: number;
  // Neural problems only:
  budget?: { maxSteps: number; divergeAbove?: number; relativeToSmallerBatch?: number };
  backend?: 'auto' | 'cuda' | 'tensorflow' | 'wasm' | 'cpu';
  logEvery?: number;
  checkpointEvery?: number;
}

/** One optimizer entry with defaults filled and grids expanded to plain arrays. */
export interface ResolvedOptimizer {
  label: string;
  type: OptimizerType;
  precondition: number;
  learningRates: number[];
  momenta?: number[];
  decays?: number[];
  /**
   * Neural problems: every searched option's values by its makeOptimizer name (learningRate,
   * momentum, beta1, beta2, decay, weightDecay), in the file's order; the grid is their product.
   */
  grids?: Record<string, number[]>;
  /** Neural problems: options passed to makeOptimizer as written (eps, clipNorm, ema, schedule). */
  fixed?: Record<string, unknown>;
  /** JSON pointer of the entry in the file, for messages: e.g. /optimizers/2 */
  pointer: string;
}

export type ResolvedNqmProblem = Required<Omit<NqmProblemSpec, 'noise'>> & { noise: { power: number; scale: number } };

export interface ResolvedNeuralProblem {
  type: NeuralProblemType;
  data: Record<string, unknown> & { type: string };
  model: Record<string, unknown> & { type: string };
}

/** NQM: {metric: 'loss', value}; neural problems add the evaluation settings. */
export interface ResolvedTarget {
  metric: 'loss' | NeuralTargetMetric;
  value: number;
  evalEvery?: number;
  relativeResolution?: number;
  evalSize?: number;
  /** Neural loss targets: value is a fraction of the initial loss. */
  relativeToInitial?: boolean;
}

export interface ResolvedExperiment {
  name: string;
  description?: string;
  file?: string;
  problem: ResolvedNqmProblem | ResolvedNeuralProblem;
  target: ResolvedTarget;
  batchSizes: number[];
  optimizers: ResolvedOptimizer[];
  logPoints: number;
  seed: number;
  /** Neural problems only. */
  budget?: { maxSteps: number; divergeAbove?: number; relativeToSmallerBatch?: number };
  backend?: 'auto' | 'cuda' | 'tensorflow' | 'wasm' | 'cpu';
  logEvery?: number;
  checkpointEvery?: number;
  /** The file's parsed JSON as written, recorded in each run. */
  raw: unknown;
}

export function isNeuralProblem(p: { type: string }): p is ResolvedNeuralProblem {
  return (NEURAL_PROBLEM_TYPES as readonly string[]).includes(p.type);
}
