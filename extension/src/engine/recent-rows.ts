// The metric rows the engine sent in the last few seconds, per run, with their sequence numbers,
// as the columns they came in. The engine's store writer flushes rows every 250 ms, so a panel
// opened right now may find the newest rows not yet on disk: it takes the store's rows (numbered
// 0 .. nextSeq - 1) and then the recent rows from nextSeq on. Older rows are surely on disk and dropped.
import { concatColumns, rowsToColumns, sliceColumns, type ColumnChunk } from '../../../engine/src/protocol';
import type { MetricRow } from '../../../engine/src';

export const RECENT_WINDOW_MS = 3000;

interface Chunk {
  at: number;
  /** Sequence number of the chunk's first row. */
  seq: number;
  rows: ColumnChunk;
}

const EMPTY: ColumnChunk = { columns: {}, length: 0 };

export class RecentRows {
  private readonly chunks = new Map<string, Chunk[]>();

  constructor(
    private readonly windowMs = RECENT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Rows of `runId` numbered `seq`, `seq + 1`, ... */
  add(runId: string, rows: ColumnChunk, seq: number): void {
    if (!rows.length) return;
    const t = this.now();
    const list = this.chunks.get(runId) ?? [];
    list.push({ at: t, seq, rows });
    this.chunks.set(runId, list);
    this.prune(t);
  }

  /** The recent rows of a run numbered `from` and up, as one consecutive run of rows starting at `from` (empty if there is none). */
  since(runId: string, from: number): ColumnChunk {
    this.prune(this.now());
    const out: ColumnChunk[] = [];
    let next = from;
    for (const c of this.chunks.get(runId) ?? []) {
      const end = c.seq + c.rows.length;
      if (end <= next) continue;
      if (c.seq > next) break; // a hole: what follows cannot be joined
      out.push(sliceColumns(c.rows, next - c.seq));
      next = end;
    }
    return out.length ? concatColumns(out) : EMPTY;
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

/** The store's rows (numbered 0 .. nextSeq - 1) followed by the recent rows it does not have yet, as columns. */
export function joinStoreAndRecent(stored: { rows: readonly MetricRow[]; nextSeq: number }, recent: RecentRows, runId: string): ColumnChunk & { nextSeq: number } {
  const extra = recent.since(runId, stored.nextSeq);
  const rows = rowsToColumns(stored.rows);
  return extra.length ? { ...concatColumns([rows, extra]), nextSeq: stored.nextSeq + extra.length } : { ...rows, nextSeq: stored.nextSeq };
}
