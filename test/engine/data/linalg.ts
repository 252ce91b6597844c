// Small dense linear algebra for the data tests (float64, independent of the code under test).

/** Gram matrix X^T X (d x d) of n rows of d features. */
export function gram(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const g = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = x[i * d + a];
      if (xa === 0) continue;
      for (let b = a; b < d; b++) g[a * d + b] += xa * x[i * d + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) g[a * d + b] = g[b * d + a];
  return g;
}

/** Eigenvalues of a symmetric d x d matrix by cyclic Jacobi rotations, descending. */
export function symmetricEigenvalues(m: Float64Array, d: number): number[] {
  const a = Float64Array.from(m);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < d; q++) {
        total += a[p * d + q] ** 2;
        if (p !== q) off += a[p * d + q] ** 2;
      }
    }
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: d }, (_, i) => a[i * d + i]).sort((u, v) => v - u);
}

/**
 * Numerical rank by Gram-Schmidt on the rows (modified, with re-orthogonalisation): a row counts
 * when its residual norm exceeds tol times its own norm.
 */
export function gramSchmidtRank(x: ArrayLike<number>, n: number, d: number, tol = 1e-4): number {
  const basis: Float64Array[] = [];
  for (let i = 0; i < n && basis.length < d; i++) {
    const v = Float64Array.from({ length: d }, (_, j) => x[i * d + j]);
    const norm0 = Math.hypot(...v);
    if (norm0 === 0) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += v[j] * q[j];
        for (let j = 0; j < d; j++) v[j] -= dot * q[j];
      }
    }
    const norm = Math.hypot(...v);
    if (norm > tol * norm0) basis.push(v.map((t) => t / norm));
  }
  return basis.length;
}
