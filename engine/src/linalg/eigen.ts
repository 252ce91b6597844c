// Symmetric eigendecomposition: Householder tridiagonalisation, then implicit QL with Wilkinson-type shifts.
import { LinalgError } from './errors';
import { tridiagonalize } from './tridiagonal';

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Row-major n x n; COLUMN j is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

const MAX_SWEEPS_PER_VALUE = 60;

/** Eigenvalues (ascending) and orthonormal eigenvectors of the symmetric matrix (a + a^T)/2. */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const { d, e, qt } = tridiagonalize(a, n, true);
  tridiagonalQL(d, e, qt, n);
  const order = ascendingOrder(d);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = order[j] * n;
    values[j] = d[order[j]];
    for (let r = 0; r < n; r++) vectors[r * n + j] = qt![src + r];
  }
  return { values, vectors };
}

/** Eigenvalues only, ascending (no vector accumulation: a fraction of the cost). */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const { d, e } = tridiagonalize(a, n, false);
  tridiagonalQL(d, e, null, n);
  return d.sort();
}

/** Smallest and largest eigenvalue of the symmetric matrix (a + a^T)/2. */
export function extremeEigenvalues(a: Float64Array, n: number): { min: number; max: number } {
  if (n === 0) throw new LinalgError('extremeEigenvalues: empty matrix');
  const values = symmetricEigenvalues(a, n);
  return { min: values[0], max: values[n - 1] };
}

/** lambda_max / lambda_min of a symmetric PSD matrix; Infinity when lambda_min <= 0. */
export function conditionNumber(a: Float64Array, n: number): number {
  const { min, max } = extremeEigenvalues(a, n);
  return min > 0 ? max / min : Infinity;
}

/** sqrt(a^2 + b^2) without overflow; Math.hypot is several times slower in V8. */
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/** Implicit QL on the tridiagonal (d, e) in place (after the EISPACK tql2 / JAMA routine). The rotations
 *  are applied to rows of qt (= columns of Q), so on return row i of qt is the eigenvector of d[i]. */
function tridiagonalQL(d: Float64Array, e: Float64Array, qt: Float64Array | null, n: number): void {
  const eps = Number.EPSILON;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_SWEEPS_PER_VALUE) throw new LinalgError(`symmetricEigen: QL iteration did not converge (eigenvalue ${l})`);
        // Shift from the leading 2x2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // Chase the bulge from m back up to l.
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (qt) rotateRows(qt, n, i, c, s);
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** Rows i and i+1 of qt <- the Givens rotation (c, s) of them. */
function rotateRows(qt: Float64Array, n: number, i: number, c: number, s: number): void {
  const a = i * n;
  const b = a + n;
  for (let k = 0; k < n; k++) {
    const h = qt[b + k];
    const x = qt[a + k];
    qt[b + k] = s * x + c * h;
    qt[a + k] = c * x - s * h;
  }
}

function ascendingOrder(values: Float64Array): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  return order.sort((x, y) => values[x] - values[y] || x - y);
}
