// symmetricEigen, extremeEigenvalues and conditionNumber on matrices with known spectra:
// values (ascending), reconstruction V diag(values) V^T, orthogonality V^T V = I.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionNumber, extremeEigenvalues, symmetricEigen } from '../../../engine/src/linalg/index.js';
import { eye, kfacFactor, maxAbs, maxAbsDiff, mul, tr, withEigenvalues } from './helpers.js';

function reconstruct(values: Float64Array, vectors: Float64Array, n: number): Float64Array {
  const vd = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vd[i * n + j] = vectors[i * n + j] * values[j];
  return mul(vd, tr(vectors, n, n), n, n, n);
}

function assertDecomposition(a: Float64Array, n: number, tol: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n);
  for (let j = 1; j < n; j++) assert.ok(values[j - 1] <= values[j], `ascending at ${j}`);
  const scale = Math.max(maxAbs(a), 1e-300);
  const recon = maxAbsDiff(reconstruct(values, vectors, n), a) / scale;
  const ortho = maxAbsDiff(mul(tr(vectors, n, n), vectors, n, n, n), eye(n));
  assert.ok(recon < tol, `reconstruction error ${recon}`);
  assert.ok(ortho < tol, `||V^T V - I|| = ${ortho}`);
  return values;
}

describe('symmetricEigen', () => {
  test('1x1 and 2x2 by hand', () => {
    const one = symmetricEigen(Float64Array.from([-2.5]), 1);
    assert.deepEqual([Array.from(one.values), Array.from(one.vectors)], [[-2.5], [1]]);
    // [[2, 1], [1, 2]]: eigenvalues 1 and 3, eigenvectors (1, -1)/sqrt2 and (1, 1)/sqrt2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    assert.ok(maxAbsDiff(values, Float64Array.from([1, 3])) < 1e-15, String(values));
    const h = Math.SQRT1_2;
    assert.ok(Math.abs(Math.abs(vectors[0]) - h) < 1e-15 && Math.abs(vectors[0] + vectors[2]) < 1e-15, 'column 0 is (1, -1)/sqrt2 up to sign');
    assert.ok(Math.abs(vectors[1] - vectors[3]) < 1e-15 && Math.abs(Math.abs(vectors[1]) - h) < 1e-15, 'column 1 is (1, 1)/sqrt2 up to sign');
  });

  test('a diagonal matrix comes back sorted with permuted unit vectors', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3);
    assert.deepEqual(Array.from(values), [-1, 2, 3]);
    assert.deepEqual(Array.from(vectors, Math.abs), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  test('random symmetric matrix with known eigenvalues (mixed signs, a repeated one)', () => {
    const n = 60;
    const want = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 2 : Math.sin(i + 1) * 10));
    const values = assertDecomposition(withEigenvalues(want, 4), n, 1e-13);
    const sorted = Float64Array.from(want).sort();
    assert.ok(maxAbsDiff(values, sorted) < 1e-12, `eigenvalue error ${maxAbsDiff(values, sorted)}`);
  });

  test('K-FAC factor of rank 30 plus damping: 30 large eigenvalues, the rest equal to lambda', () => {
    const n = 100;
    const lambda = 1e-3;
    const values = assertDecomposition(kfacFactor(n, 30, lambda, 6), n, 1e-13);
    for (let j = 0; j < n - 30; j++) assert.ok(Math.abs(values[j] - lambda) < 1e-13, `value ${j} = ${values[j]}`);
    assert.ok(values[n - 30] > 10 * lambda);
  });

  test('already tridiagonal, zero and size-leftover inputs', () => {
    const n = 9;
    const t = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      t[i * n + i] = 2;
      if (i + 1 < n) t[i * n + i + 1] = t[(i + 1) * n + i] = -1;
    }
    // Eigenvalues of the 1-D Laplacian: 2 - 2 cos(k pi / (n + 1)).
    const values = assertDecomposition(t, n, 1e-14);
    const want = Float64Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    assert.ok(maxAbsDiff(values, want) < 1e-14);
    assertDecomposition(new Float64Array(16), 4, 1e-15);
    assertDecomposition(withEigenvalues([5, 1, 3, 4, 2, 9, 7], 12), 7, 1e-14);
  });
});

describe('extremeEigenvalues and conditionNumber', () => {
  test('known spectrum', () => {
    const values = [0.5, 3, 1, 250, 7, 2, 9, 4];
    const a = withEigenvalues(values, 13);
    const { min, max } = extremeEigenvalues(a, 8);
    assert.ok(Math.abs(min - 0.5) < 1e-13 && Math.abs(max - 250) < 1e-12, `${min} ${max}`);
    assert.ok(Math.abs(conditionNumber(a, 8) - 500) < 1e-9);
  });

  test('Infinity when the smallest eigenvalue is not positive', () => {
    assert.equal(conditionNumber(withEigenvalues([-1, 2, 3], 14), 3), Infinity);
    assert.equal(conditionNumber(new Float64Array(9), 3), Infinity);
    assert.equal(conditionNumber(Float64Array.from([4, 0, 0, 1]), 2), 4);
  });
});
