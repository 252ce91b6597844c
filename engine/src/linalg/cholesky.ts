// Cholesky factorization, triangular solves and the SPD inverse built on them.
// The O(n^3) loops are dot products over contiguous row segments, done in panels of PANEL rows:
// each finished row pair j, j+1 is loaded once per panel and reused by 4-row micro-kernels.
import { checkShape, LinalgError } from './errors';
import { dot, dot1x2, dot4x2 } from './kernels';

/** Rows per panel; a multiple of 4. 32 rows of n=1024 (256 KB) stay in L2 while the row pairs stream. */
const PANEL = 32;

/** Lower-triangular L with a = L L^T. Reads only the lower triangle of a. Throws LinalgError naming the failing pivot. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  checkShape('cholesky', a, n, n);
  const l = new Float64Array(n * n);
  const out = new Float64Array(8);
  for (let p0 = 0; p0 < n; p0 += PANEL) {
    const p1 = Math.min(n, p0 + PANEL);
    for (let i = p0; i < p1; i++) for (let j = 0; j <= i; j++) l[i * n + j] = a[i * n + j];
    // Columns left of the panel: L_ij = (a_ij - L_i[0:j] . L_j[0:j]) / L_jj with row j already final.
    for (let j = 0; j < p0; j += 2) {
      const pair = j + 1 < p0;
      const yj = j * n;
      const yk = pair ? yj + n : yj;
      const djj = l[yj + j];
      const lkj = l[yk + j];
      const dkk = l[yk + j + 1];
      let i = p0;
      for (; i + 4 <= p1; i += 4) {
        dot4x2(l, i * n, n, l, yj, yk, 0, j, out);
        for (let r = 0; r < 4; r++) {
          const ri = (i + r) * n;
          const lij = (l[ri + j] - out[2 * r]) / djj;
          l[ri + j] = lij;
          // Column j+1 also needs the k = j term, known only now.
          if (pair) l[ri + j + 1] = (l[ri + j + 1] - out[2 * r + 1] - lij * lkj) / dkk;
        }
      }
      for (; i < p1; i++) {
        const ri = i * n;
        dot1x2(l, ri, l, yj, yk, 0, j, out);
        const lij = (l[ri + j] - out[0]) / djj;
        l[ri + j] = lij;
        if (pair) l[ri + j + 1] = (l[ri + j + 1] - out[1] - lij * lkj) / dkk;
      }
    }
    // Inside the panel: plain row-by-row Cholesky (O(n^2 PANEL) work in total).
    for (let i = p0; i < p1; i++) {
      const ri = i * n;
      for (let j = p0; j < i; j++) {
        const rj = j * n;
        l[ri + j] = (l[ri + j] - dot(l, ri, l, rj, 0, j)) / l[rj + j];
      }
      const pivot = l[ri + i] - dot(l, ri, l, ri, 0, i);
      if (!(pivot > 0)) throw notPositiveDefinite(i, pivot);
      l[ri + i] = Math.sqrt(pivot);
    }
  }
  return l;
}

function notPositiveDefinite(pivot: number, value: number): LinalgError {
  return new LinalgError(`cholesky: matrix is not positive definite (pivot ${pivot} = ${value.toPrecision(3)})`);
}

/** Solves (L L^T) x = b for b of shape n x nrhs (row-major), given the Cholesky factor L. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, nrhs = 1): Float64Array {
  checkShape('choleskySolve (factor)', l, n, n);
  checkShape('choleskySolve (right-hand side)', b, n, nrhs);
  const x = b.slice();
  // Forward: row i of y = (b_i - sum_k<i L_ik y_k) / L_ii, as axpys over contiguous rows of y.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const xi = i * nrhs;
    for (let k = 0; k < i; k++) {
      const s = l[ri + k];
      if (s === 0) continue;
      const xk = k * nrhs;
      for (let c = 0; c < nrhs; c++) x[xi + c] -= s * x[xk + c];
    }
    const inv = 1 / l[ri + i];
    for (let c = 0; c < nrhs; c++) x[xi + c] *= inv;
  }
  // Backward with L^T: once x_i is final, subtract its share from the rows above (row i of L is contiguous).
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = i * nrhs;
    const inv = 1 / l[ri + i];
    for (let c = 0; c < nrhs; c++) x[xi + c] *= inv;
    for (let k = 0; k < i; k++) {
      const s = l[ri + k];
      if (s === 0) continue;
      const xk = k * nrhs;
      for (let c = 0; c < nrhs; c++) x[xk + c] -= s * x[xi + c];
    }
  }
  return x;
}

/** Inverse of a symmetric positive definite matrix via Cholesky: a^-1 = L^-T L^-1. Exactly symmetric. */
export function spdInverse(a: Float64Array, n: number): Float64Array {
  const l = cholesky(a, n);
  return gramOfRows(lowerInverseTransposed(l, n), n);
}

