// General square solve by LU factorization with partial pivoting.
import { checkShape, LinalgError } from './errors';

/** Solves a x = b for b of shape n x nrhs (row-major). Throws LinalgError when a is (numerically) singular. */
export function solve(a: Float64Array, n: number, b: Float64Array, nrhs = 1): Float64Array {
  checkShape('solve (matrix)', a, n, n);
  checkShape('solve (right-hand side)', b, n, nrhs);
  const lu = a.slice();
  const x = b.slice();
  let scale = 0;
  for (let i = 0; i < lu.length; i++) {
    const v = Math.abs(lu[i]);
    if (!Number.isFinite(v)) throw new LinalgError('solve: matrix has a non-finite entry');
    if (v > scale) scale = v;
  }
  // A pivot this small relative to the largest entry means the matrix is singular to working precision.
  const tiny = scale * n * Number.EPSILON;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (!(best > tiny)) throw new LinalgError(`solve: matrix is singular (pivot ${k} = ${best.toPrecision(3)})`);
    if (p !== k) {
      swapRows(lu, n, p, k);
      swapRows(x, nrhs, p, k);
    }
    const rk = k * n;
    const pivot = lu[rk + k];
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const f = lu[ri + k] / pivot;
      if (f === 0) continue;
      lu[ri + k] = f;
      for (let j = k + 1; j < n; j++) lu[ri + j] -= f * lu[rk + j];
      const xi = i * nrhs;
      const xk = k * nrhs;
      for (let c = 0; c < nrhs; c++) x[xi + c] -= f * x[xk + c];
    }
  }
  // Back substitution with U, column-oriented so rows of U are read contiguously.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = i * nrhs;
    const inv = 1 / lu[ri + i];
    for (let c = 0; c < nrhs; c++) x[xi + c] *= inv;
    for (let k = 0; k < i; k++) {
      const f = lu[k * n + i];
      if (f === 0) continue;
      const xk = k * nrhs;
      for (let c = 0; c < nrhs; c++) x[xk + c] -= f * x[xi + c];
    }
  }
  return x;
}

function swapRows(m: Float64Array, cols: number, r1: number, r2: number): void {
  const a = r1 * cols;
  const b = r2 * cols;
  for (let j = 0; j < cols; j++) {
    const t = m[a + j];
    m[a + j] = m[b + j];
    m[b + j] = t;
  }
}
