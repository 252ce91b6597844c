// The largest eigenvalue of a symmetric PSD matrix by power iteration: O(n^2) per iteration where
// a full eigensolve is O(n^3), for statistics (condition numbers of K-FAC's factors, as
// lambda_max(M) * lambda_max(M^-1) when the inverse is at hand) that need a few digits, not all.

/**
 * Estimates lambda_max of a symmetric PSD n x n matrix (row-major) with `iterations` power steps
 * from a fixed start vector (deterministic). The Rayleigh quotient never exceeds lambda_max and
 * approaches it from below; 0 for the zero matrix.
 */
export function largestEigenvalue(a: Float64Array, n: number, iterations = 30): number {
  let v = new Float64Array(n);
  // A start with a component along every eigenvector in general position (not the all-ones vector).
  for (let i = 0; i < n; i++) v[i] = 1 + ((i * 7919) % 13) / 13;
  let w = new Float64Array(n);
  let estimate = 0;
  for (let it = 0; it < iterations; it++) {
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    for (let i = 0; i < n; i++) v[i] /= norm;
    let quotient = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) s += a[row + j] * v[j];
      w[i] = s;
      quotient += v[i] * s;
    }
    estimate = quotient;
    [v, w] = [w, v];
  }
  return estimate;
}
