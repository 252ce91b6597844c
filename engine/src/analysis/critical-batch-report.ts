// One optimizer's steps-vs-batch-size table and its critical-batch-size fit, as reported by every
// problem kind (and by the NQM prediction overlaid on neural sweeps). A fit that cannot be made is
// reported with status 'error', not thrown: the other optimizers' reports still stand.
//
// Every B_crit carries an interval: the profile-likelihood interval of the fit for one table (one
// seed, or the NQM's exact expected losses), or with several seeds a percentile bootstrap over the
// seeds' tables. Rows marked incomplete (trials failed there) are left out of the fit and named.
import { bootstrapCriticalBatch, fitCriticalBatch, CriticalBatchError, type CriticalBatchFit, type ScalingPoint } from './critical-batch';
import type { CriticalBatchIntervalMethod, CriticalBatchReport, ScalingRow } from './report-types';

/** The profile interval's level (critical-batch.ts: a Student-t 97.5% quantile, two-sided). */
export const PROFILE_LEVEL = 0.95;
export const BOOTSTRAP_LEVEL = 0.95;
export const BOOTSTRAP_RESAMPLES = 1000;

export interface ReportOptions {
  /** Seed for the bootstrap's resampling (the experiment's seed): the same tables give the same interval. */
  bootstrapSeed?: number;
}

function incompleteWarning(rows: ScalingRow[]): string | null {
  const bad = rows.filter((r) => r.incomplete !== undefined);
  if (bad.length === 0) return null;
  const parts = bad.map((r) => {
    const inc = r.incomplete!;
    const first = inc.failed[0];
    return `B=${r.batchSize} (${inc.failed.length} of ${inc.trials} trials ${first?.status ?? 'failed'}${first ? `: ${first.message}` : ''})`;
  });
  return `incomplete cells left out of the fit (trials failed, so their best grid point is unknown): ${parts.join('; ')}`;
}

/** Per seed, its steps at each complete batch size (the bootstrap's input). */
function seedTables(rows: ScalingRow[]): ScalingPoint[][] | null {
  const n = rows[0]?.seedSteps?.length ?? 0;
  if (n < 2 || rows.some((r) => r.seedSteps?.length !== n)) return null;
  return Array.from({ length: n }, (_, k) => rows.map((r) => ({ batchSize: r.batchSize, steps: r.seedSteps![k] })));
}

export function criticalBatchReport(label: string, opt: { type: string; precondition: number }, rows: ScalingRow[], options: ReportOptions = {}): CriticalBatchReport {
  const base = { optimizer: label, type: opt.type, precondition: opt.precondition, points: rows };
  const complete = rows.filter((r) => r.incomplete === undefined);
  const incompleteBatchSizes = rows.filter((r) => r.incomplete !== undefined).map((r) => r.batchSize);
  const incomplete = incompleteWarning(rows);
  const none = { sMin: null, eMin: null, bCrit: null, bCritInterval: null, bCritIntervalMethod: null, extrapolated: false, incompleteBatchSizes, slopes: [] };
  if (complete.length === 0 && rows.length > 0) {
    return { ...base, ...none, status: 'error', warnings: incomplete ? [incomplete] : [], error: `every batch size is incomplete (trials failed at ${incompleteBatchSizes.join(', ')}): nothing to fit` };
  }
  try {
    const fit: CriticalBatchFit = fitCriticalBatch(complete.map((r) => ({ ...r })));
    const warnings = [...fit.warnings];
    if (incomplete) warnings.unshift(incomplete);
    let bCritInterval: CriticalBatchReport['bCritInterval'] = fit.bCritInterval ? [fit.bCritInterval.lower, fit.bCritInterval.upper] : null;
    let bCritIntervalMethod: CriticalBatchIntervalMethod | null = bCritInterval ? { method: 'profile-likelihood', level: PROFILE_LEVEL } : null;
    const tables = seedTables(complete);
    if (tables) {
      try {
        const boot = bootstrapCriticalBatch(tables, { resamples: BOOTSTRAP_RESAMPLES, seed: options.bootstrapSeed ?? 0, level: BOOTSTRAP_LEVEL });
        bCritInterval = [boot.lower, boot.upper];
        bCritIntervalMethod = { method: 'bootstrap-seeds', level: BOOTSTRAP_LEVEL, seeds: tables.length, resamples: BOOTSTRAP_RESAMPLES };
        warnings.push(...boot.warnings.filter((w) => !w.startsWith('point estimate:')).map((w) => `bootstrap over seeds: ${w}`));
      } catch (err) {
        if (!(err instanceof CriticalBatchError)) throw err;
        warnings.push(`bootstrap over seeds failed (${err.message}); the interval is the profile likelihood of the seeds' mean`);
      }
    }
    return {
      ...base,
      sMin: fit.sMin,
      eMin: fit.eMin,
      bCrit: fit.bCrit,
      bCritInterval,
      bCritIntervalMethod,
      extrapolated: fit.extrapolated,
      incompleteBatchSizes,
      status: warnings.length > 0 ? 'partial' : 'ok',
      warnings,
      slopes: fit.slopes,
    };
  } catch (err) {
    if (!(err instanceof CriticalBatchError)) throw err;
    return { ...base, ...none, status: 'error', warnings: incomplete ? [incomplete] : [], error: err.message };
  }
}
