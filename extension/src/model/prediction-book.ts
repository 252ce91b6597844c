// The NQM prediction of each experiment file's latest neural sweep. The engine computes it at the
// end of a sweep and sends it with experimentFinished; the run store keeps runs, not experiments,
// so the critical-batch panel would lose it on its next refresh or after a window reload. It is
// kept here, per file, in a key-value store (the workspace state). No VS Code here.
import type { CriticalBatchReport } from '../../../engine/src/analysis/report-types';
import { normalizePath } from './experiment-runs';

/** What the book needs from its store (vscode.Memento fits). */
export interface KeyValueStore {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

const KEY_PREFIX = 'optlab.prediction:';

const isReport = (r: unknown): r is CriticalBatchReport =>
  typeof r === 'object' && r !== null && typeof (r as CriticalBatchReport).optimizer === 'string' && Array.isArray((r as CriticalBatchReport).points);

export class PredictionBook {
  constructor(private readonly store: KeyValueStore) {}

  /**
   * Records a finished sweep's prediction; a sweep without one (an NQM study, or the prediction
   * failed) clears the previous one, which no longer matches the file's runs.
   */
  record(file: string, prediction: readonly CriticalBatchReport[] | undefined): Promise<void> {
    const value = prediction && prediction.length > 0 ? prediction : undefined;
    return Promise.resolve(this.store.update(KEY_PREFIX + normalizePath(file), value));
  }

  /** The file's prediction; stored data that is not a list of reports counts as none. */
  get(file: string): CriticalBatchReport[] | undefined {
    const v = this.store.get(KEY_PREFIX + normalizePath(file));
    return Array.isArray(v) && v.length > 0 && v.every(isReport) ? (v as CriticalBatchReport[]) : undefined;
  }
}
