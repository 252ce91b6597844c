// General LU solve: the Hilbert matrix against its exact integer inverse, pivoting, several
// right-hand sides, and singular input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LinalgError, solve } from '../../../engine/src/linalg/index.js';
import { eye, maxAbsDiff, mul, randomMatrix } from './helpers.js';

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

function hilbert(n: number): Float64Array {
  return Float64Array.from({ length: n * n }, (_, idx) => 1 / (Math.floor(idx / n) + (idx % n) + 1));
}

/** The exact inverse of the n x n Hilbert matrix (integers). */
function hilbertInverse(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= n; j++) {
      const sign = (i + j) % 2 === 0 ? 1 : -1;
      out[(i - 1) * n + j - 1] = sign * (i + j - 1) * binomial(n + i - 1, n - j) * binomial(n + j - 1, n - i) * binomial(i + j - 2, i - 1) ** 2;
    }
  }
  return out;
}

describe('solve', () => {
  test('Hilbert n=6 (condition 1.5e7): inverse within cond * eps of the exact one', () => {
    const n = 6;
    const exact = hilbertInverse(n);
    assert.equal(exact[0], 36); // sanity of the formula
    const x = solve(hilbert(n), n, eye(n), n);
    let worst = 0;
    for (let i = 0; i < n * n; i++) worst = Math.max(worst, Math.abs(x[i] - exact[i]) / Math.abs(exact[i]));
    assert.ok(worst < 1e-8, `worst relative error ${worst}`);
    // And a single right-hand side: H x = H 1 gives x = 1.
    const ones = new Float64Array(n).fill(1);
    const x1 = solve(hilbert(n), n, mul(hilbert(n), ones, n, n, 1));
    assert.ok(maxAbsDiff(x1, ones) < 1e-8, String(x1));
  });

  test('needs pivoting: zero leading entry', () => {
    const a = Float64Array.from([0, 1, 1, 0]);
    assert.deepEqual(Array.from(solve(a, 2, Float64Array.from([3, 7]))), [7, 3]);
  });

  test('random nonsymmetric system with several right-hand sides', () => {
    const n = 60;
    const a = randomMatrix(n, n, 21);
    const b = randomMatrix(n, 4, 22);
    const before = a.slice();
    const x = solve(a, n, b, 4);
    assert.ok(maxAbsDiff(mul(a, x, n, n, 4), b) < 1e-11);
    assert.deepEqual(a, before);
  });

  test('singular matrices throw a LinalgError', () => {
    assert.throws(() => solve(Float64Array.from([1, 2, 2, 4]), 2, Float64Array.from([1, 1])), (err: unknown) => err instanceof LinalgError && /singular/.test(err.message));
    // Rank 2 of 3 (third row = first + second): rounding leaves only a tiny pivot.
    const a = Float64Array.from([0.3, 0.7, 0.1, 0.2, 0.9, 0.4, 0.5, 1.6, 0.5]);
    assert.throws(() => solve(a, 3, Float64Array.from([1, 2, 3])), LinalgError);
    assert.throws(() => solve(new Float64Array(4), 2, new Float64Array(2)), LinalgError);
  });
});
