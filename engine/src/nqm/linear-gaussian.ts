// Closed-form second moments of a 2-state linear-Gaussian recurrence
//   z_{t+1} = A z_t + b xi_t,  b = (1, 1),  Var(b xi_t) = n [[1,1],[1,1]],
// which covers heavy-ball momentum (z = (x, v)) and EMA of iterates (z = (x, theta~/(1-g))).
// With distinct eigenvalues l1, l2 of A, Sylvester's formula A^k = l1^k P1 + l2^k P2 gives
//   E[(e.z_k)^2] = K + sum over mu in {l1^2, l2^2, l1 l2} of coef_mu * mu^k,
// the eigen-solution of the notebook's 3x3 moment transition (whose eigenvalues are exactly those
// products), derived once per coordinate so that step k costs a few exponentials. Written in plain
// real arithmetic (no allocations): it runs for every coordinate of every grid point.

/** Receives the terms of one coordinate, already multiplied by its loss weight. */
export interface TermSink {
  addConstant(value: number): void;
  /** coef * base^k, base real (any sign). */
  addReal(base: number, coef: number): void;
  /** |mu|^k (a cos(k phase) + b sin(k phase)). */
  addPair(modulus: number, phase: number, a: number, b: number): void;
}

/**
 * Adds weight * E[(e.z_k)^2] as terms to `sink`; returns false (adding nothing) when the
 * eigenvalues are too close for Sylvester's formula, so that the caller iterates the moments.
 * S0 = (Var z1, Var z2, Cov z1 z2).
 */
export function addLinearGaussian(
  sink: TermSink,
  weight: number,
  p: number, q: number, r: number, s: number,
  n: number,
  s11: number, s22: number, s12: number,
  e0: number, e1: number,
): boolean {
  const tr = p + s;
  const det = p * s - q * r;
  const disc = tr * tr - 4 * det;
  if (Math.abs(disc) <= 1e-12 * Math.max(1, tr * tr)) return false;
  // Row vector e^T A.
  const ea0 = e0 * p + e1 * r;
  const ea1 = e0 * q + e1 * s;
  if (disc > 0) {
    const root = Math.sqrt(disc);
    const l1 = (tr + (tr >= 0 ? root : -root)) / 2; // stable: larger magnitude first
    const l2 = l1 !== 0 ? det / l1 : 0;
    const d = l1 - l2;
    // alpha1 = e^T (A - l2 I)/(l1 - l2), alpha2 = e^T (A - l1 I)/(l2 - l1)
    const a10 = (ea0 - l2 * e0) / d, a11 = (ea1 - l2 * e1) / d;
    const a20 = -(ea0 - l1 * e0) / d, a21 = -(ea1 - l1 * e1) / d;
    const b1 = a10 + a11, b2 = a20 + a21; // alpha . (1, 1)
    const g11 = a10 * a10 * s11 + 2 * a10 * a11 * s12 + a11 * a11 * s22;
    const g22 = a20 * a20 * s11 + 2 * a20 * a21 * s12 + a21 * a21 * s22;
    const g12 = 2 * (a10 * a20 * s11 + (a10 * a21 + a11 * a20) * s12 + a11 * a21 * s22);
    const mu1 = l1 * l1, mu2 = l2 * l2, mu3 = l1 * l2;
    const k1 = (n * b1 * b1) / (1 - mu1), k2 = (n * b2 * b2) / (1 - mu2), k3 = (n * 2 * b1 * b2) / (1 - mu3);
    sink.addConstant(weight * (k1 + k2 + k3));
    sink.addReal(mu1, weight * (g11 - k1));
    sink.addReal(mu2, weight * (g22 - k2));
    sink.addReal(mu3, weight * (g12 - k3));
    return true;
  }
  // Complex pair l1 = x + iy, l2 = conj(l1): alpha2 = conj(alpha1), so the l1^2 and l2^2 terms
  // are conjugates (2 Re) and the l1 l2 = |l1|^2 term is real.
  const x = tr / 2;
  const y = Math.sqrt(-disc) / 2;
  // alpha1 = e^T (A - l2 I) / (l1 - l2), with l1 - l2 = 2iy: (w - conj(l1) e) / (2iy) for w = e^T A.
  // (u + iv)/(2iy) = (v - iu)/(2y)
  const u0 = ea0 - x * e0, v0 = y * e0; // w - conj(l1) e = (ea - x e) + i y e
  const u1 = ea1 - x * e1, v1 = y * e1;
  const a0r = v0 / (2 * y), a0i = -u0 / (2 * y);
  const a1r = v1 / (2 * y), a1i = -u1 / (2 * y);
  const br = a0r + a1r, bi = a0i + a1i; // beta1
  // gamma1 = alpha1 S0 alpha1^T (complex, plain transpose)
  const g1r = s11 * (a0r * a0r - a0i * a0i) + 2 * s12 * (a0r * a1r - a0i * a1i) + s22 * (a1r * a1r - a1i * a1i);
  const g1i = s11 * (2 * a0r * a0i) + 2 * s12 * (a0r * a1i + a0i * a1r) + s22 * (2 * a1r * a1i);
  // gamma3 = 2 alpha1 S0 conj(alpha1)^T (real)
  const g3 = 2 * (s11 * (a0r * a0r + a0i * a0i) + 2 * s12 * (a0r * a1r + a0i * a1i) + s22 * (a1r * a1r + a1i * a1i));
  const mur = x * x - y * y, mui = 2 * x * y; // mu1 = l1^2
  const mu3 = x * x + y * y;
  // k1 = n beta1^2 / (1 - mu1)
  const nbr = n * (br * br - bi * bi), nbi = n * 2 * br * bi;
  const dr = 1 - mur, di = -mui, dd = dr * dr + di * di;
  const k1r = (nbr * dr + nbi * di) / dd, k1i = (nbi * dr - nbr * di) / dd;
  const k3 = (n * 2 * (br * br + bi * bi)) / (1 - mu3);
  sink.addConstant(weight * (2 * k1r + k3));
  // 2 Re((c_r + i c_i) mu^k) = |mu|^k (2 c_r cos - 2 c_i sin)
  const cr = g1r - k1r, ci = g1i - k1i;
  sink.addPair(Math.hypot(mur, mui), Math.atan2(mui, mur), weight * 2 * cr, -weight * 2 * ci);
  sink.addReal(mu3, weight * (g3 - k3));
  return true;
}

/** The 3x3 moment transition (E z1^2, E z2^2, E z1 z2) of the same recurrence. */
export function momentTransition(p: number, q: number, r: number, s: number): number[] {
  return [p * p, q * q, 2 * p * q, r * r, s * s, 2 * r * s, p * r, q * s, p * s + q * r];
}
