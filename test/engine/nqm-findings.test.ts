// The NQM findings (analysis/nqm-findings.ts) judged on reports built by hand: each threshold of
// the paper's claims is probed on both sides and at the boundary, so a flipped or shifted
// comparison changes a verdict. Mutants named in brackets (docs/mutation-survivors.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmt, nqmFindings } from '../../engine/src/analysis/nqm-findings';
import type { CriticalBatchReport, ScalingRow } from '../../engine/src/analysis/report-types';
import { fittedReport } from '../support/fitted-report';

interface Point { b: number; steps: number | null; lr?: number; bound?: number }

/** A fitted report (B_crit with a +-10% interval) or, with bCrit null, an unfitted one. */
function report(type: string, precondition: number, points: Point[], bCrit: number | null = null): CriticalBatchReport {
  const rows: ScalingRow[] = points.map((p) => ({ batchSize: p.b, steps: p.steps, learningRate: p.lr ?? 0.1, lowerBound: p.bound ?? 1 }));
  return fittedReport({ optimizer: `${type} p=${precondition}`, type, precondition, points: rows, bCrit });
}

const find = (reports: CriticalBatchReport[], pattern: RegExp) => nqmFindings(reports).find((f) => pattern.test(f.claim));

test('fmt: 1e-3 is the smallest number printed in fixed notation [nqm-findings.ts:48 abs < 1e-3 -> <=]', () => {
  assert.equal(fmt(1e-3), '0.001');
  assert.equal(fmt(9.99e-4), '9.99e-4');
  assert.equal(fmt(12345), '12300');
  assert.equal(fmt(1e5), '1.00e+5');
});

test('SGD learning rate: growth within 0.25 of linear, largest best lr strictly between 0.5 and 2 [nqm-findings.ts:81 < 0.25, < 2, > 0.5 -> <=, <=, >=]', () => {
  const lrFinding = (lrs: number[]) => {
    // Batch sizes 1, 16, 256: growth = log2(lr(16) / lr(1)) / 4, exact for powers of two.
    const plain = report('sgd', 0, [1, 16, 256].map((b, i) => ({ b, steps: 1000 / b + 1, lr: lrs[i] })));
    return find([plain], /best learning rate grows linearly/)!.holds;
  };
  assert.equal(lrFinding([0.0625, 1, 1.5]), true, 'growth 1, max lr 1.5');
  assert.equal(lrFinding([0.03125, 1, 1.5]), false, 'growth exactly 1.25 (lr x32 over B x16) is not within 0.25');
  assert.equal(lrFinding([0.125, 1.5, 2]), false, 'growth 0.896, a largest lr of exactly 2 is not below the stability edge');
  assert.equal(lrFinding([0.125, 1.5, 1.99]), true, 'growth 0.896, largest lr 1.99');
  assert.equal(lrFinding([0.03125, 0.5, 0.5]), false, 'growth 1, a largest lr of exactly 0.5 has not saturated');
  assert.equal(lrFinding([0.03125, 0.5, 0.51]), true, 'growth 1, largest lr 0.51');
});

test('B_crit grows with p: judged with two fitted SGD reports, given in any order [nqm-findings.ts:88 >= 2 -> > / <; :58 a.p - b.p -> +]', () => {
  const pts = [{ b: 1, steps: 1000 }, { b: 4, steps: 250 }, { b: 16, steps: 70 }];
  const p0 = report('sgd', 0, pts, 100);
  const p5 = report('sgd', 0.5, pts, 2000);
  for (const reports of [[p0, p5], [p5, p0]]) {
    const f = find(reports, /B_crit grows with the preconditioning power/);
    assert.ok(f, 'two fitted reports are enough for the finding');
    assert.equal(f.holds, true);
    assert.match(f.evidence, /^p=0: B_crit 100 .*, p=0\.5: B_crit 2000 .*; p=0\.5 \/ p=0 = 20x$/);
  }
  const p25 = report('sgd', 0.25, pts, 500);
  const f3 = find([p5, p0, p25], /B_crit grows/)!;
  assert.equal(f3.holds, true, 'p = 0, 0.25, 0.5 compared in order of p');
  assert.match(f3.evidence, /^p=0: .*, p=0\.25: .*, p=0\.5: /);
  assert.equal(find([p0], /B_crit grows/), undefined, 'one fitted report: no finding');
});

test('momentum: no gain below 1.5x at small B; EMA: more than 2x at small B [nqm-findings.ts:113 1.5 -> 3; :114 s > 2 -> >=, 2 -> 3]', () => {
  const sgd = report('sgd', 0, [{ b: 1, steps: 1000 }, { b: 1024, steps: 100 }]);
  const other = (type: string, small: number, large: number) => report(type, 0, [{ b: 1, steps: 1000 / small }, { b: 1024, steps: 100 / large }]);
  const momentum = (small: number, large: number) => find([sgd, other('momentum', small, large)], /Heavy-ball momentum/)!.holds;
  const ema = (small: number, large: number) => find([sgd, other('ema', small, large)], /EMA of iterates/)!.holds;
  assert.equal(momentum(1, 20), true);
  assert.equal(momentum(2, 20), false, 'a 2x gain at small B is a gain');
  assert.equal(ema(2.5, 1), true, '2.5x at small B is several-x');
  assert.equal(ema(2, 1), false, 'exactly 2x is not more than 2x');
  assert.equal(ema(4, 2), false, 'a 2x gain at large B is a gain');
});

test('the lower bound: steps at or above d / (2 C B) hold, below it differ [nqm-findings.ts:123 >= 1 -> <]', () => {
  const bound = (ratio: number) => find([report('sgd', 0, [{ b: 1, steps: 100 * ratio, bound: 100 }, { b: 2, steps: 300, bound: 50 }])], /lower bound/)!;
  assert.equal(bound(1.5).holds, true);
  assert.equal(bound(1).holds, true, 'exactly at the bound does not beat it');
  assert.equal(bound(0.5).holds, false);
  assert.match(bound(0.5).evidence, /closest: sgd p=0 at B=1, 0\.5x the bound/);
});
