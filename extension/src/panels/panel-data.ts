// What a chart panel is sent, read from the run store (the source of truth) plus the rows the
// engine sent in the last moments that the store may not have flushed yet. No VS Code here.
import fs from 'node:fs';
import type { CriticalBatchMessage, RunInfo } from '../../../engine/src/protocol/view-messages';
import type { CriticalBatchReport } from '../../../engine/src/analysis/report-types';
import type { MetricRow, RunRecord } from '../../../engine/src/store/types';
import { mergeStoreAndRecent, type RecentRows } from '../engine/recent-rows';
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
  /** The NQM prediction of the file's latest neural sweep, to overlay (see PredictionBook). */
  predictionOf?(file: string): CriticalBatchReport[] | undefined;
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

/** A run's rows: the store's, then the recent live rows it does not have yet. Problems are logged, never hidden. */
export function loadMetrics(record: RunRecord, source: PanelDataSource): MetricRow[] {
  let stored: MetricRow[] = [];
  try {
    const result = source.runs.readMetrics(record);
    stored = result.rows;
    for (const w of result.warnings) if (!/does not exist/.test(w)) source.log(`run ${record.id}: ${w}`);
  } catch (err) {
    source.log(`cannot read the metrics of run ${record.id}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return mergeStoreAndRecent(stored, source.recent.get(record.id));
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

/** The critical-batch-size data of an experiment: the latest result per (label, batch size), fitted. */
export async function loadCriticalBatch(file: string, source: PanelDataSource): Promise<CriticalBatchData> {
  const text = source.readText(file);
  const outline = text === undefined ? undefined : outlineExperiment(text);
  const runs = await source.runsOfExperiment(file);
  const labelOrder = outline?.entries.map((e) => e.label) ?? [];
  const data = criticalBatchFromRuns(runs, labelOrder);
  const experimentName = (text !== undefined ? experimentNameOf(text) : undefined) ?? runs[0]?.experiment.name ?? experimentBaseName(file);
  const prediction = source.predictionOf?.(file);
  return {
    message: { type: 'criticalBatch', experiment: experimentName, reports: data.reports, runIds: data.runIds, ...(prediction && { prediction }) },
    records: data.runs,
    experimentName,
  };
}
