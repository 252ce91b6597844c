// Coalesces metric rows per run and flushes them at most once per interval, so a host receives
// a bounded number of messages however fast runs log. Rows keep their sequence numbers: a batch
// is always a run of consecutive rows (a batch that would not be is sent first).
import type { MetricRow } from '../store/types';

interface Pending {
  seq: number;
  rows: MetricRow[];
}

export class MetricsBatcher {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: (runId: string, rows: MetricRow[], seq: number) => void,
    private readonly intervalMs = 100,
  ) {}

  /** Rows of `runId` numbered `seq`, `seq + 1`, ... */
  add(runId: string, rows: MetricRow[], seq: number): void {
    if (!rows.length) return;
    const list = this.pending.get(runId);
    if (list && list.seq + list.rows.length === seq) list.rows.push(...rows);
    else {
      // Not contiguous with what is waiting (never expected): deliver that first, keep both exact.
      if (list) this.send(runId, list.rows, list.seq);
      this.pending.set(runId, { seq, rows: rows.slice() });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batches = this.pending;
    this.pending = new Map();
    for (const [runId, { rows, seq }] of batches) this.send(runId, rows, seq);
  }
}
