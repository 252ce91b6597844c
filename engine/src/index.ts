// The engine's public entry: everything the extension imports from the engine, besides the
// messages of protocol/: types, and functions that need no TensorFlow.js (only the engine process
// loads it; test/engine/public-entry.test.ts checks that nothing here reaches it).
// The extension and the webviews import nothing else from engine/ (.dependency-cruiser.cjs and
// eslint.config.mjs enforce it).

// ---- the run store: records, metric rows, reading and exporting ---------------------------
export { RunStore, exportCsv, exportJson, slugify, type StoreProblem, type ExperimentKey, type ExperimentResultRecord } from './store';
export { EXPORTERS, exporterFor, type Exporter } from './export';
export type { RecordedExperimentResult } from './runner/index';
export { isTerminalStatus, type MetricRow, type MetricsReadResult, type RunRecord, type RunStatus } from './store/types';

// ---- experiment files: parse, validate, locate in the text --------------------------------
export { parseExperiment } from './experiment/load';
export { ExperimentError, defaultLabel, type ExperimentIssue } from './experiment/validate';
export { parseJsonWithLocation, type JsonDocument, type SourceRange } from './experiment/json-locate';
export { expandBatchSizes } from './experiment/grid';
export type { BatchSizesSpec, ExperimentFile, OptimizerEntry, ResolvedOptimizer } from './experiment/types';

// ---- results: critical-batch reports ------------------------------------------------------
export type { CriticalBatchReport, ScalingRow } from './analysis/report-types';
export { criticalBatchReport } from './analysis/critical-batch-report';
