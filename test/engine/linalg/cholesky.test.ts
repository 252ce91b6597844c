// Cholesky, choleskySolve and spdInverse: exact small cases, residuals on matrices with known
// spectra, K-FAC-like damped rank-deficient factors, sizes that leave partial panels, and rejection
// of indefinite input with the failing pivot named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, choleskySolve, LinalgError, spdInverse } from '../../../engine/src/linalg/index.js';
import { eye, inverseResidual, kfacFactor, maxAbs, maxAbsDiff, mul, randomMatrix, tr, withEigenvalues } from './helpers.js';

function lowerTriangleIsExact(l: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (l[i * n + j] !== 0) return false;
  return true;
}

describe('cholesky', () => {
  test('1x1, 2x2 and diagonal matrices by hand', () => {
    assert.deepEqual(Array.from(cholesky(Float64Array.from([9]), 1)), [3]);
    // [[4, 2], [2, 5]] = [[2, 0], [1, 2]] [[2, 1], [0, 2]]
    assert.deepEqual(Array.from(cholesky(Float64Array.from([4, 2, 2, 5]), 2)), [2, 0, 1, 2]);
    const d = Float64Array.from([4, 0, 0, 0, 0.25, 0, 0, 0, 16]);
    assert.deepEqual(Array.from(cholesky(d, 3)), [2, 0, 0, 0, 0.5, 0, 0, 0, 4]);
  });

  // 37 and 70 leave partial 4-row groups and panels; 130 spans several panels.
  for (const n of [37, 70, 130]) {
    test(`reconstructs a random SPD matrix (n=${n})`, () => {
      const x = randomMatrix(n, n, n);
      const a = mul(tr(x, n, n), x, n, n, n);
      for (let i = 0; i < n; i++) a[i * n + i] += 0.1;
      const before = a.slice();
      const l = cholesky(a, n);
      assert.ok(lowerTriangleIsExact(l, n));
      const err = maxAbsDiff(mul(l, tr(l, n, n), n, n, n), a) / maxAbs(a);
      assert.ok(err < 1e-14, `relative reconstruction error ${err}`);
      assert.deepEqual(a, before);
    });
  }

  test('rejects an indefinite matrix with a LinalgError naming the pivot', () => {
    // Eigenvalues 3 and -1: the second pivot is 1 - 2*2/1 = -3.
    assert.throws(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2), (err: unknown) => {
      assert.ok(err instanceof LinalgError);
      assert.match(err.message, /not positive definite \(pivot 1 = -3\.00\)/);
      return true;
    });
    // A larger one whose only negative direction shows up deep inside (past the first panel).
    const values = Array.from({ length: 50 }, (_, i) => (i === 0 ? -1e-3 : 1 + i));
    assert.throws(() => cholesky(withEigenvalues(values, 5), 50), /cholesky: matrix is not positive definite \(pivot \d+ = -/);
    assert.throws(() => cholesky(Float64Array.from([0]), 1), /pivot 0 = 0/);
    assert.throws(() => cholesky(Float64Array.from([NaN]), 1), LinalgError);
  });
});

describe('choleskySolve and spdInverse', () => {
  test('2x2 inverse by hand', () => {
    const inv = spdInverse(Float64Array.from([4, 2, 2, 5]), 2);
    const want = [5 / 16, -2 / 16, -2 / 16, 4 / 16];
    assert.ok(maxAbsDiff(inv, Float64Array.from(want)) < 1e-16, String(inv));
    assert.ok(Math.abs(spdInverse(Float64Array.from([0.5]), 1)[0] - 2) < 1e-15);
  });

  test('inverse of a matrix with known eigenvalues (condition 1e4): residual and symmetry', () => {
    const n = 90;
    const values = Array.from({ length: n }, (_, i) => 10 ** (-2 + (4 * i) / (n - 1)));
    const a = withEigenvalues(values, 11);
    const inv = spdInverse(a, n);
    const res = inverseResidual(a, inv, n);
    assert.ok(res < 1e-11, `||A X - I|| = ${res}`);
    assert.deepEqual(inv, tr(inv, n, n), 'exactly symmetric');
    // The eigenvalues of the inverse are the reciprocals: its trace is known.
    const traceInv = values.reduce((s, v) => s + 1 / v, 0);
    let t = 0;
    for (let i = 0; i < n; i++) t += inv[i * n + i];
    assert.ok(Math.abs(t - traceInv) < 1e-9 * traceInv, `trace ${t} vs ${traceInv}`);
  });

  test('rank-deficient K-FAC factor plus damping (a^T a / B, B < n, + lambda I)', () => {
    const n = 75;
    const a = kfacFactor(n, 20, 1e-3, 3);
    const inv = spdInverse(a, n);
    const res = inverseResidual(a, inv, n);
    // Condition ~ (top eigenvalue + 1e-3) / 1e-3 ~ 1e3 to 1e4.
    assert.ok(res < 1e-10, `||A X - I|| = ${res}`);
    // Without damping the same factor is singular and must be rejected, not inverted into garbage.
    assert.throws(() => spdInverse(kfacFactor(n, 20, 0, 3), n), LinalgError);
  });

  test('choleskySolve with several right-hand sides matches the inverse applied to them', () => {
    const n = 41;
    const a = kfacFactor(n, 60, 0.1, 8);
    const b = randomMatrix(n, 3, 9);
    const x = choleskySolve(cholesky(a, n), n, b, 3);
    assert.ok(maxAbsDiff(mul(a, x, n, n, 3), b) < 1e-13);
    const x1 = choleskySolve(cholesky(a, n), n, b.filter((_, i) => i % 3 === 0));
    assert.ok(maxAbsDiff(x1, x.filter((_, i) => i % 3 === 0)) < 1e-13);
    assert.ok(maxAbsDiff(spdInverse(eye(4), 4), eye(4)) === 0);
  });
});
