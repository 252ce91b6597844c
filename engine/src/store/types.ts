// Shapes of what the run store keeps on disk: run.json (RunRecord) and metrics.jsonl (MetricRow per line).

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'diverged' | 'cancelled' | 'crashed';

export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'completed', 'failed', 'diverged', 'cancelled', 'crashed'];

export const TERMINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'diverged', 'cancelled', 'crashed'];

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value);
}

export function isTerminalStatus(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const RUN_SCHEMA_VERSION = 1;

export interface RunError {
  message: string;
  where?: string;
}

export interface RunRecord {
  schemaVersion: 1;
  id: string;
  experiment: { name: string; file?: string };
  label: string;
  /** Optimizer type, e.g. 'sgd'. */
  optimizer: string;
  batchSize?: number;
  /** The optimizer entry as written in the experiment file. */
  spec: unknown;
  /** The resolved config the run used. */
  config: unknown;
  hyperparameters: Record<string, unknown>;
  engine: { version: string; backend: string; node: string };
  status: RunStatus;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  /** e.g. stepsToTarget, finalLoss; non-finite numbers survive a round trip. */
  summary: Record<string, unknown>;
  error?: RunError;
  /** The process that created the run and writes it while it is queued or running. */
  owner?: RunOwner;
  /**
   * Set by readers only (never written): run.json still says queued/running but its owner process
   * is gone, so the run is reported as 'crashed'. `recordedStatus` is what run.json says.
   */
  orphan?: { recordedStatus: RunStatus; reason: string };
}

/** The process that owns an unfinished run (see owner.ts). */
export interface RunOwner {
  pid: number;
  host: string;
  /** When the owner process started (ISO time); tells a reused process id from the owner. */
  startedAt: string;
}

export interface RunInit {
  experiment: { name: string; file?: string };
  label: string;
  optimizer: string;
  batchSize?: number;
  spec: unknown;
  config: unknown;
  hyperparameters?: Record<string, unknown>;
  engine: { version: string; backend: string; node?: string };
  status?: RunStatus;
}

export interface StatusPatch {
  summary?: Record<string, unknown>;
  error?: RunError;
  hyperparameters?: Record<string, unknown>;
}

export type MetricRow = Record<string, number | string | null | boolean>;

export interface MetricsReadResult {
  rows: MetricRow[];
  /**
   * The sequence number the next row of this run gets. A row's sequence number is its index among
   * the complete (newline-terminated, non-blank) lines of metrics.jsonl, assigned by the writer when
   * it appends the row and carried by the live stream, so a reader can join the file and the stream
   * exactly: everything below `nextSeq` is in `rows` (a corrupt line still takes its number).
   */
  nextSeq: number;
  /** The last line was cut off or unparseable (e.g. the writer was killed mid-write); it is not in rows. */
  truncatedLastLine: boolean;
  /** One message per skipped line or dropped field, naming the file and line number. */
  warnings: string[];
}

export interface MetricsTailResult {
  rows: MetricRow[];
  /** Byte offset just past the last complete line read; pass it to the next tailMetrics call. */
  nextOffset: number;
  /** Bytes after the last newline exist (a line being written); they will be read by a later call. */
  partialLine: boolean;
  /** Skipped corrupt lines, named by byte offset (line numbers are unknown when tailing). */
  warnings: string[];
}
