// Fixtures for the linear-algebra tests, written independently of engine/src/linalg: a seeded
// generator, plain triple-loop products, random orthogonal matrices by Gram-Schmidt, and error norms.

/** Deterministic uniform(-0.5, 0.5) numbers (LCG; quality is irrelevant here). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: rows * cols }, r);
}

/** (m x k)(k x n) by the textbook triple loop. */
export function mul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      out[i * n + j] = s;
    }
  }
  return out;
}

export function tr(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

export function eye(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

export function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}

export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** A random orthogonal matrix: modified Gram-Schmidt on the columns of a random matrix. */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const q = randomMatrix(n, n, seed);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < j; p++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[i * n + j] * q[i * n + p];
      for (let i = 0; i < n; i++) q[i * n + j] -= d * q[i * n + p];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * n + j] /= norm;
  }
  return q;
}

/** Q diag(values) Q^T for a random orthogonal Q: a symmetric matrix with known eigenvalues. */
export function withEigenvalues(values: number[], seed: number): Float64Array {
  const n = values.length;
  const q = randomOrthogonal(n, seed);
  const qd = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) qd[i * n + j] = q[i * n + j] * values[j];
  const a = mul(qd, tr(q, n, n), n, n, n);
  // Exactly symmetric, as a covariance factor would be after symmetrisation.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  return a;
}

/** A K-FAC-like factor: a^T a / B for a B x n batch with B < n (rank B), plus lambda I. */
export function kfacFactor(n: number, batch: number, lambda: number, seed: number): Float64Array {
  const a = randomMatrix(batch, n, seed);
  const f = mul(tr(a, batch, n), a, n, batch, n);
  for (let i = 0; i < f.length; i++) f[i] /= batch;
  for (let i = 0; i < n; i++) f[i * n + i] += lambda;
  return f;
}

/** ||a x - I||_max: how far x is from the inverse of a. */
export function inverseResidual(a: Float64Array, x: Float64Array, n: number): number {
  return maxAbsDiff(mul(a, x, n, n, n), eye(n));
}
