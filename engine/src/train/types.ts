// Shapes of the training loop's inputs and outputs (engine/src/train/loop.ts).
import type { Dataset } from '../data/dataset';
import type { Model } from '../models/types';
import type { GradientTransformation, State } from '../optim/types';
import type { MetricRow } from '../store/types';

/**
 * What a run trains towards. Losses count as reached at or below `value`, accuracies at or above.
 * trainLoss / accuracy are measured on a fixed seeded subset of the training set, testLoss /
 * testAccuracy on (a fixed subset of) the test set, with the evaluation parameters (EMA of iterates
 * when the optimizer keeps one).
 */
export type TargetMetric = 'trainLoss' | 'testLoss' | 'accuracy' | 'testAccuracy';

export const TARGET_METRICS: readonly TargetMetric[] = ['trainLoss', 'testLoss', 'accuracy', 'testAccuracy'];

export interface TrainTarget {
  metric: TargetMetric;
  value: number;
  /** Evaluate every k steps (and, with relativeResolution, also at geometrically spaced early steps). */
  evalEvery: number;
  /**
   * Also evaluate at steps ceil((1 + r)^i), so that the step at which the target is first seen is
   * known to within a factor 1 + r however few steps a run needs (large batches need few).
   */
  relativeResolution?: number;
  /** Examples in the fixed evaluation subset (default 1000, at most the set's size). */
  evalSize?: number;
  /**
   * Loss metrics only: `value` is a fraction of the metric at the initial parameters (the
   * science-spec's "0.1 x the initial loss"), measured on the same evaluation subset.
   */
  relativeToInitial?: boolean;
}

export interface TrainBudget {
  /** Stop after this many steps whatever happened. */
  maxSteps: number;
  /**
   * A minibatch loss above this (or NaN/Inf) ends the run as 'diverged'. Default: 10 x the loss of
   * the first minibatch.
   */
  divergeAbove?: number;
}

/** 'reached': the target; 'budget': the step budget (or a lower limit set from outside) ran out. */
export type TrainStatus = 'reached' | 'budget' | 'diverged' | 'cancelled';

export interface TrainOptions {
  model: Model;
  train: Dataset;
  /** Needed for testLoss / testAccuracy targets. */
  test?: Dataset;
  optimizer: GradientTransformation<State>;
  batchSize: number;
  /** Seeds the parameters, the minibatch order, the evaluation subset and sampled targets. */
  seed: number;
  /** Without a target the loop runs to the budget. */
  target?: TrainTarget;
  budget: TrainBudget;
  /** Log a metric row every this many steps (default 1); evaluation steps and the last step are always logged. */
  logEvery?: number;
  /** Receives every metric row as it is produced (and should store it: the run's metrics.jsonl). */
  onMetrics?: (row: MetricRow) => void;
  /** Checkpoints: every `every` steps and/or at the end, into `dir`/checkpoint.json. */
  checkpoint?: { dir: string; every?: number; atEnd?: boolean };
  /** Continue from the checkpoint in this folder (written by an earlier run with the same settings). */
  resumeFrom?: string;
  /** Stops the loop between steps (status 'cancelled'). */
  signal?: AbortSignal;
  /**
   * Waits this long after every step. Only for watching a run live (UI tests set it through the
   * engine's OPTLAB_STEP_DELAY_MS): it changes no number the run computes, only its wall time.
   */
  stepDelayMs?: number;
  /**
   * A step limit below budget.maxSteps that may change while the loop runs (a sweep lowers it to the
   * best steps-to-target found so far: a trial that cannot beat it stops). Polled between steps.
   */
  stepLimit?: () => number;
  /** Hand control back to the event loop about this often (ms, default 50), so messages get through. */
  yieldEveryMs?: number;
  /** Milliseconds, monotonic (default performance.now). */
  clock?: () => number;
  /** Drop each epoch's last, smaller batch (default true, unless the batch is larger than the set). */
  dropLast?: boolean;
  /** Hand the final parameters back in the result (the caller then owns and disposes them). */
  returnParams?: boolean;
}

export interface TrainResult {
  status: TrainStatus;
  /** First evaluated step at which the target held; null when it was not reached. */
  stepsToTarget: number | null;
  /** Steps taken (including those before a resume): updates that moved the parameters. */
  steps: number;
  /** Updates before step 1 that only gathered statistics (K-FAC's burn-in), when there were any: not in steps or stepsToTarget. */
  warmupSteps?: number;
  examples: number;
  /** Seconds of training (including those before a resume). */
  wallTime: number;
  /** The last minibatch loss. */
  finalLoss: number | null;
  /** The target in the metric's own units (value x the initial metric with relativeToInitial). */
  targetValue: number | null;
  /** The target metric at the initial parameters (with relativeToInitial). */
  initialEvaluation?: number;
  /** The target metric at the last evaluation. */
  lastEvaluation: number | null;
  /** The best value of the target metric seen. */
  bestEvaluation: number | null;
  evaluations: number;
  /** Why the run diverged ('loss NaN at step 12', 'loss 1.2e4 > 23 at step 40'). */
  divergence?: string;
  /** True when the loop stopped at a stepLimit below the budget. */
  stoppedByLimit: boolean;
  /** The minibatch-loss threshold in force. */
  divergeAbove: number | null;
  resumedFrom?: number;
}
