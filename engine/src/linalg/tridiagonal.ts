// Householder reduction of a symmetric matrix to tridiagonal form: a = Q T Q^T.
import { checkShape } from './errors';

export interface Tridiagonal {
  /** Diagonal of T. */
  d: Float64Array;
  /** e[i] = T[i][i+1] = T[i+1][i]; e[n-1] = 0. */
  e: Float64Array;
  /** Q^T row-major (row i = column i of Q), or null when not requested. Stored transposed so the QL
   *  rotations, which mix two columns of Q, run over two contiguous rows. */
  qt: Float64Array | null;
}

/** Reduces (a + a^T)/2 to tridiagonal form. Works on the lower triangle so each pass streams half the matrix. */
export function tridiagonalize(a: Float64Array, n: number, wantQ: boolean): Tridiagonal {
  checkShape('tridiagonalize', a, n, n);
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) w[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  // Householder vectors, v_k stored in row k at columns k+1..n-1, and their coefficients.
  const vs = wantQ ? new Float64Array(n * n) : null;
  const betas = new Float64Array(n);
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    d[k] = w[k * n + k];
    // x = column k below the diagonal (lower triangle).
    let xnorm2 = 0;
    let tail2 = 0;
    for (let i = k + 1; i < n; i++) {
      const x = w[i * n + k];
      v[i] = x;
      xnorm2 += x * x;
      if (i > k + 1) tail2 += x * x;
    }
    const x0 = v[k + 1];
    if (tail2 === 0) {
      // Already tridiagonal in this column: no reflection.
      e[k] = x0;
      betas[k] = 0;
      continue;
    }
    const alpha = x0 > 0 ? -Math.sqrt(xnorm2) : Math.sqrt(xnorm2);
    v[k + 1] = x0 - alpha;
    const vnorm2 = v[k + 1] * v[k + 1] + tail2;
    const beta = 2 / vnorm2;
    e[k] = alpha;
    betas[k] = beta;
    if (vs) for (let i = k + 1; i < n; i++) vs[k * n + i] = v[i];
    reflectTrailing(w, n, k + 1, v, p, beta);
  }
  if (n >= 2) {
    d[n - 2] = w[(n - 2) * n + n - 2];
    e[n - 2] = w[(n - 1) * n + n - 2];
  }
  if (n >= 1) d[n - 1] = w[(n - 1) * n + n - 1];
  return { d, e, qt: vs ? accumulateQt(vs, betas, n) : null };
}

/** S <- H S H for S = w[s:, s:] (lower triangle), H = I - beta v v^T. Uses the rank-2 form
 *  S - v q^T - q v^T with p = beta S v and q = p - (beta/2)(p.v) v. */
function reflectTrailing(w: Float64Array, n: number, s: number, v: Float64Array, p: Float64Array, beta: number): void {
  p.fill(0, s, n);
  // p = S v from the lower triangle only: each stored S_ij (j < i) contributes to p_i and p_j.
  for (let i = s; i < n; i++) {
    const ri = i * n;
    const vi = v[i];
    let acc = 0;
    for (let j = s; j < i; j++) {
      const sij = w[ri + j];
      acc += sij * v[j];
      p[j] += sij * vi;
    }
    p[i] += acc + w[ri + i] * vi;
  }
  let pv = 0;
  for (let i = s; i < n; i++) {
    p[i] *= beta;
    pv += p[i] * v[i];
  }
  const half = 0.5 * beta * pv;
  for (let i = s; i < n; i++) p[i] -= half * v[i];
  for (let i = s; i < n; i++) {
    const ri = i * n;
    const vi = v[i];
    const qi = p[i];
    for (let j = s; j <= i; j++) w[ri + j] -= vi * p[j] + qi * v[j];
  }
}

/** Q^T for Q = H_0 H_1 ... H_{n-3}: row i of Q^T is e_i^T H_{n-3} ... H_0, and rows are independent.
 *  Reflectors are applied in pairs per row so each row is streamed once per two reflectors; a row i
 *  is still e_i (untouched) by every H_k with k >= i. */
function accumulateQt(vs: Float64Array, betas: Float64Array, n: number): Float64Array {
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k -= 2) {
    const k2 = k - 1; // second reflector of the pair, applied after H_k (may be -1: none)
    const b1 = betas[k];
    const b2 = k2 >= 0 ? betas[k2] : 0;
    const v1 = k * n;
    const v2 = k2 * n;
    for (let i = Math.max(k2, 0) + 1; i < n; i++) {
      const ri = i * n;
      if (b1 !== 0 && i > k) applyReflector(qt, ri, vs, v1, b1, k + 1, n);
      if (b2 !== 0) applyReflector(qt, ri, vs, v2, b2, k, n);
    }
  }
  return qt;
}

/** row <- row - beta (row . v) v over columns [from, n). */
function applyReflector(qt: Float64Array, ri: number, vs: Float64Array, rv: number, beta: number, from: number, n: number): void {
  let y = 0;
  for (let j = from; j < n; j++) y += qt[ri + j] * vs[rv + j];
  y *= beta;
  if (y === 0) return;
  for (let j = from; j < n; j++) qt[ri + j] -= y * vs[rv + j];
}
