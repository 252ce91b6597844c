// Messages between the extension host and its chart panels (webviews). Both sides validate what
// they receive with parseHostMessage / parseViewMessage.
import type { CriticalBatchReport } from '../analysis/report-types';
import type { MetricRow, RunStatus } from '../store/types';

import { columnsProblem, type MetricColumns } from './metric-columns';
import { isPanelKind, type PanelKind } from './panels';

export type { PanelKind } from './panels';

/** What a panel knows about a run (run.json without the bulky parts). */
export interface RunInfo {
  id: string;
  experiment: string;
  label: string;
  optimizer: string;
  batchSize?: number;
  status: RunStatus;
  hyperparameters: Record<string, unknown>;
  summary: Record<string, unknown>;
  /** Flattened resolved config (dotted keys), for config diffs. */
  config: Record<string, string | number | boolean | null>;
  createdAt: string;
}

// ---- host -> view ----
export interface InitMessage {
  type: 'init';
  panel: PanelKind;
  title: string;
}
/** Replaces the panel's run list (metadata only). */
export interface RunsMessage {
  type: 'runs';
  runs: RunInfo[];
}
/** Metric rows in columnar form, as the engine sends them (protocol/metric-columns.ts). */
export type { MetricColumns } from './metric-columns';

/**
 * Rows for one run: as row objects (`rows`) or as columns (`columns` + `length`), never both;
 * `reset` first clears what the panel holds for that run.
 */
export type RunMetrics = { runId: string; reset?: boolean } & (
  | { rows: MetricRow[]; columns?: undefined; length?: undefined }
  | { columns: MetricColumns; length: number; rows?: undefined }
);

/** Appends rows to a run's series. */
export type MetricsMessage = { type: 'metrics' } & RunMetrics;

/** Rows for several runs in one message (the host's throttle sends one of these per interval). */
export interface MetricsBatchMessage {
  type: 'metricsBatch';
  batches: RunMetrics[];
}

export interface RunStatusMessage {
  type: 'runStatus';
  runId: string;
  status: RunStatus;
  summary?: Record<string, unknown>;
}
export interface CriticalBatchMessage {
  type: 'criticalBatch';
  experiment: string;
  reports: CriticalBatchReport[];
  /** Run id per (optimizer label, batch size), so a click on a point opens its run. */
  runIds: Record<string, Record<string, string>>;
  /** The NQM prediction to overlay, when the experiment is not itself an NQM study. */
  prediction?: CriticalBatchReport[];
}
export interface ExportPngRequest {
  type: 'exportPng';
  requestId: string;
}
export type HostMessage = InitMessage | RunsMessage | MetricsMessage | MetricsBatchMessage | RunStatusMessage | CriticalBatchMessage | ExportPngRequest;

// ---- view -> host ----
export interface ViewReady {
  type: 'ready';
}
export interface OpenRunRequest {
  type: 'openRun';
  runId: string;
}
export interface PngReply {
  type: 'png';
  requestId: string;
  /** data:image/png;base64,... of the panel's charts, or null when nothing is drawn. */
  dataUrl: string | null;
}
export interface ViewError {
  type: 'error';
  message: string;
}
export type ViewMessage = ViewReady | OpenRunRequest | PngReply | ViewError;

export class ViewProtocolError extends Error {}

function check(cond: boolean, message: string): void {
  if (!cond) throw new ViewProtocolError(message);
}
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** One run's rows: runId, then exactly one of rows (objects) or columns (equal-length arrays of numbers or null). */
function checkRunMetrics(o: Record<string, unknown>, where: string): void {
  check(typeof o.runId === 'string', `${where}.runId: expected a string`);
  check(o.reset === undefined || typeof o.reset === 'boolean', `${where}.reset: expected a boolean`);
  const hasRows = o.rows !== undefined;
  const hasColumns = o.columns !== undefined;
  check(hasRows !== hasColumns, `${where}: expected either rows or columns`);
  if (hasRows) {
    check(Array.isArray(o.rows) && (o.rows as unknown[]).every(isObj), `${where}.rows: expected an array of objects`);
    return;
  }
  const problem = columnsProblem(o.columns, o.length, where);
  if (problem) throw new ViewProtocolError(problem);
}

export function parseHostMessage(x: unknown): HostMessage {
  check(isObj(x), 'host message: expected an object');
  const o = x as Record<string, unknown>;
  switch (o.type) {
    case 'init':
      check(isPanelKind(o.panel), `init.panel: unknown panel ${JSON.stringify(o.panel)}`);
      check(typeof o.title === 'string', 'init.title: expected a string');
      break;
    case 'runs':
      check(Array.isArray(o.runs), 'runs.runs: expected an array');
      (o.runs as unknown[]).forEach((r, i) => check(isObj(r) && typeof r.id === 'string' && typeof r.label === 'string', `runs.runs[${i}]: expected a run with id and label`));
      break;
    case 'metrics':
      checkRunMetrics(o, 'metrics');
      break;
    case 'metricsBatch':
      check(Array.isArray(o.batches), 'metricsBatch.batches: expected an array');
      (o.batches as unknown[]).forEach((b, i) => {
        check(isObj(b), `metricsBatch.batches[${i}]: expected an object`);
        checkRunMetrics(b as Record<string, unknown>, `metricsBatch.batches[${i}]`);
      });
      break;
    case 'runStatus':
      check(typeof o.runId === 'string' && typeof o.status === 'string', 'runStatus: expected runId and status');
      break;
    case 'criticalBatch':
      check(typeof o.experiment === 'string' && Array.isArray(o.reports) && isObj(o.runIds), 'criticalBatch: expected experiment, reports and runIds');
      break;
    case 'exportPng':
      check(typeof o.requestId === 'string', 'exportPng.requestId: expected a string');
      break;
    default:
      throw new ViewProtocolError(`host message: unknown type ${JSON.stringify(o.type)}`);
  }
  return o as unknown as HostMessage;
}

export function parseViewMessage(x: unknown): ViewMessage {
  check(isObj(x), 'view message: expected an object');
  const o = x as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
      break;
    case 'openRun':
      check(typeof o.runId === 'string', 'openRun.runId: expected a string');
      break;
    case 'png':
      check(typeof o.requestId === 'string' && (o.dataUrl === null || (typeof o.dataUrl === 'string' && o.dataUrl.startsWith('data:image/png'))), 'png: expected requestId and a PNG data URL or null');
      break;
    case 'error':
      check(typeof o.message === 'string', 'error.message: expected a string');
      break;
    default:
      throw new ViewProtocolError(`view message: unknown type ${JSON.stringify(o.type)}`);
  }
  return o as unknown as ViewMessage;
}
