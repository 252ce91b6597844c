// The metric rows the engine sent in the last few seconds, per run. The engine's store writer
// flushes rows every 250 ms, so a panel opened right now may find the newest rows not yet on disk:
// it takes the store's rows and adds these after them. Older rows are surely on disk and dropped.
import type { MetricRow } from '../../../engine/src';

export const RECENT_WINDOW_MS = 3000;

interface Chunk {
  at: number;
  rows: MetricRow[];
}

export class RecentRows {
  private readonly chunks = new Map<string, Chunk[]>();

  constructor(
    private readonly windowMs = RECENT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  add(runId: string, rows: MetricRow[]): void {
    if (!rows.length) return;
    const t = this.now();
    const list = this.chunks.get(runId) ?? [];
    list.push({ at: t, rows });
    this.chunks.set(runId, list);
    this.prune(t);
  }

  get(runId: string): MetricRow[] {
    this.prune(this.now());
    return (this.chunks.get(runId) ?? []).flatMap((c) => c.rows);
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

/** The store's rows followed by the recent rows it does not have yet (by step). */
export function mergeStoreAndRecent(stored: MetricRow[], recent: MetricRow[]): MetricRow[] {
  if (!recent.length) return stored;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of stored) if (typeof r.step === 'number' && r.step > last) last = r.step;
  if (last === Number.NEGATIVE_INFINITY) return stored.length ? stored : recent.slice();
  const extra = recent.filter((r) => typeof r.step === 'number' && r.step > last);
  return extra.length ? stored.concat(extra) : stored;
}