/** (L^-1)^T for lower-triangular L, i.e. an upper-triangular matrix whose row j is column j of W = L^-1.
 *  W_ij = -(sum_{j<=k<i} L_ik W_kj) / L_ii: the part of the sum over rows before the panel is a
 *  dot product of two contiguous rows (L_i and (W^T)_j); the rest is finished row by row inside the panel. */
export function lowerInverseTransposed(l: Float64Array, n: number): Float64Array {
  checkShape('lowerInverse', l, n, n);
  const w = new Float64Array(n * n);
  const wt = new Float64Array(n * n);
  const out = new Float64Array(8);
  for (let p0 = 0; p0 < n; p0 += PANEL) {
    const p1 = Math.min(n, p0 + PANEL);
    for (let j = 0; j < p0; j += 2) {
      // (W^T)_{j+1, j} = 0, so one k range [j, p0) serves both columns.
      const pair = j + 1 < p0;
      const yj = j * n;
      const yk = pair ? yj + n : yj;
      let i = p0;
      for (; i + 4 <= p1; i += 4) {
        dot4x2(l, i * n, n, wt, yj, yk, j, p0, out);
        for (let r = 0; r < 4; r++) {
          const ri = (i + r) * n;
          w[ri + j] = out[2 * r];
          if (pair) w[ri + j + 1] = out[2 * r + 1];
        }
      }
      for (; i < p1; i++) {
        dot1x2(l, i * n, wt, yj, yk, j, p0, out);
        w[i * n + j] = out[0];
        if (pair) w[i * n + j + 1] = out[1];
      }
    }
    for (let i = p0; i < p1; i++) {
      const ri = i * n;
      // Add the terms k in [p0, i) as axpys of finished rows of W, then scale.
      for (let k = p0; k < i; k++) {
        const s = l[ri + k];
        if (s === 0) continue;
        const rk = k * n;
        for (let j = 0; j <= k; j++) w[ri + j] += s * w[rk + j];
      }
      const inv = 1 / l[ri + i];
      for (let j = 0; j < i; j++) w[ri + j] *= -inv;
      w[ri + i] = inv;
      for (let j = 0; j <= i; j++) wt[j * n + i] = w[ri + j];
    }
  }
  return wt;
}

/** U U^T for upper-triangular U (both triangles written): entry (i, j) is the dot of rows i and j from max(i, j) on. */
export function gramOfRows(u: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  const out = new Float64Array(8);
  for (let p0 = 0; p0 < n; p0 += PANEL) {
    const p1 = Math.min(n, p0 + PANEL);
    for (let j = 0; j < p0; j += 2) {
      // Rows i >= p0 are zero before p0 (and before i), so [p0, n) covers every term.
      const pair = j + 1 < p0;
      const yj = j * n;
      const yk = pair ? yj + n : yj;
      let i = p0;
      for (; i + 4 <= p1; i += 4) {
        dot4x2(u, i * n, n, u, yj, yk, p0, n, out);
        for (let r = 0; r < 4; r++) {
          const ri = (i + r) * n;
          c[ri + j] = out[2 * r];
          if (pair) c[ri + j + 1] = out[2 * r + 1];
        }
      }
      for (; i < p1; i++) {
        dot1x2(u, i * n, u, yj, yk, p0, n, out);
        c[i * n + j] = out[0];
        if (pair) c[i * n + j + 1] = out[1];
      }
    }
    for (let i = p0; i < p1; i++) for (let j = p0; j <= i; j++) c[i * n + j] = dot(u, i * n, u, j * n, i, n);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) c[j * n + i] = c[i * n + j];
  return c;
}
