// Elementwise and product helpers on row-major Float64Array matrices. Inputs are never modified.
import { checkShape } from './errors';

/** The n x n identity. */
export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** (m x k)(k x n), i-k-j order so the inner loop runs over contiguous rows of b and the output. */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  checkShape('matmul (left)', a, m, k);
  checkShape('matmul (right)', b, k, n);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ro = i * n;
    for (let p = 0; p < k; p++) {
      const s = a[i * k + p];
      if (s === 0) continue;
      const rb = p * n;
      for (let j = 0; j < n; j++) out[ro + j] += s * b[rb + j];
    }
  }
  return out;
}

/** The cols x rows transpose of a rows x cols matrix. */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  checkShape('transpose', a, rows, cols);
  const out = new Float64Array(rows * cols);
  // Tiles keep both the reads and the writes within a few cache lines.
  const T = 32;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(rows, i0 + T);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(cols, j0 + T);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * rows + i] = a[i * cols + j];
    }
  }
  return out;
}

/** Sum of the diagonal. */
export function trace(a: Float64Array, n: number): number {
  checkShape('trace', a, n, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * n + i];
  return s;
}

/** a + d I, as a new array. */
export function addDiagonal(a: Float64Array, n: number, d: number): Float64Array {
  checkShape('addDiagonal', a, n, n);
  const out = a.slice();
  for (let i = 0; i < n; i++) out[i * n + i] += d;
  return out;
}

/** (a + a^T) / 2: removes the rounding asymmetry that accumulates in computed covariances. */
export function symmetrize(a: Float64Array, n: number): Float64Array {
  checkShape('symmetrize', a, n, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = a[i * n + i];
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (a[i * n + j] + a[j * n + i]);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}
