// The paper's qualitative NQM findings (science-spec 1.4), checked against computed results.
// Each finding reports the numbers it rests on and whether they agree with the paper.
import { allOf, compareCriticalBatch, intervalText, type Verdict } from './compare-critical-batch';
import type { CriticalBatchReport, ScalingRow } from './report-types';

export interface Finding {
  claim: string;
  evidence: string;
  /** null: the experiment lacks what the claim needs, or (with `inconclusive`) its data cannot decide it. */
  holds: boolean | null;
  /** Why the claim is neither supported nor contradicted (overlapping intervals, a partial or extrapolated fit, incomplete cells). */
  inconclusive?: string;
}

/** Rows that reached the target in a complete cell (a cell with failed trials has no trustworthy best). */
export const reached = (rows: ScalingRow[]) => rows.filter((r): r is ScalingRow & { steps: number } => r.steps !== null && r.incomplete === undefined);

/** A finding about critical batch sizes, judged by compareCriticalBatch's verdict. */
export function verdictFinding(claim: string, evidence: string, verdict: Verdict): Finding {
  switch (verdict.kind) {
    case 'holds':
      return { claim, evidence, holds: true };
    case 'differs':
      return { claim, evidence, holds: false };
    case 'inconclusive':
      return { claim, evidence, holds: null, inconclusive: verdict.reason };
    case 'unfitted':
      return { claim, evidence: verdict.reason, holds: null };
  }
}

/** "Adam 358 [221, 590]": a B_crit with its interval, for evidence lines. */
export function bCritText(r: CriticalBatchReport): string {
  return `${r.optimizer} ${r.bCrit === null ? 'not fitted' : fmt(r.bCrit)} ${r.bCrit === null ? '' : intervalText(r)}`.trimEnd();
}

/** Slope of log2 S against log2 B between the two smallest batch sizes that reached the target. */
export function slopeAtSmallB(rows: ScalingRow[]): number | null {
  const ok = reached(rows);
  if (ok.length < 2) return null;
  const [a, b] = ok;
  return Math.log2(b.steps / a.steps) / Math.log2(b.batchSize / a.batchSize);
}

export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toString();
}

function stepsAt(rows: ScalingRow[], batchSize: number): number | null {
  return rows.find((r) => r.batchSize === batchSize)?.steps ?? null;
}

export function nqmFindings(reports: CriticalBatchReport[]): Finding[] {
  const out: Finding[] = [];
  const sgd = reports.filter((r) => r.type === 'sgd').sort((a, b) => a.precondition - b.precondition);
  const plain = sgd.find((r) => r.precondition === 0);

  // 1. Perfect scaling at small batch sizes.
  const slopes = reports.map((r) => ({ label: r.optimizer, slope: slopeAtSmallB(r.points) })).filter((s) => s.slope !== null) as { label: string; slope: number }[];
  if (slopes.length) {
    out.push({
      claim: 'Steps fall as 1/B at small batch sizes (slope of log2 S vs log2 B = -1) for every optimizer',
      evidence: slopes.map((s) => `${s.label} ${fmt(s.slope)}`).join(', '),
      holds: slopes.every((s) => Math.abs(s.slope + 1) < 0.1),
    });
  }

  // 2. Optimal learning rate linear in B at small B, saturating near the stability edge 2.
  if (plain) {
    const ok = reached(plain.points).filter((r) => r.learningRate !== null);
    if (ok.length >= 3) {
      const [a, b] = ok;
      const growth = Math.log2(b.learningRate! / a.learningRate!) / Math.log2(b.batchSize / a.batchSize);
      const maxLr = Math.max(...ok.map((r) => r.learningRate!));
      out.push({
        claim: 'SGD: the best learning rate grows linearly with B at small B, then saturates below the stability edge 2',
        evidence: `lr ~ B^${fmt(growth)} between B=${a.batchSize} and B=${b.batchSize}; largest best lr ${fmt(maxLr)}`,
        holds: Math.abs(growth - 1) < 0.25 && maxLr < 2 && maxLr > 0.5,
      });
    }
  }

  // 3. B_crit grows with the preconditioning power: each step in p compared with its uncertainty.
  const fitted = sgd.filter((r) => r.bCrit !== null);
  if (fitted.length >= 2) {
    const p0 = fitted.find((r) => r.precondition === 0);
    const p5 = fitted.find((r) => r.precondition === 0.5);
    const factor = p0 && p5 ? p5.bCrit! / p0.bCrit! : null;
    const verdict = allOf(fitted.slice(1).map((r, i) => compareCriticalBatch(r, fitted[i])));
    const judged = verdict.kind === 'holds' && factor !== null && !(factor > 10) ? { kind: 'differs' as const } : verdict;
    out.push(verdictFinding(
      'B_crit grows with the preconditioning power p (by more than 10x from p = 0 to p = 0.5): better preconditioners scale further',
      fitted.map((r) => `p=${r.precondition}: B_crit ${fmt(r.bCrit!)} ${intervalText(r)}`).join(', ') + (factor ? `; p=0.5 / p=0 = ${fmt(factor)}x` : ''),
      judged,
    ));
  }

  // 4 and 5. Momentum and EMA against plain SGD at the smallest and largest batch size.
  const compare = (type: 'momentum' | 'ema', claim: string, judge: (small: number, large: number) => boolean) => {
    const other = reports.find((r) => r.type === type && r.precondition === 0);
    if (!plain || !other) return;
    const common = other.points.map((r) => r.batchSize).filter((b) => stepsAt(plain.points, b) !== null && stepsAt(other.points, b) !== null);
    if (common.length < 2) return;
    const lo = common[0];
    const hi = common[common.length - 1];
    const small = stepsAt(plain.points, lo)! / stepsAt(other.points, lo)!;
    const large = stepsAt(plain.points, hi)! / stepsAt(other.points, hi)!;
    out.push({ claim, evidence: `SGD steps / ${other.optimizer} steps: ${fmt(small)}x at B=${lo}, ${fmt(large)}x at B=${hi}`, holds: judge(small, large) });
  };
  compare('momentum', 'Heavy-ball momentum: no gain at small B, a large gain (tens of x) at very large B', (s, l) => s < 1.5 && l > 10);
  compare('ema', 'EMA of iterates: several-x fewer steps at small B, no gain at large B', (s, l) => s > 2 && l < 1.5);

  // 6. The information-theoretic lower bound d / (2 C B).
  const all = reports.flatMap((r) => reached(r.points).map((p) => ({ label: r.optimizer, ratio: p.steps / p.lowerBound, b: p.batchSize })));
  if (all.length) {
    const worst = all.reduce((m, x) => (x.ratio < m.ratio ? x : m));
    out.push({
      claim: 'No optimizer beats the lower bound S >= d / (2 C B)',
      evidence: `closest: ${worst.label} at B=${worst.b}, ${fmt(worst.ratio)}x the bound`,
      holds: worst.ratio >= 1,
    });
  }
  return out;
}
