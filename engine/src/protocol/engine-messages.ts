// The engine process protocol: what the extension (or any host) sends to a forked `optlab serve`
// engine over the Node IPC channel, and what the engine sends back. Every message crossing the
// boundary is checked by parseEngineRequest / parseEngineEvent, which name the offending field.
import type { CriticalBatchReport, RunSummary } from '../analysis/report-types';
import type { Finding } from '../analysis/nqm-findings';
import { columnsProblem, rowsToColumns, type MetricColumns } from './metric-columns';
import type { MetricRow, RunStatus } from '../store/types';

// 2: metrics events carry the sequence number of their first row (`seq`); checkSetup / setupChecked
// (the editor's neural checks run in the engine process).
export const PROTOCOL_VERSION = 2;

// ---- host -> engine -------------------------------------------------------------------------

/** Run an experiment file into a store; `requestId` names the session in every reply. */
export interface StartRequest {
  type: 'start';
  requestId: string;
  file: string;
  store: string;
  workers?: number;
  /** The host's default compute backend for neural problems; an experiment's own `backend` wins. */
  backend?: 'auto' | 'cuda' | 'tensorflow' | 'wasm' | 'cpu';
  dataAccess?: DataAccess;
}
/**
 * Where dataset files may be read from besides the experiment file's folder and the engine's working
 * folder: the workspace folders, or anywhere when the user allowed it (optlab.allowDataOutsideWorkspace).
 */
export interface DataAccess {
  roots: string[];
  allowOutside?: boolean;
}
/** Stop one session (all its runs), or everything. */
export interface CancelRequest {
  type: 'cancel';
  requestId?: string;
}
export interface ShutdownRequest {
  type: 'shutdown';
}
/**
 * Check an experiment's text (as edited, maybe unsaved) with the engine's factories: optimizer
 * options, model and data of a neural problem. Answered by one setupChecked with the same
 * requestId. The extension host asks instead of loading TensorFlow.js itself.
 */
export interface CheckSetupRequest {
  type: 'checkSetup';
  requestId: string;
  text: string;
  /** Where the text belongs: relative dataset paths resolve against its folder. */
  file?: string;
  dataAccess?: DataAccess;
}
export type EngineRequest = StartRequest | CancelRequest | ShutdownRequest | CheckSetupRequest;

// ---- engine -> host -------------------------------------------------------------------------

export interface ReadyEvent {
  type: 'ready';
  protocol: number;
  engineVersion: string;
  backend: string;
  pid: number;
}
export interface RunRef {
  id: string;
  label: string;
  optimizer: string;
  batchSize?: number;
}
export interface ExperimentStartedEvent {
  type: 'experimentStarted';
  requestId: string;
  experiment: string;
  file: string;
  store: string;
  runs: RunRef[];
}
export interface RunStatusEvent {
  type: 'runStatus';
  requestId: string;
  runId: string;
  status: RunStatus;
  summary?: Record<string, unknown>;
  hyperparameters?: Record<string, unknown>;
  error?: { message: string; where?: string };
}
/**
 * Metric rows of one run, batched (at most one message per run per flush interval), as columns
 * (protocol/metric-columns.ts: NaN and infinities as the store writes them). They are consecutive
 * rows of the run's metrics.jsonl: row i has sequence number `seq + i` (its line index there), so
 * a host joins what it read from the store with what streams in without comparing rows. On the
 * wire a sender may give `rows` (objects) instead; parseEngineEvent turns them into columns.
 */
export interface MetricsEvent {
  type: 'metrics';
  requestId: string;
  runId: string;
  seq: number;
  columns: MetricColumns;
  length: number;
}
export interface ProgressEvent {
  type: 'progress';
  requestId: string;
  done: number;
  total: number;
  message: string;
}
export interface ExperimentFinishedEvent {
  type: 'experimentFinished';
  requestId: string;
  experiment: string;
  runs: RunSummary[];
  criticalBatchSize: CriticalBatchReport[];
  findings: Finding[];
  /** Neural sweeps: the NQM's prediction for the same optimizers and batch sizes (the panel overlays it). */
  prediction?: CriticalBatchReport[];
}
export interface ExperimentFailedEvent {
  type: 'experimentFailed';
  requestId: string;
  /** 'invalid' for a bad experiment file (the message names where), 'cancelled', or 'error'. */
  reason: 'invalid' | 'cancelled' | 'error';
  message: string;
}
/** A problem found by a setup check, at a JSON pointer into the experiment file ('' = the file). */
export interface SetupIssue {
  path: string;
  message: string;
}
/** The answer to a checkSetup: the issues, or why the check itself failed. */
export interface SetupCheckedEvent {
  type: 'setupChecked';
  requestId: string;
  issues: SetupIssue[];
  error?: string;
}
export interface LogEvent {
  type: 'log';
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}
export type EngineEvent =
  | ReadyEvent
  | ExperimentStartedEvent
  | RunStatusEvent
  | MetricsEvent
  | ProgressEvent
  | ExperimentFinishedEvent
  | ExperimentFailedEvent
  | SetupCheckedEvent
  | LogEvent;

// ---- validation ------------------------------------------------------------------------------

export class ProtocolError extends Error {}

type Obj = Record<string, unknown>;

