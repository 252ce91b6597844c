// Coalesces live metric rows for one chart panel: rows from the engine are buffered per run and
// delivered at most once per interval (default 100 ms, i.e. at most ~10 flushes per second however
// fast runs log), in arrival order, none dropped. A panel is first seeded from the store; live rows
// that the store already had (the overlap between the two) are recognised and skipped, so a curve
// never gets a point twice.
import type { MetricRow } from '../../../engine/src';

export interface RunRows {
  runId: string;
  rows: MetricRow[];
}

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
  timers?: Timers;
}

interface Seed {
  /** Highest step the store had for the run. */
  step: number;
  /** The rows at that step, as JSON, to recognise a live copy of them. */
  atStep: Set<string>;
}

const stepOf = (row: MetricRow): number | undefined => (typeof row.step === 'number' && Number.isFinite(row.step) ? row.step : undefined);

export class MetricCoalescer {
  private readonly intervalMs: number;
  private readonly send: (batch: RunRows[]) => void;
  private readonly timers: Timers;
  private pending = new Map<string, MetricRow[]>();
  private seeds = new Map<string, Seed>();
  private timer: unknown = undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private disposed = false;
  /** Number of flushes so far (for tests and diagnostics). */
  flushes = 0;

  constructor(options: CoalescerOptions) {
    this.intervalMs = options.intervalMs ?? 100;
    this.send = options.send;
    this.timers = options.timers ?? realTimers;
  }

  /**
   * The panel was just given `rows` for `runId` from the store (a reset): pending live rows of that
   * run are dropped, and later live rows already among `rows` are skipped.
   */
  seed(runId: string, rows: MetricRow[]): void {
    this.pending.delete(runId);
    let step = Number.NEGATIVE_INFINITY;
    for (const row of rows) {
      const s = stepOf(row);
      if (s !== undefined && s > step) step = s;
    }
    if (step === Number.NEGATIVE_INFINITY) {
      this.seeds.delete(runId);
      return;
    }
    const atStep = new Set(rows.filter((r) => stepOf(r) === step).map((r) => JSON.stringify(r)));
    this.seeds.set(runId, { step, atStep });
  }

  /** Buffers live rows; returns how many were kept (rows the seed already had are skipped). */
  push(runId: string, rows: MetricRow[]): number {
    if (this.disposed || rows.length === 0) return 0;
    let kept = rows;
    const seed = this.seeds.get(runId);
    if (seed) {
      kept = rows.filter((row) => {
        const s = stepOf(row);
        if (s === undefined) return true;
        if (s < seed.step) return false;
        if (s === seed.step) return !seed.atStep.has(JSON.stringify(row));
        return true;
      });
      // Once past the seeded step, the overlap is over.
      if (kept.some((r) => (stepOf(r) ?? Number.NEGATIVE_INFINITY) > seed.step)) this.seeds.delete(runId);
    }
    if (kept.length === 0) return 0;
    const list = this.pending.get(runId);
    if (list) for (const row of kept) list.push(row);
    else this.pending.set(runId, kept.slice());
    this.schedule();
    return kept.length;
  }

  /** Takes the pending rows of one run now (e.g. to deliver them before its status changes). */
  takeRun(runId: string): RunRows | undefined {
    const rows = this.pending.get(runId);
    if (!rows) return undefined;
    this.pending.delete(runId);
    if (this.pending.size === 0) this.cancelTimer();
    return { runId, rows };
  }

  /** Forgets a run (it left the panel). */
  forget(runId: string): void {
    this.pending.delete(runId);
    this.seeds.delete(runId);
  }

  /** Forgets everything (the panel's view was reloaded and will be seeded again). */
  reset(): void {
    this.pending.clear();
    this.seeds.clear();
    this.cancelTimer();
  }

  pendingRows(): number {
    let n = 0;
    for (const rows of this.pending.values()) n += rows.length;
    return n;
  }

  /** Delivers everything pending now. */
  flush(): void {
    this.cancelTimer();
    if (this.pending.size === 0 || this.disposed) return;
    const batch: RunRows[] = [...this.pending].map(([runId, rows]) => ({ runId, rows }));
    this.pending = new Map();
    this.lastFlush = this.timers.now();
    this.flushes += 1;
    this.send(batch);
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    this.pending.clear();
    this.seeds.clear();
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
