// Coalesces metric rows per run and flushes them at most once per interval, so a host receives
// a bounded number of messages however fast runs log.
import type { MetricRow } from '../store/types';

export class MetricsBatcher {
  private pending = new Map<string, MetricRow[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: (runId: string, rows: MetricRow[]) => void,
    private readonly intervalMs = 100,
  ) {}

  add(runId: string, rows: MetricRow[]): void {
    if (!rows.length) return;
    const list = this.pending.get(runId);
    if (list) list.push(...rows);
    else this.pending.set(runId, rows.slice());
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
    for (const [runId, rows] of batches) this.send(runId, rows);
  }
}