function obj(x: unknown, what: string): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new ProtocolError(`${what}: expected an object, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
  return x as Obj;
}
function str(o: Obj, key: string, what: string, optional = false): void {
  if (optional && o[key] === undefined) return;
  if (typeof o[key] !== 'string') throw new ProtocolError(`${what}.${key}: expected a string, got ${typeof o[key]}`);
}
function num(o: Obj, key: string, what: string, optional = false): void {
  if (optional && o[key] === undefined) return;
  if (typeof o[key] !== 'number' || Number.isNaN(o[key])) throw new ProtocolError(`${what}.${key}: expected a number, got ${typeof o[key]}`);
}
function arr(o: Obj, key: string, what: string): unknown[] {
  if (!Array.isArray(o[key])) throw new ProtocolError(`${what}.${key}: expected an array`);
  return o[key] as unknown[];
}
function dataAccess(o: Obj, what: string): void {
  if (o.dataAccess === undefined) return;
  const a = obj(o.dataAccess, `${what}.dataAccess`);
  if (!arr(a, 'roots', `${what}.dataAccess`).every((r) => typeof r === 'string')) throw new ProtocolError(`${what}.dataAccess.roots: expected strings`);
  if (a.allowOutside !== undefined && typeof a.allowOutside !== 'boolean') throw new ProtocolError(`${what}.dataAccess.allowOutside: expected a boolean`);
}
function oneOf<T extends string>(o: Obj, key: string, allowed: readonly T[], what: string): void {
  if (!allowed.includes(o[key] as T)) throw new ProtocolError(`${what}.${key}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(o[key])}`);
}

const STATUSES: readonly RunStatus[] = ['queued', 'running', 'completed', 'failed', 'diverged', 'cancelled', 'crashed'];

export function parseEngineRequest(x: unknown): EngineRequest {
  const o = obj(x, 'request');
  const what = `request '${String(o.type)}'`;
  switch (o.type) {
    case 'start':
      str(o, 'requestId', what);
      str(o, 'file', what);
      str(o, 'store', what);
      num(o, 'workers', what, true);
      if (o.backend !== undefined) oneOf(o, 'backend', ['auto', 'cuda', 'tensorflow', 'wasm', 'cpu'] as const, what);
      dataAccess(o, what);
      return o as unknown as StartRequest;
    case 'cancel':
      str(o, 'requestId', what, true);
      return o as unknown as CancelRequest;
    case 'shutdown':
      return o as unknown as ShutdownRequest;
    case 'checkSetup':
      str(o, 'requestId', what);
      str(o, 'text', what);
      str(o, 'file', what, true);
      dataAccess(o, what);
      return o as unknown as CheckSetupRequest;
    default:
      throw new ProtocolError(`request: unknown type ${JSON.stringify(o.type)}`);
  }
}

export function parseEngineEvent(x: unknown): EngineEvent {
  const o = obj(x, 'event');
  const what = `event '${String(o.type)}'`;
  switch (o.type) {
    case 'ready':
      num(o, 'protocol', what);
      str(o, 'engineVersion', what);
      str(o, 'backend', what);
      num(o, 'pid', what);
      break;
    case 'experimentStarted':
      for (const k of ['requestId', 'experiment', 'file', 'store']) str(o, k, what);
      arr(o, 'runs', what).forEach((r, i) => {
        const run = obj(r, `${what}.runs[${i}]`);
        str(run, 'id', `${what}.runs[${i}]`);
        str(run, 'label', `${what}.runs[${i}]`);
        str(run, 'optimizer', `${what}.runs[${i}]`);
      });
      break;
    case 'runStatus':
      str(o, 'requestId', what);
      str(o, 'runId', what);
      oneOf(o, 'status', STATUSES, what);
      break;
    case 'metrics':
      str(o, 'requestId', what);
      str(o, 'runId', what);
      if (o.rows !== undefined || o.columns === undefined) {
        if (o.columns !== undefined) throw new ProtocolError(`${what}: expected either rows or columns`);
        const rows = arr(o, 'rows', what).map((r, i) => obj(r, `${what}.rows[${i}]`) as MetricRow);
        const chunk = rowsToColumns(rows);
        delete o.rows;
        o.columns = chunk.columns;
        o.length = chunk.length;
      } else {
        const problem = columnsProblem(o.columns, o.length, what);
        if (problem) throw new ProtocolError(problem);
      }
      if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 0) throw new ProtocolError(`${what}.seq: expected the non-negative integer sequence number of the first row, got ${JSON.stringify(o.seq)}`);
      break;
    case 'progress':
      str(o, 'requestId', what);
      num(o, 'done', what);
      num(o, 'total', what);
      str(o, 'message', what);
      break;
    case 'experimentFinished':
      str(o, 'requestId', what);
      str(o, 'experiment', what);
      arr(o, 'runs', what);
      arr(o, 'criticalBatchSize', what);
      arr(o, 'findings', what);
      if (o.prediction !== undefined) arr(o, 'prediction', what);
      break;
    case 'experimentFailed':
      str(o, 'requestId', what);
      oneOf(o, 'reason', ['invalid', 'cancelled', 'error'] as const, what);
      str(o, 'message', what);
      break;
    case 'setupChecked':
      str(o, 'requestId', what);
      arr(o, 'issues', what).forEach((x, i) => {
        const issue = obj(x, `${what}.issues[${i}]`);
        str(issue, 'path', `${what}.issues[${i}]`);
        str(issue, 'message', `${what}.issues[${i}]`);
      });
      str(o, 'error', what, true);
      break;
    case 'log':
      oneOf(o, 'level', ['debug', 'info', 'warn', 'error'] as const, what);
      str(o, 'message', what);
      break;
    default:
      throw new ProtocolError(`event: unknown type ${JSON.stringify(o.type)}`);
  }
  return o as unknown as EngineEvent;
}
