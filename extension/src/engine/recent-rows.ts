// The metric rows the engine sent in the last few seconds, per run, with their sequence numbers.
// The engine's store writer flushes rows every 250 ms, so a panel opened right now may find the
// newest rows not yet on disk: it takes the store's rows (numbered 0 .. nextSeq - 1) and then the
// recent rows from nextSeq on. Older rows are surely on disk and dropped.
import type { MetricRow } from '../../../engine/src';

export const RECENT_WINDOW_MS = 3000;

interface Chunk {
  at: number;
  /** Sequence number of rows[0]. */
  seq: number;
  rows: MetricRow[];
}

export class RecentRows {
  private readonly chunks = new Map<string, Chunk[]>();

  constructor(
    private readonly windowMs = RECENT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Rows of `runId` numbered `seq`, `seq + 1`, ... */
  add(runId: string, rows: MetricRow[], seq: number): void {
    if (!rows.length) return;
    const t = this.now();
    const list = this.chunks.get(runId) ?? [];
    list.push({ at: t, seq, rows });
    this.chunks.set(runId, list);
    this.prune(t);
  }

  /** The recent rows of a run numbered `from` and up, as one consecutive run of rows starting at `from` (empty if there is none). */
  since(runId: string, from: number): MetricRow[] {
    this.prune(this.now());
    const out: MetricRow[] = [];
    let next = from;
    for (const c of this.chunks.get(runId) ?? []) {
      const end = c.seq + c.rows.length;
      if (end <= next) continue;
      if (c.seq > next) break; // a hole: what follows cannot be joined
      for (let i = next - c.seq; i < c.rows.length; i++) out.push(c.rows[i]);
      next = end;
    }
    return out;
  }

  forget(runId: string): void {
    this.chunks.delete(runId);
  }

  clear(): void {
    this.chunks.clear();
  }

  private prune(t: number): void {
    for (const [runId, list] of this.chunks) {
      const kept = list.filter((c) => t - c.at <= this.windowMs);
      if (kept.length) this.chunks.set(runId, kept);
      else this.chunks.delete(runId);
    }
  }
}

/** The store's rows (numbered 0 .. nextSeq - 1) followed by the recent rows it does not have yet. */
export function joinStoreAndRecent(stored: { rows: MetricRow[]; nextSeq: number }, recent: RecentRows, runId: string): { rows: MetricRow[]; nextSeq: number } {
  const extra = recent.since(runId, stored.nextSeq);
  return extra.length ? { rows: stored.rows.concat(extra), nextSeq: stored.nextSeq + extra.length } : stored;
}
