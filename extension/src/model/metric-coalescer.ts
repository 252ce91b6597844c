// Coalesces live metric rows for one chart panel: rows from the engine are buffered per run and
// delivered at most once per interval (default 100 ms, i.e. at most ~10 flushes per second however
// fast runs log), in arrival order, none dropped. A panel is first seeded from the store up to a
// sequence number; live rows carry theirs (the engine numbers each run's rows at the source), so
// rows the panel already has are cut off exactly, and a hole in the numbering is reported (the
// panel then reloads that run) instead of being drawn as if nothing were missing.
import { concatColumns, sliceColumns, type ColumnChunk } from '../../../engine/src/protocol';

/** One run's pending rows, as columns. */
export type RunRows = { runId: string } & ColumnChunk;

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface CoalescerOptions {
  /** Minimum time between two flushes. */
  intervalMs?: number;
  /** Receives one flush: every run with pending rows, each once. */
  send: (batch: RunRows[]) => void;
  /**
   * Live rows of a run start after a hole (`expected` is the first missing sequence number): the
   * panel should reload the run (and seed it again) before the rows are taken.
   */
  onGap?: (runId: string, expected: number, got: number) => void;
  timers?: Timers;
}


export class MetricCoalescer {
  private readonly intervalMs: number;
  private readonly send: (batch: RunRows[]) => void;
  private readonly onGap: CoalescerOptions['onGap'];
  private readonly timers: Timers;
  private pending = new Map<string, ColumnChunk[]>();
  /** Per run, the sequence number of the next row the panel needs. */
  private next = new Map<string, number>();
  private timer: unknown = undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private disposed = false;
  /** Number of flushes so far (for tests and diagnostics). */
  flushes = 0;

  constructor(options: CoalescerOptions) {
    this.intervalMs = options.intervalMs ?? 100;
    this.send = options.send;
    this.onGap = options.onGap;
    this.timers = options.timers ?? realTimers;
  }

  /**
   * The panel was just given the rows of `runId` numbered below `nextSeq` (a reset from the store):
   * pending live rows of that run are dropped, and later live rows below `nextSeq` are skipped.
   */
  seed(runId: string, nextSeq: number): void {
    this.pending.delete(runId);
    this.next.set(runId, nextSeq);
  }

  /** Buffers live rows numbered `seq`, `seq + 1`, ...; returns how many were kept (rows the panel already has are skipped). */
  push(runId: string, seq: number, rows: ColumnChunk): number {
    if (this.disposed || rows.length === 0) return 0;
    let expected = this.next.get(runId);
    if (expected !== undefined && seq > expected && this.onGap) {
      this.onGap(runId, expected, seq);
      if (this.disposed) return 0;
      expected = this.next.get(runId);
    }
    // Unseeded runs take what comes; after a hole that a reload could not fill, too.
    const skip = expected === undefined ? 0 : Math.max(0, expected - seq);
    if (skip >= rows.length) return 0;
    const kept = sliceColumns(rows, skip);
    this.next.set(runId, seq + rows.length);
    const list = this.pending.get(runId);
    if (list) list.push(kept);
    else this.pending.set(runId, [kept]);
    this.schedule();
    return kept.length;
  }

  /** Takes the pending rows of one run now (e.g. to deliver them before its status changes). */
  takeRun(runId: string): RunRows | undefined {
    const chunks = this.pending.get(runId);
    if (!chunks) return undefined;
    this.pending.delete(runId);
    if (this.pending.size === 0) this.cancelTimer();
    return { runId, ...concatColumns(chunks) };
  }

  /** Forgets a run (it left the panel). */
  forget(runId: string): void {
    this.pending.delete(runId);
    this.next.delete(runId);
  }

  /** Forgets everything (the panel's view was reloaded and will be seeded again). */
  reset(): void {
    this.pending.clear();
    this.next.clear();
    this.cancelTimer();
  }

  pendingRows(): number {
    let n = 0;
    for (const chunks of this.pending.values()) for (const c of chunks) n += c.length;
    return n;
  }

  /** Delivers everything pending now. */
  flush(): void {
    this.cancelTimer();
    if (this.pending.size === 0 || this.disposed) return;
    const batch: RunRows[] = [...this.pending].map(([runId, chunks]) => ({ runId, ...concatColumns(chunks) }));
    this.pending = new Map();
    this.lastFlush = this.timers.now();
    this.flushes += 1;
    this.send(batch);
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    this.pending.clear();
    this.next.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
