// The paper's claims about real networks (Zhang et al. 2019, section 5; McCandlish et al. 2018),
// checked against a neural sweep's measured critical-batch-size reports. Each names its numbers and
// says whether they agree; null when the sweep lacks what the claim needs.
import { allOf, compareCriticalBatch } from '../../analysis/compare-critical-batch';
import { bCritText, fmt, reached, slopeAtSmallB, verdictFinding, type Finding } from '../../analysis/nqm-findings';
import type { CriticalBatchReport } from '../../analysis/report-types';

const ADAPTIVE = ['adam', 'adamw', 'rmsprop'];

export function neuralFindings(reports: CriticalBatchReport[]): Finding[] {
  const out: Finding[] = [];
  const sgd = reports.find((r) => r.type === 'sgd');
  const adam = reports.find((r) => ADAPTIVE.includes(r.type));
  const momentum = reports.find((r) => r.type === 'momentum' || r.type === 'nesterov');

  // 1. Adaptive (preconditioned) optimizers scale to larger batches than SGD.
  if (sgd && adam) {
    const ok = sgd.bCrit !== null && adam.bCrit !== null;
    out.push(verdictFinding(
      `${adam.optimizer}'s critical batch size exceeds ${sgd.optimizer}'s (preconditioning extends perfect scaling)`,
      ok ? `B_crit ${bCritText(adam)} vs ${bCritText(sgd)} (ratio ${fmt(adam.bCrit! / sgd.bCrit!)})` : '',
      compareCriticalBatch(adam, sgd),
    ));
  }

  // 1b. The paper's ordering with a curvature optimizer: B_crit(K-FAC) >= B_crit(Adam) > B_crit(momentum).
  const kfac = reports.find((r) => r.type === 'kfac');
  if (kfac && adam && momentum) {
    const trio = [kfac, adam, momentum];
    out.push(verdictFinding(
      `${kfac.optimizer}'s critical batch size is at least ${adam.optimizer}'s, which exceeds ${momentum.optimizer}'s (better preconditioners scale to larger batches)`,
      `B_crit ${trio.map(bCritText).join(', ')}`,
      allOf([compareCriticalBatch(kfac, adam), compareCriticalBatch(adam, momentum)]),
    ));
  }

  // 2. Perfect scaling at small batch sizes: steps halve when the batch doubles.
  const slopes = reports
    .map((r) => ({ label: r.optimizer, slope: slopeAtSmallB(r.points) }))
    .filter((s): s is { label: string; slope: number } => s.slope !== null);
  if (slopes.length) {
    out.push({
      claim: 'At small batch sizes the steps to target fall about as 1/B (slope of log2 S vs log2 B near -1)',
      evidence: slopes.map((s) => `${s.label} ${fmt(s.slope)}`).join(', '),
      holds: slopes.every((s) => s.slope < -0.6 && s.slope > -1.4),
    });
  }

  // 3. Momentum helps at large batch sizes, not at small ones.
  if (sgd && momentum) {
    const both = reached(sgd.points)
      .map((p) => ({ b: p.batchSize, s: p.steps, m: reached(momentum.points).find((q) => q.batchSize === p.batchSize)?.steps ?? null }))
      .filter((x): x is { b: number; s: number; m: number } => x.m !== null);
    if (both.length >= 2) {
      const first = both[0];
      const last = both[both.length - 1];
      const r0 = first.s / first.m;
      const r1 = last.s / last.m;
      out.push({
        claim: `${momentum.optimizer} gains more over ${sgd.optimizer} at large batch sizes than at small ones`,
        evidence: `${sgd.optimizer} steps / ${momentum.optimizer} steps: ${fmt(r0)}x at B=${first.b}, ${fmt(r1)}x at B=${last.b}`,
        holds: r1 > r0,
      });
    }
  }
  return out;
}
