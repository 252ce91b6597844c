// Power iteration for the largest eigenvalue, and the condition number K-FAC reports for factors
// too large for a full eigensolve at every refresh: both against exact eigenvalues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDiagonal, extremeEigenvalues, largestEigenvalue, spdInverse } from '../../../engine/src/linalg';
import { inverseJobs, runJobsHere, toLayerInverses } from '../../../engine/src/optim/kfac/inverses';
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

test('a failed factor inversion names the K-FAC layer, the factor and the update', () => {
  // An indefinite G (eigenvalues -1 and 3): its damped Cholesky fails.
  const n = 5;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * (n + 1)] = 1;
  const factors = { hidden: { a, g: new Float64Array([1, 2, 2, 1]), dimA: n, dimG: 2 } };
  const jobs = inverseJobs(factors, 0.1, false);
  assert.throws(() => runJobsHere(jobs, factors, 7), /kfac: update 7, layer "hidden" output factor G: cholesky: matrix is not positive definite/);
});
