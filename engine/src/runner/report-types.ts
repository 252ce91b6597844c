// What an experiment reports: plain data shared with the CLI, the engine protocol and the panels.

export interface RunSummary {
  id: string;
  label: string;
  optimizer: string;
  batchSize: number;
  status: 'completed' | 'failed' | 'cancelled';
  stepsToTarget: number | null;
  hyperparameters: Record<string, number | null>;
}

export interface ScalingRow {
  batchSize: number;
  steps: number | null;
  learningRate: number | null;
  momentum?: number | null;
  decay?: number | null;
  lowerBound: number;
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
}
