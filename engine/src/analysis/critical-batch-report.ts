// One optimizer's steps-vs-batch-size table and its critical-batch-size fit, as reported by every
// problem kind (and by the NQM prediction overlaid on neural sweeps). A fit that cannot be made is
// reported with status 'error', not thrown: the other optimizers' reports still stand.
import { fitCriticalBatch, CriticalBatchError, type CriticalBatchFit } from './critical-batch';
import type { CriticalBatchReport, ScalingRow } from './report-types';

export function criticalBatchReport(label: string, opt: { type: string; precondition: number }, rows: ScalingRow[]): CriticalBatchReport {
  const base = { optimizer: label, type: opt.type, precondition: opt.precondition, points: rows };
  try {
    const fit: CriticalBatchFit = fitCriticalBatch(rows.map((r) => ({ ...r })));
    return { ...base, sMin: fit.sMin, eMin: fit.eMin, bCrit: fit.bCrit, status: fit.status, warnings: fit.warnings, slopes: fit.slopes };
  } catch (err) {
    if (!(err instanceof CriticalBatchError)) throw err;
    return { ...base, sMin: null, eMin: null, bCrit: null, status: 'error', warnings: [], slopes: [], error: err.message };
  }
}
