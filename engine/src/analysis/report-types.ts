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
}

export interface CriticalBatchReport {
  optimizer: string;
  type: string;
  precondition: number;
  points: ScalingRow[];
  sMin: number | null;
  eMin: number | null;
  bCrit: number | null;
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
