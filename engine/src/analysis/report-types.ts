// What an experiment reports: plain data shared with the CLI, the engine protocol and the panels.
// In analysis/ (beside the fit and the findings that produce it) so that nothing below the runners
// has to import a runner.

export interface RunSummary {
  id: string;
  label: string;
  optimizer: string;
  batchSize: number;
  status: 'completed' | 'diverged' | 'failed' | 'cancelled';
  stepsToTarget: number | null;
  hyperparameters: Record<string, number | null>;
  /** Progress text for a neural trial: 'diverged (...)', 'not reached in 2000 steps', ... */
  detail?: string;
}

export interface ScalingRow {
  batchSize: number;
  steps: number | null;
  learningRate: number | null;
  momentum?: number | null;
  decay?: number | null;
  /** The information-theoretic lower bound (NQM); NaN (null in JSON) for neural problems. */
  lowerBound: number;
  /** Neural sweeps: every searched option of the best grid point (learningRate, momentum, beta1, ...). */
  hyperparameters?: Record<string, number>;
  /** Neural sweeps with several seeds: each seed's steps (its own best grid point); `steps` is their geometric mean. */
  seedSteps?: (number | null)[];
  /** Set when some of the cell's trials failed or crashed (not diverged, not unreached): the cell is left out of the fit. */
  incomplete?: IncompleteCell;
}

/** A cell whose best grid point is unknown because trials failed (a dead worker, a write error, ...). */
export interface IncompleteCell {
  /** Trials that failed, of `trials` in the cell. */
  failed: { label: string; status: string; message: string }[];
  trials: number;
}

/** How an interval for B_crit was computed. */
export interface CriticalBatchIntervalMethod {
  /** profile-likelihood: one table (one seed, or the NQM); bootstrap-seeds: percentile bootstrap over seeds. */
  method: 'profile-likelihood' | 'bootstrap-seeds';
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** bootstrap-seeds: the number of seeds and resamples. */
  seeds?: number;
  resamples?: number;
}

/** One trial of a neural sweep (a grid point at a batch size). */
export interface TrialSummary {
  id: string;
  label: string;
  /** The optimizer entry's label. */
  optimizer: string;
  batchSize: number;
  status: 'completed' | 'diverged' | 'failed' | 'cancelled' | 'queued' | 'running' | 'crashed';
  stepsToTarget: number | null;
  steps: number;
  hyperparameters: Record<string, number>;
  /** Why a failed trial failed. */
  message?: string;
}

export interface CriticalBatchReport {
  optimizer: string;
  type: string;
  precondition: number;
  points: ScalingRow[];
  sMin: number | null;
  eMin: number | null;
  bCrit: number | null;
  /**
   * Confidence interval for B_crit as [low, high]; an end is null when the data do not bound B_crit on that
   * side (within 12 octaves of the measured batch sizes). Null when no interval exists (2 points fit exactly, no fit).
   */
  bCritInterval: [number | null, number | null] | null;
  /** How bCritInterval was computed; null when there is none. */
  bCritIntervalMethod: CriticalBatchIntervalMethod | null;
  /** True when the fitted B_crit lies outside the measured batch sizes (an extrapolation, or not identified). */
  extrapolated: boolean;
  /** Batch sizes left out of the fit because trials failed there (see ScalingRow.incomplete). */
  incompleteBatchSizes: number[];
  status: 'ok' | 'partial' | 'error';
  warnings: string[];
  slopes: { fromBatchSize: number; toBatchSize: number; slope: number }[];
  error?: string;
}

export interface ExperimentResult {
  experiment: string;
  file?: string;
  runs: RunSummary[];
  criticalBatchSize: CriticalBatchReport[];
  /** Neural sweeps: every trial. */
  trials?: TrialSummary[];
  /** Neural sweeps: the compute backend the workers used (device, threads, versions). */
  backend?: string;
  /** The NQM's prediction for the same optimizers and batch sizes, for overlay (neural sweeps). */
  prediction?: CriticalBatchReport[];
}
