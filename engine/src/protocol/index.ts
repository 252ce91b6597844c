// The engine's public protocol: what the extension and the webviews may import from the engine.
export * from './engine-messages';
export * from './view-messages';
export type { CriticalBatchReport, ScalingRow, RunSummary, ExperimentResult } from '../analysis/report-types';
export type { Finding } from '../analysis/nqm-findings';
export type { MetricRow, RunStatus, RunRecord } from '../store/types';
