// Power iteration for the largest eigenvalue, and the condition number K-FAC reports for factors
// too large for a full eigensolve at every refresh: both against exact eigenvalues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDiagonal, extremeEigenvalues, largestEigenvalue, spdInverse } from '../../../engine/src/linalg';
import { toLayerInverses, inverseJobs } from '../../../engine/src/optim/kfac/inverses';
import { mul, randomMatrix, tr } from './helpers';

/** a^T a / rows: PSD, rank-deficient when rows < cols (like a K-FAC factor of a small batch). */
function gramOf(rows: number, cols: number, seed: number): Float64Array {
  const a = randomMatrix(rows, cols, seed);
  return mul(tr(a, rows, cols), a, cols, rows, cols).map((x) => x / rows);
}

test('largestEigenvalue approaches lambda_max from below within a few digits', () => {
  for (const [rows, n, seed] of [[400, 60, 1], [40, 200, 2]]) {
    const m = addDiagonal(gramOf(rows, n, seed), n, 1e-3);
    const { max } = extremeEigenvalues(m, n);
    const est = largestEigenvalue(m, n);
    assert.ok(est <= max * (1 + 1e-12), `estimate ${est} above lambda_max ${max}`);
    assert.ok(est >= 0.98 * max, `estimate ${est} vs lambda_max ${max}`);
  }
  assert.equal(largestEigenvalue(new Float64Array(9), 3), 0);
  assert.equal(largestEigenvalue(new Float64Array([2, 0, 0, 5]), 2), 5);
});

test('K-FAC condition numbers of large damped factors: power iteration on the factor and its inverse', () => {
  const n = 300; // above COND_MAX_SIZE: estimated
  const a = gramOf(64, n, 3);
  const g = gramOf(100, 20, 4);
  const factors = { layer: { a, g, dimA: n, dimG: 20 } };
  const jobs = inverseJobs(factors, 0.01, false);
  const results = jobs.map((j) => spdInverse(addDiagonal(j.matrix, j.n, j.damping ?? 0), j.n));
  const inv = toLayerInverses(factors, jobs, results, 0.01).layer;
  const exact = extremeEigenvalues(addDiagonal(a, n, jobs[0].damping!), n);
  const cond = exact.max / exact.min;
  assert.ok(Math.abs(inv.aCond / cond - 1) < 0.05, `estimated ${inv.aCond} vs exact ${cond}`);
  assert.ok(Number.isFinite(inv.gCond) && inv.gCond >= 1);
  if (inv.kind === 'cholesky') {
    inv.aInv.dispose();
    inv.gInv.dispose();
  }
});
