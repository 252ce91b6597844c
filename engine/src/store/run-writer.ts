// The handle a running experiment uses: buffered metric appends plus atomic run.json updates.
import path from 'node:path';
import { writeFileAtomicSync } from './atomic-write.js';
import { StoreError } from './errors.js';
import type { StoreFs } from './fs-ops.js';
import { MetricsWriter, type MetricsWriterOptions } from './metrics-writer.js';
import { serializeRunRecord } from './run-record.js';
import { isTerminalStatus, type MetricRow, type RunRecord, type RunStatus, type StatusPatch } from './types.js';

export const RUN_JSON = 'run.json';
export const METRICS_JSONL = 'metrics.jsonl';

export interface RunWriterOptions extends MetricsWriterOptions {
  fs: StoreFs;
  now: () => Date;
}

/** Refuses moves out of a terminal status and back to 'queued', so a finished run is never reopened. */
export function checkTransition(id: string, from: RunStatus, to: RunStatus): void {
  if (isTerminalStatus(from)) throw new StoreError(`run ${id} is already '${from}'; cannot change it to '${to}'`);
  if (to === 'queued' && from !== 'queued') throw new StoreError(`run ${id} is '${from}'; cannot move it back to 'queued'`);
}

export class RunWriter {
  readonly id: string;
  readonly dir: string;
  readonly runJsonPath: string;
  readonly metricsPath: string;
  private current: RunRecord;
  private readonly metrics: MetricsWriter;
  private readonly opts: RunWriterOptions;
  private closed = false;

  /** @internal Use RunStore.create(); it writes the first run.json before constructing this. */
  constructor(dir: string, record: RunRecord, opts: RunWriterOptions) {
    this.id = record.id;
    this.dir = dir;
    this.runJsonPath = path.join(dir, RUN_JSON);
    this.metricsPath = path.join(dir, METRICS_JSONL);
    this.current = record;
    this.opts = opts;
    this.metrics = new MetricsWriter(this.metricsPath, opts);
  }

  /** A copy of the record as last written to run.json. */
  get record(): RunRecord {
    return structuredClone(this.current);
  }

  get status(): RunStatus {
    return this.current.status;
  }

  /** Buffers one row; returns its sequence number (its line index in metrics.jsonl). */
  append(row: MetricRow): number {
    this.assertOpen();
    return this.metrics.append(row);
  }

  /**
   * Appends rows in order and returns the sequence number of the first: the rows are numbered
   * `from`, `from + 1`, ... (what the live stream sends with them, see protocol MetricsEvent.seq).
   */
  appendRows(rows: readonly MetricRow[]): { from: number } {
    this.assertOpen();
    const from = this.metrics.nextSeq;
    for (const row of rows) this.metrics.append(row);
    return { from };
  }

  flush(): void {
    this.assertOpen();
    this.metrics.flush();
  }

  setStatus(status: RunStatus, patch: StatusPatch = {}): void {
    this.assertOpen();
    this.applyStatus(status, patch);
  }

  /** Shallow-merges into summary and rewrites run.json (one atomic write + fsync per call). */
  updateSummary(summary: Record<string, unknown>): void {
    this.assertOpen();
    this.persist({ ...this.current, summary: { ...this.current.summary, ...structuredClone(summary) } });
  }

  /**
   * Flushes and fsyncs the metrics, then records finalStatus (if given). If the metrics could not be
   * written, the run is recorded as 'failed' instead (a 'completed' run with missing rows would lie),
   * and a write error the caller has not seen yet is thrown.
   */
  close(finalStatus?: RunStatus): void {
    if (this.closed) return;
    this.closed = true;
    let unseen: StoreError | undefined;
    try {
      this.metrics.close();
    } catch (err) {
      unseen = err as StoreError;
    }
    const failure = this.metrics.failed ?? unseen;
    if (failure && !isTerminalStatus(this.current.status)) {
      try {
        this.applyStatus('failed', { error: { message: failure.message, where: METRICS_JSONL } });
      } catch (err) {
        if (!unseen) throw err;
        // Likely the same full disk; keep the metrics error first since it is the root cause.
        const message = `${unseen.message}; also could not record the failure: ${(err as Error).message}`;
        throw new StoreError(message, { path: unseen.path, cause: unseen });
      }
    }
    if (unseen) throw unseen;
    if (!failure && finalStatus !== undefined && finalStatus !== this.current.status) this.applyStatus(finalStatus, {});
  }

  private applyStatus(status: RunStatus, patch: StatusPatch): void {
    const cur = this.current;
    // Re-sending 'running' (e.g. to patch hyperparameters) is fine; touching a finished run is not.
    if (status !== cur.status || isTerminalStatus(status)) checkTransition(this.id, cur.status, status);
    const next: RunRecord = { ...cur, status };
    if (patch.summary) next.summary = { ...cur.summary, ...structuredClone(patch.summary) };
    if (patch.hyperparameters) next.hyperparameters = { ...cur.hyperparameters, ...structuredClone(patch.hyperparameters) };
    if (patch.error) next.error = { ...patch.error };
    const now = this.opts.now().toISOString();
    if (status === 'running' && next.startedAt === undefined) next.startedAt = now;
    if (isTerminalStatus(status)) {
      next.endedAt = now;
      // Metrics reach the disk before run.json says the run is over, so a reader that sees
      // a terminal status also sees every row. Skipped when the metrics file is already broken.
      if (!this.metrics.failed && !this.closed) this.metrics.flush(true);
    }
    this.persist(next);
  }

  private persist(next: RunRecord): void {
    writeFileAtomicSync(this.opts.fs, this.runJsonPath, serializeRunRecord(next));
    this.current = next;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`run ${this.id} is closed (${this.dir})`, { path: this.dir });
  }
}
