// Appends rows to metrics.jsonl. Rows are buffered and written in one write per flush, so a killed
// process loses at most one flush interval; lines already on disk are never rewritten. The file is
// opened at the first write, not before: a queued run (a sweep creates all of them up front) holds
// no file descriptor, so a sweep holds about one open metrics file per running trial.
import { StoreError, errorText } from './errors.js';
import { type StoreFs, writeAllSync } from './fs-ops.js';
import { encodeMetricRow } from './json-codec.js';
import { countMetricLines } from './metrics-reader.js';
import { readFileSync } from 'node:fs';
import type { MetricRow } from './types.js';

export interface MetricsWriterOptions {
  fs: StoreFs;
  /** 0 writes on every append. */
  flushIntervalMs: number;
  fsyncOnFlush: boolean;
  /** Flush early when this many rows are waiting, to bound memory. */
  maxBufferedRows: number;
  /** Receives a write failure hit by the background timer (which has nobody to throw to). */
  onError?: (error: StoreError) => void;
}

export class MetricsWriter {
  readonly path: string;
  private readonly opts: MetricsWriterOptions;
  private fd: number | undefined;
  private closed = false;
  private pending: string[] = [];
  /** File size after the last successful write; a failed write is rolled back to it. */
  private committedSize: number;
  private timer: NodeJS.Timeout | undefined;
  private failure: StoreError | undefined;
  /** Whether the caller has already been told about `failure` (by a throw or onError). */
  private failureReported = false;
  /** Sequence number of the next appended row: its line index in the file (see MetricsReadResult.nextSeq). */
  private seq = 0;

  constructor(path: string, opts: MetricsWriterOptions) {
    this.path = path;
    this.opts = opts;
    // Creates the file (so readers find an empty run, not a missing file) and learns its size; the
    // descriptor is closed again at once.
    let fd: number | undefined;
    try {
      fd = opts.fs.openSync(path, 'a');
      this.committedSize = opts.fs.fstatSize(fd);
      // Appending to an existing file (a resumed run): numbering continues after its lines.
      if (this.committedSize > 0) this.seq = countMetricLines(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new StoreError(`cannot open metrics file ${path}: ${errorText(err)}`, { path, cause: err });
    } finally {
      if (fd !== undefined) {
        try {
          opts.fs.closeSync(fd);
        } catch {
          // nothing was written through it
        }
      }
    }
  }

  /** Opens the file for the first write; a failure is the metrics' failure. */
  private open(): number {
    if (this.fd !== undefined) return this.fd;
    try {
      this.fd = this.opts.fs.openSync(this.path, 'a');
      // Someone may have truncated a cut-off line since; append after what is there now.
      this.committedSize = this.opts.fs.fstatSize(this.fd);
    } catch (err) {
      if (this.fd !== undefined) {
        try {
          this.opts.fs.closeSync(this.fd);
        } catch {
          // the open error is the useful one
        }
      }
      this.fd = undefined;
      this.failure = new StoreError(`cannot open metrics file ${this.path}: ${errorText(err)}`, { path: this.path, cause: err });
      this.failureReported = true;
      throw this.failure;
    }
    return this.fd;
  }

  get failed(): StoreError | undefined {
    return this.failure;
  }

  get bufferedRows(): number {
    return this.pending.length;
  }

  /** The sequence number the next appended row gets. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Buffers one row; returns its sequence number. */
  append(row: MetricRow): number {
    this.throwIfUnusable();
    // Encode now: validates the row early and snapshots it against later mutation by the caller.
    this.pending.push(encodeMetricRow(row) + '\n');
    const seq = this.seq++;
    if (this.timer === undefined && this.opts.flushIntervalMs > 0) {
      this.timer = setInterval(() => this.flushFromTimer(), this.opts.flushIntervalMs);
      this.timer.unref(); // never keep the process alive just to flush
    }
    if (this.opts.flushIntervalMs === 0 || this.pending.length >= this.opts.maxBufferedRows) this.flush();
    return seq;
  }

  flush(fsync: boolean = this.opts.fsyncOnFlush): void {
    this.throwIfUnusable();
    if (this.pending.length === 0) {
      const open = this.fd;
      if (fsync && open !== undefined) this.guard(0, () => this.opts.fs.fsyncSync(open));
      return;
    }
    const fd = this.open();
    const data = Buffer.from(this.pending.join(''), 'utf8');
    const rows = this.pending.length;
    this.guard(rows, () => {
      writeAllSync(this.opts.fs, fd, data);
      if (fsync) this.opts.fs.fsyncSync(fd);
    });
    this.committedSize += data.length;
    this.pending = [];
  }

  /** Flush + fsync + close. Rethrows a write failure the caller has not been told about yet. */
  close(): void {
    if (this.closed) return;
    this.stopTimer();
    let error: StoreError | undefined;
    if (this.failure) {
      if (!this.failureReported) error = this.failure;
      this.failureReported = true;
    } else {
      try {
        this.flush(true);
      } catch (err) {
        error = err as StoreError;
      }
    }
    this.closed = true;
    this.stopTimer(); // the flush may have opened the file (and started the timer)
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (fd !== undefined) this.opts.fs.closeSync(fd);
    } catch (err) {
      error ??= new StoreError(`cannot close metrics file ${this.path}: ${errorText(err)}`, { path: this.path, cause: err });
    }
    if (error) throw error;
  }

  private guard(rows: number, op: () => void): void {
    try {
      op();
    } catch (err) {
      // Cut off any partial line so later readers (and a retry) never see half a row glued to the next one.
      try {
        this.opts.fs.ftruncateSync(this.fd as number, this.committedSize);
      } catch {
        // the original error is the one worth reporting
      }
      const what = rows > 0 ? `cannot append ${rows} row${rows === 1 ? '' : 's'} to` : 'cannot sync';
      this.failure = new StoreError(`${what} metrics file ${this.path}: ${errorText(err)}`, { path: this.path, cause: err });
      this.failureReported = true;
      this.stopTimer();
      throw this.failure;
    }
  }

  private flushFromTimer(): void {
    if (this.failure || this.closed) return;
    try {
      this.flush();
    } catch (err) {
      // Nobody is on the stack to catch this: hand it to onError, or keep it for the next call.
      if (this.opts.onError) this.opts.onError(err as StoreError);
      else this.failureReported = false;
    }
  }

  private throwIfUnusable(): void {
    if (this.closed) throw new StoreError(`metrics file ${this.path} is closed`, { path: this.path });
    if (this.failure) {
      this.failureReported = true;
      throw this.failure;
    }
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
