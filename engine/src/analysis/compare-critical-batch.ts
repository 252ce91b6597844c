// Whether one optimizer's critical batch size exceeds another's, with its uncertainty: the one
// comparison every finding about B_crit goes through (neural and NQM). A comparison is decided only
// when both fits are clean and their intervals are disjoint; otherwise it is inconclusive and says why.
import type { CriticalBatchReport } from './report-types';

export type Verdict =
  /** The data support the claim (intervals disjoint in its direction). */
  | { kind: 'holds' }
  /** The data contradict it (intervals disjoint the other way). */
  | { kind: 'differs' }
  /** Neither can be said; `reason` names why. */
  | { kind: 'inconclusive'; reason: string }
  /** A fit is missing: the claim cannot be checked at all. */
  | { kind: 'unfitted'; reason: string };

function fmt(x: number | null, fallback: string): string {
  if (x === null) return fallback;
  return Number(x.toPrecision(3)).toString();
}

/** "[227, 513]" with open ends written as 0 and infinity. */
export function intervalText(r: Pick<CriticalBatchReport, 'bCritInterval'>): string {
  if (!r.bCritInterval) return 'no interval';
  return `[${fmt(r.bCritInterval[0], '0')}, ${fmt(r.bCritInterval[1], 'inf')}]`;
}

/** Why a report's B_crit cannot carry a comparison, or null when it can. */
function unreliable(r: CriticalBatchReport): string | null {
  if (r.incompleteBatchSizes.length > 0) return `${r.optimizer} has incomplete cells (trials failed at B=${r.incompleteBatchSizes.join(', ')})`;
  if (r.extrapolated) return `${r.optimizer}'s B_crit is extrapolated outside the measured batch sizes`;
  if (r.status === 'partial') return `${r.optimizer}'s fit is partial (${r.warnings[0] ?? 'see its warnings'})`;
  if (!r.bCritInterval) return `${r.optimizer}'s B_crit has no interval (2 points fit exactly)`;
  return null;
}

/** Does a's B_crit exceed b's? Intervals that overlap (touching counts) make it inconclusive. */
export function compareCriticalBatch(a: CriticalBatchReport, b: CriticalBatchReport): Verdict {
  const missing = [a, b].filter((r) => r.bCrit === null);
  if (missing.length > 0) return { kind: 'unfitted', reason: `not fitted: ${missing.map((r) => `${r.optimizer} (${r.error ?? r.status})`).join(', ')}` };
  const why = [a, b].map(unreliable).filter((x): x is string => x !== null);
  if (why.length > 0) return { kind: 'inconclusive', reason: why.join('; ') };
  const [aLo, aHi] = a.bCritInterval!;
  const [bLo, bHi] = b.bCritInterval!;
  const lower = (x: number | null) => x ?? 0;
  const upper = (x: number | null) => x ?? Infinity;
  if (lower(aLo) > upper(bHi)) return { kind: 'holds' };
  if (upper(aHi) < lower(bLo)) return { kind: 'differs' };
  return { kind: 'inconclusive', reason: `the intervals overlap: ${a.optimizer} ${intervalText(a)}, ${b.optimizer} ${intervalText(b)}` };
}

/** Several comparisons that must all hold: differs if any differs, else inconclusive if any is, else holds. */
export function allOf(verdicts: Verdict[]): Verdict {
  const unfitted = verdicts.find((v) => v.kind === 'unfitted');
  if (unfitted) return unfitted;
  if (verdicts.some((v) => v.kind === 'differs')) return { kind: 'differs' };
  const open = verdicts.filter((v): v is Extract<Verdict, { kind: 'inconclusive' }> => v.kind === 'inconclusive');
  if (open.length > 0) return { kind: 'inconclusive', reason: [...new Set(open.map((v) => v.reason))].join('; ') };
  return { kind: 'holds' };
}
