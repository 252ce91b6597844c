// The extension's view of the run store (the source of truth on disk): the run list, cached until
// something changes (a watcher event, an engine event), and the metrics of finished runs, cached
// because they never change. No VS Code here.
import { isTerminalStatus, type MetricRow, type MetricsReadResult, type RunRecord, RunStore, type StoreProblem } from '../../../engine/src';
import { Emitter } from '../util/emitter';

const METRICS_CACHE_RUNS = 200;

export class RunIndex {
  private storeInstance: RunStore;
  private cached: { runs: RunRecord[]; problems: StoreProblem[]; byId: Map<string, RunRecord> } | undefined;
  private readonly metricsCache = new Map<string, { key: string; result: MetricsReadResult }>();
  private readonly changed = new Emitter<void>();
  /** Fired by invalidate(): the store may have changed. */
  readonly onDidChange = this.changed.event;

  constructor(root: string) {
    this.storeInstance = new RunStore(root);
  }

  get root(): string {
    return this.storeInstance.root;
  }

  get store(): RunStore {
    return this.storeInstance;
  }

  setRoot(root: string): void {
    if (new RunStore(root).root === this.storeInstance.root) return;
    this.storeInstance = new RunStore(root);
    this.metricsCache.clear();
    this.invalidate();
  }

  /** Every readable run, oldest first (the store's order). */
  list(): RunRecord[] {
    return this.load().runs;
  }

  /** Run folders that could not be read, each with the reason. */
  problems(): StoreProblem[] {
    return this.load().problems;
  }

  get(id: string): RunRecord | undefined {
    const hit = this.load().byId.get(id);
    if (hit) return hit;
    try {
      return this.storeInstance.get(id);
    } catch {
      return undefined;
    }
  }

  /** A run's metrics; finished runs are read once. */
  readMetrics(record: RunRecord): MetricsReadResult {
    const key = `${record.status}:${record.endedAt ?? ''}`;
    const hit = this.metricsCache.get(record.id);
    if (hit && hit.key === key && isTerminalStatus(record.status)) return hit.result;
    const result = this.storeInstance.readMetrics(record.id);
    if (isTerminalStatus(record.status)) {
      this.metricsCache.delete(record.id);
      this.metricsCache.set(record.id, { key, result });
      while (this.metricsCache.size > METRICS_CACHE_RUNS) this.metricsCache.delete(this.metricsCache.keys().next().value as string);
    }
    return result;
  }

  rows(record: RunRecord): MetricRow[] {
    return this.readMetrics(record).rows;
  }

  invalidate(): void {
    this.cached = undefined;
    this.changed.fire();
  }

  forgetMetrics(id: string): void {
    this.metricsCache.delete(id);
  }

  dispose(): void {
    this.changed.dispose();
    this.metricsCache.clear();
  }

  private load() {
    if (!this.cached) {
      let runs: RunRecord[] = [];
      let problems: StoreProblem[] = [];
      try {
        ({ runs, problems } = this.storeInstance.listWithProblems());
      } catch (err) {
        problems = [{ id: this.storeInstance.runsDir, message: err instanceof Error ? err.message : String(err) }];
      }
      this.cached = { runs, problems, byId: new Map(runs.map((r) => [r.id, r])) };
    }
    return this.cached;
  }
}
