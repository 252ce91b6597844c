// A critical-batch report built by hand, for tests of what is concluded from reports (findings,
// comparisons): fitted (B_crit with an interval, +-10% unless given) or, with bCrit null, unfitted.
import type { CriticalBatchReport, ScalingRow } from '../../engine/src/analysis/report-types';

export interface ReportFixture {
  optimizer: string;
  type: string;
  precondition?: number;
  points: ScalingRow[];
  bCrit: number | null;
  interval?: [number | null, number | null];
}

export function fittedReport({ optimizer, type, precondition = 0, points, bCrit, interval }: ReportFixture): CriticalBatchReport {
  return {
    optimizer,
    type,
    precondition,
    points,
    sMin: bCrit === null ? null : 10,
    eMin: bCrit === null ? null : 10 * bCrit,
    bCrit,
    bCritInterval: bCrit === null ? null : (interval ?? [bCrit * 0.9, bCrit * 1.1]),
    bCritIntervalMethod: bCrit === null ? null : { method: 'profile-likelihood', level: 0.95 },
    extrapolated: false,
    incompleteBatchSizes: [],
    status: bCrit === null ? 'error' : 'ok',
    warnings: [],
    slopes: [],
    ...(bCrit === null && { error: 'too few points' }),
  };
}
