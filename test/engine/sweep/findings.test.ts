// The paper's claims about real networks, checked against critical-batch reports built by hand:
// each finding agrees, differs, or says it cannot tell (null), with the numbers it used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neuralFindings } from '../../../engine/src/problems/supervised/findings';
import type { CriticalBatchReport } from '../../../engine/src/analysis/report-types';

function report(optimizer: string, type: string, bCrit: number | null, steps: (number | null)[], batchSizes = [16, 64, 256, 1024]): CriticalBatchReport {
  return {
    optimizer,
    type,
    precondition: 0,
    points: batchSizes.map((batchSize, i) => ({ batchSize, steps: steps[i], learningRate: 0.1, lowerBound: Number.NaN })),
    sMin: bCrit === null ? null : 10,
    eMin: bCrit === null ? null : 10 * bCrit,
    bCrit,
    status: bCrit === null ? 'error' : 'ok',
    warnings: [],
    slopes: [],
    ...(bCrit === null && { error: 'too few points' }),
  };
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
  assert.match(holds.evidence, /B_crit K-FAC 480, Adam 350, Momentum 200/);
  const differs = find([sgd, mom, adam, report('K-FAC', 'kfac', 300, [300, 80, 37, 18])], /K-FAC/);
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
  assert.equal(find([report('SGD', 'sgd', 400, [1, 1, 1, 1]), adam], /exceeds SGD's/)!.holds, false);
  // 800 -> 200 over a 4x batch: slope -1.
  const scaling = find([sgd, mom], /steps to target fall about as 1\/B/)!;
  assert.equal(scaling.holds, true);
  assert.match(scaling.evidence, /SGD -1/);
  assert.equal(find([report('SGD', 'sgd', 50, [800, 700, 600, 500])], /fall about as 1\/B/)!.holds, false);
  const m = find([sgd, mom], /Momentum gains more over SGD at large batch sizes/)!;
  assert.equal(m.holds, true);
  assert.match(m.evidence, /1\.03x at B=16, 2x at B=1024/);
});
