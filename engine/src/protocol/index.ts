// The engine's public protocol: the messages between the extension, the engine process and the
// webviews, the types they carry, and the pure functions a view draws with. The webviews import
// nothing else from the engine (the extension also has ../index.ts), so everything reachable from
// here must run in a browser: no Node modules, no TensorFlow.js (test/engine/public-entry.test.ts).
export * from './engine-messages';
export * from './view-messages';
export type { CriticalBatchReport, ScalingRow, RunSummary, ExperimentResult } from '../analysis/report-types';
export type { Finding } from '../analysis/nqm-findings';
export type { MetricRow, RunStatus, RunRecord } from '../store/types';
export { predictSteps } from '../analysis/critical-batch';
export { geomspace } from '../util/numpy-ranges';
export * from './panels';
export * from './metric-columns';
export { metricMeta, METRIC_DECLARATIONS, LM_THRESHOLDS, type MetricDeclaration, type MetricKind, type MetricMeta, type ReferenceLine } from './metric-catalog';
