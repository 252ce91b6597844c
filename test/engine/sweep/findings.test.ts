// The paper's claims about real networks, checked against critical-batch reports built by hand:
// each finding agrees, differs, or says it cannot tell (null), with the numbers it used. B_crit
// comparisons go through compareCriticalBatch: decided only when the intervals are disjoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neuralFindings } from '../../../engine/src/problems/supervised/findings';
import type { CriticalBatchReport } from '../../../engine/src/analysis/report-types';
import { fittedReport } from '../../support/fitted-report';

/** A report with a narrow interval (+-10%) unless one is given. */
function report(optimizer: string, type: string, bCrit: number | null, steps: (number | null)[], batchSizes = [16, 64, 256, 1024], interval?: [number | null, number | null]): CriticalBatchReport {
  const points = batchSizes.map((batchSize, i) => ({ batchSize, steps: steps[i], learningRate: 0.1, lowerBound: Number.NaN }));
  return fittedReport({ optimizer, type, points, bCrit, interval });
}

const find = (reports: CriticalBatchReport[], pattern: RegExp) => neuralFindings(reports).find((f) => pattern.test(f.claim));

test('the K-FAC ordering B_crit(K-FAC) >= B_crit(Adam) > B_crit(momentum) is checked from the fitted numbers', () => {
  const sgd = report('SGD', 'sgd', 50, [800, 200, 120, 110]);
  const mom = report('Momentum', 'momentum', 200, [780, 190, 80, 55]);
  const adam = report('Adam', 'adam', 350, [700, 170, 60, 40]);
  const kfac = report('K-FAC', 'kfac', 480, [300, 80, 37, 18]);
  const holds = find([sgd, mom, adam, kfac], /K-FAC's critical batch size is at least Adam's, which exceeds Momentum's/);
  assert.ok(holds);
  assert.equal(holds.holds, true);
  assert.match(holds.evidence, /B_crit K-FAC 480 \[432, 528\], Adam 350 \[315, 385\], Momentum 200 \[180, 220\]/);
  const differs = find([sgd, mom, adam, report('K-FAC', 'kfac', 250, [300, 80, 37, 18])], /K-FAC/);
  assert.equal(differs!.holds, false, 'K-FAC below Adam');
  const unknown = find([sgd, mom, adam, report('K-FAC', 'kfac', null, [null, null, 37, 18])], /K-FAC/);
  assert.equal(unknown!.holds, null);
  assert.match(unknown!.evidence, /not fitted: K-FAC \(too few points\)/);
  assert.equal(find([sgd, mom, adam], /K-FAC/), undefined, 'no claim without K-FAC');
});

test('Adam over SGD, perfect scaling at small batches, and momentum at large batches', () => {
  const sgd = report('SGD', 'sgd', 50, [800, 200, 120, 110]);
  const mom = report('Momentum', 'momentum', 200, [780, 190, 80, 55]);
  const adam = report('Adam', 'adam', 350, [700, 170, 60, 40]);
  assert.equal(find([sgd, adam], /Adam's critical batch size exceeds SGD's/)!.holds, true);
  assert.equal(find([report('SGD', 'sgd', 500, [1, 1, 1, 1]), adam], /exceeds SGD's/)!.holds, false);
  // 800 -> 200 over a 4x batch: slope -1.
  const scaling = find([sgd, mom], /steps to target fall about as 1\/B/)!;
  assert.equal(scaling.holds, true);
  assert.match(scaling.evidence, /SGD -1/);
  assert.equal(find([report('SGD', 'sgd', 50, [800, 700, 600, 500])], /fall about as 1\/B/)!.holds, false);
  const m = find([sgd, mom], /Momentum gains more over SGD at large batch sizes/)!;
  assert.equal(m.holds, true);
  assert.match(m.evidence, /1\.03x at B=16, 2x at B=1024/);
});

test('a B_crit comparison is inconclusive, never agrees or DIFFERS, when intervals overlap or a fit is partial, extrapolated or incomplete', () => {
  const sgd = report('SGD', 'sgd', 50, [800, 200, 120, 110]);
  const mom = report('Momentum', 'momentum', 200, [780, 190, 80, 55]);
  const adam = report('Adam', 'adam', 358, [700, 170, 60, 40], undefined, [221, 590]);
  const kfac = report('K-FAC', 'kfac', 332, [300, 80, 37, 18], undefined, [227, 513]);
  // The quick example: K-FAC 332 [227, 513] below Adam 358 [221, 590] is not a difference.
  const overlap = find([sgd, mom, adam, kfac], /K-FAC/)!;
  assert.equal(overlap.holds, null);
  assert.match(overlap.inconclusive!, /intervals overlap: K-FAC \[227, 513\], Adam \[221, 590\]/);
  // Touching intervals count as overlapping.
  assert.equal(find([report('SGD', 'sgd', 50, [1, 1, 1, 1], undefined, [40, 100]), report('Adam', 'adam', 350, [1, 1, 1, 1], undefined, [100, 400])], /exceeds SGD's/)!.holds, null);
  // An open upper end (null) reaches infinity: it overlaps anything above its lower end.
  const open = find([report('SGD', 'sgd', 500, [1, 1, 1, 1], undefined, [300, null]), report('Adam', 'adam', 350, [1, 1, 1, 1], undefined, [320, 380])], /exceeds SGD's/)!;
  assert.equal(open.holds, null);
  assert.match(open.inconclusive!, /SGD \[300, inf\]/);
  // Disjoint intervals but a partial fit, an extrapolated B_crit, incomplete cells, no interval.
  const partial = { ...sgd, status: 'partial' as const, warnings: ['steps increase with batch size at 1024 -> 4096'] };
  assert.match(find([partial, adam], /exceeds SGD's/)!.inconclusive!, /SGD's fit is partial \(steps increase/);
  assert.match(find([sgd, { ...adam, extrapolated: true }], /exceeds SGD's/)!.inconclusive!, /Adam's B_crit is extrapolated/);
  assert.match(find([{ ...sgd, incompleteBatchSizes: [64] }, { ...adam, bCritInterval: [400, 600] }], /exceeds SGD's/)!.inconclusive!, /SGD has incomplete cells \(trials failed at B=64\)/);
  assert.match(find([{ ...sgd, bCritInterval: null }, adam], /exceeds SGD's/)!.inconclusive!, /no interval/);
  // The same pair with disjoint intervals and clean fits is decided.
  assert.equal(find([sgd, { ...adam, bCritInterval: [300, 400] }], /exceeds SGD's/)!.holds, true);
});

test('a cell with failed trials does not feed the slope or momentum findings', () => {
  const sgd = report('SGD', 'sgd', 50, [800, 200, 120, 110]);
  const failed = { failed: [{ label: 'Momentum B=16 lr=0.01', status: 'failed', message: 'the trial worker process died (signal SIGKILL)' }], trials: 5 };
  const mom = report('Momentum', 'momentum', 200, [780, 190, 80, 55]);
  mom.points[0].incomplete = failed;
  const m = find([sgd, mom], /Momentum gains more over SGD/)!;
  assert.match(m.evidence, /at B=64/, 'the comparison starts at the first complete cell');
  const slope = find([mom], /fall about as 1\/B/)!;
  // Without B=16 the slope is measured from B=64 to B=256: log2(80/190)/2 = -0.62.
  assert.match(slope.evidence, /Momentum -0\.62/);
});
