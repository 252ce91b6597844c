// The training loop (steps-to-target), its checkpoints and the task losses.
export * from './types';
export { train, meetsTarget, isLossMetric, isTestMetric, TrainConfigError, DEFAULT_DIVERGE_FACTOR } from './loop';
export { evalSchedule, type EvalSchedule } from './eval-schedule';
export { CHECKPOINT_FILE, CheckpointError, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint';
