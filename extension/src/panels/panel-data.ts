// What a chart panel is sent, read from the run store (the source of truth) plus the rows the
// engine sent in the last moments that the store may not have flushed yet. No VS Code here.
import fs from 'node:fs';
import type { ColumnChunk, CriticalBatchMessage, RunInfo } from '../../../engine/src/protocol';
import type { CriticalBatchReport, ExperimentResultRecord, MetricRow, RecordedExperimentResult, RunRecord } from '../../../engine/src';
import { joinStoreAndRecent, type RecentRows } from '../engine/recent-rows';
import { outlineExperiment } from '../editor/experiment-outline';
import { experimentBaseName, experimentNameOf } from '../model/experiment-runs';
import { criticalBatchFromRuns } from '../model/latest-results';
import { toRunInfo } from '../model/run-info';
import type { RunIndex } from '../store/run-index';

export interface PanelDataSource {
  runs: RunIndex;
  recent: RecentRows;
  /** The runs of an experiment file, newest first. */
  runsOfExperiment(file: string): Promise<RunRecord[]>;
  /** The text of a file: from its open editor when there is one (it may be unsaved). */
  readText(file: string): string | undefined;
  /** What the engine recorded of the file's latest session (fits, prediction, findings): the store's experiment result. */
  resultOf?(file: string): ExperimentResultRecord | undefined;
  log(message: string): void;
}

export function loadRuns(ids: readonly string[], source: PanelDataSource): { records: RunRecord[]; infos: RunInfo[]; missing: string[] } {
  const records: RunRecord[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const record = source.runs.get(id);
    if (record) records.push(record);
    else missing.push(id);
  }
  return { records, infos: records.map(toRunInfo), missing };
}

/**
 * A run's rows: the store's, then the recent live rows it does not have yet, joined by sequence
 * number; `nextSeq` is the number of the first row the panel still has to receive live. Problems
 * are logged, never hidden.
 */
export function loadMetrics(record: RunRecord, source: PanelDataSource): ColumnChunk & { nextSeq: number } {
  let stored: { rows: MetricRow[]; nextSeq: number } = { rows: [], nextSeq: 0 };
  try {
    const result = source.runs.readMetrics(record);
    stored = { rows: result.rows, nextSeq: result.nextSeq };
    for (const w of result.warnings) if (!/does not exist/.test(w)) source.log(`run ${record.id}: ${w}`);
  } catch (err) {
    source.log(`cannot read the metrics of run ${record.id}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return joinStoreAndRecent(stored, source.recent, record.id);
}

export function fileText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export interface CriticalBatchData {
  message: CriticalBatchMessage;
  records: RunRecord[];
  experimentName: string;
}

/**
 * The critical-batch-size data of an experiment: the latest result per (label, batch size). Their
 * fits are the engine's own, as it recorded them for its latest session, when every latest result
 * is a run of that session; when they mix sessions (a newer session was cancelled halfway, runs of
 * another machine arrived) they are fitted here, with the engine's fit. The NQM prediction of a
 * neural sweep is the one the engine recorded.
 */
export async function loadCriticalBatch(file: string, source: PanelDataSource): Promise<CriticalBatchData> {
  const text = source.readText(file);
  const outline = text === undefined ? undefined : outlineExperiment(text);
  const runs = await source.runsOfExperiment(file);
  const labelOrder = outline?.entries.map((e) => e.label) ?? [];
  const data = criticalBatchFromRuns(runs, labelOrder);
  const experimentName = (text !== undefined ? experimentNameOf(text) : undefined) ?? runs[0]?.experiment.name ?? experimentBaseName(file);
  let recorded: Partial<RecordedExperimentResult> | undefined;
  let sessionRuns: ReadonlySet<string> = new Set();
  try {
    const stored = source.resultOf?.(file);
    recorded = stored?.result as Partial<RecordedExperimentResult> | undefined;
    sessionRuns = new Set(stored?.runIds ?? []);
  } catch (err) {
    source.log(`the recorded result of ${file} cannot be read (fitting its runs here instead): ${err instanceof Error ? err.message : String(err)}`);
  }
  const engineReports = Array.isArray(recorded?.criticalBatchSize) && data.runs.length > 0 && data.runs.every((r) => sessionRuns.has(r.id)) ? orderReports(recorded.criticalBatchSize, data.reports) : undefined;
  const prediction = Array.isArray(recorded?.prediction) && recorded.prediction.length > 0 ? recorded.prediction : undefined;
  return {
    message: { type: 'criticalBatch', experiment: experimentName, reports: engineReports ?? data.reports, runIds: data.runIds, ...(prediction && { prediction }) },
    records: data.runs,
    experimentName,
  };
}

/** The engine's reports in the panel's order (the file's labels), or undefined when they do not cover the same optimizers. */
function orderReports(engine: CriticalBatchReport[], local: CriticalBatchReport[]): CriticalBatchReport[] | undefined {
  const byLabel = new Map(engine.map((r) => [r.optimizer, r]));
  const ordered = local.map((r) => byLabel.get(r.optimizer));
  return ordered.every((r): r is CriticalBatchReport => r !== undefined) ? ordered : undefined;
}
