// What the editor knows about an experiment file's results, computed once per store change and
// shared by the CodeLens, the decorations and the hover: its runs, the latest result per (label,
// batch size), the fitted critical batch sizes, and the curves of each optimizer entry.
import type { CriticalBatchReport } from '../../../engine/src/analysis/report-types';
import type { MetricRow, RunRecord } from '../../../engine/src/store/types';
import type { EngineSupervisor } from '../engine/engine-supervisor';
import type { WorkspaceExperiments } from '../explorer/workspace-experiments';
import { samePath } from '../model/experiment-runs';
import { criticalBatchFromRuns, resultAtLargestBatch } from '../model/latest-results';
import type { RunIndex } from '../store/run-index';
import { entryDecorationText, lastResultSummary } from './inline-text';

export interface ExperimentInsight {
  file: string;
  runs: RunRecord[];
  latest: RunRecord[];
  reports: CriticalBatchReport[];
  /** The CodeLens's "last run: ..." text, when there are results. */
  summary?: string;
  /** The session of this file that is running now, if any. */
  active?: { done: number; total: number };
}

export class ExperimentInsights {
  private readonly cache = new Map<string, Promise<ExperimentInsight>>();

  constructor(
    private readonly experiments: WorkspaceExperiments,
    private readonly runs: RunIndex,
    private readonly engine: EngineSupervisor,
  ) {}

  get(file: string, labelOrder: string[]): Promise<ExperimentInsight> {
    const key = `${file}\u0000${labelOrder.join('\u0000')}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.compute(file, labelOrder);
      this.cache.set(key, hit);
      hit.catch(() => this.cache.delete(key));
    }
    return hit;
  }

  invalidate(): void {
    this.cache.clear();
  }

  /** The text after an optimizer entry: sparkline of the largest batch size's latest loss curve and its steps. */
  entryText(insight: ExperimentInsight, label: string): string {
    const run = resultAtLargestBatch(insight.latest, label);
    const rows = run ? this.rowsOf(run) : undefined;
    const live = this.liveCount(insight.file, label);
    return entryDecorationText(run, rows, live);
  }

  /** The latest loss curve per batch size of one optimizer entry, batch size ascending. */
  curves(insight: ExperimentInsight, label: string): { run: RunRecord; rows: MetricRow[] }[] {
    return insight.latest.filter((r) => r.label === label).map((run) => ({ run, rows: this.rowsOf(run) }));
  }

  private rowsOf(run: RunRecord): MetricRow[] {
    try {
      return this.runs.rows(run);
    } catch {
      return [];
    }
  }

  private liveCount(file: string, label: string): { running: number; total: number } | undefined {
    for (const s of this.engine.sessions()) {
      if (!samePath(s.file, file)) continue;
      const mine = [...s.runs.values()].filter((r) => r.ref.label === label);
      if (!mine.length) continue;
      return { running: mine.filter((r) => r.status === 'queued' || r.status === 'running').length, total: mine.length };
    }
    return undefined;
  }

  private async compute(file: string, labelOrder: string[]): Promise<ExperimentInsight> {
    const runs = await this.experiments.runsOf(file);
    const { reports, runs: latest } = criticalBatchFromRuns(runs, labelOrder);
    const insight: ExperimentInsight = { file, runs, latest, reports };
    const summary = lastResultSummary(latest, reports);
    if (summary) insight.summary = summary;
    const session = this.engine.sessions().find((s) => samePath(s.file, file));
    if (session) insight.active = { done: session.progress?.done ?? 0, total: session.progress?.total ?? session.runs.size };
    return insight;
  }
}
