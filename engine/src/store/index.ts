// Public API of the run store.
export { RunStore, type RunStoreOptions, type StoreProblem } from './run-store.js';
export { RunWriter, RUN_JSON, METRICS_JSONL } from './run-writer.js';
export { exportCsv, exportJson } from './export.js';
export { experimentResultPath, type ExperimentKey, type ExperimentResultRecord } from './experiment-results.js';
export { StoreError, RunNotFoundError, AmbiguousRunIdError } from './errors.js';
export { makeRunId, slugify } from './ids.js';
export type { StoreFs } from './fs-ops.js';
export {
  RUN_STATUSES,
  TERMINAL_STATUSES,
  isRunStatus,
  isTerminalStatus,
  type RunStatus,
  type RunRecord,
  type RunInit,
  type RunError,
  type RunOwner,
  type StatusPatch,
  type MetricRow,
  type MetricsReadResult,
  type MetricsTailResult,
} from './types.js';
