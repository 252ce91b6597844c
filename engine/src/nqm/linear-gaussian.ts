// Closed-form second moments of a 2-state linear-Gaussian recurrence
//   z_{t+1} = A z_t + b xi_t,  b = (1, 1),  Var(b xi_t) = n [[1,1],[1,1]],
// which covers heavy-ball momentum (z = (x, v)) and EMA of iterates (z = (x, theta~/(1-g))).
// With distinct eigenvalues l1, l2 of A, Sylvester's formula A^k = l1^k P1 + l2^k P2 gives
//   E[(e.z_k)^2] = K + sum over mu in {l1^2, l2^2, l1 l2} of coef_mu * mu^k,
// the eigen-solution of the notebook's 3x3 moment transition (whose eigenvalues are exactly those
// products), derived once per coordinate so that step k costs a few exponentials. Written in plain
// real arithmetic (no allocations but one small object per near-defective coordinate): it runs
// for every coordinate of every grid point.
// Sylvester's coefficients grow like 1/(l1 - l2)^2 and cancel, so near a defective A its rounding
// error is about 5e-17 / disc (relative, disc = (l1 - l2)^2). There the same moments are written
// with Cayley-Hamilton instead, which divides by nothing small: Sigma_k = Sigma* + A^k D A^k^T with
// the fixed point Sigma* (a 3x3 solve), D = Sigma_0 - Sigma*, and, with N = A - (tr/2) I (nearly
// nilpotent), A^k = gamma_k I + beta_k N, gamma_k = (l1^k + l2^k) / 2, beta_k = (l1^k - l2^k) /
// (l1 - l2), both evaluated without cancellation.

/** Below this |disc| / max(1, tr^2) the Cayley-Hamilton form replaces Sylvester's (error then <= ~5e-11). */
export const NEAR_DEFECTIVE = 1e-6;

/**
 * A near-defective coordinate in Cayley-Hamilton form: with e^T A^k = gamma_k e^T + beta_k u^T
 * (u^T = e^T N), it contributes cee gamma_k^2 + 2 ceu gamma_k beta_k + cuu beta_k^2 at step k
 * (weight included); see cayleyPowers.
 */
export interface CayleyMode {
  /** log |l1| for real eigenvalues (|l1| >= |l2|), log |l| for a complex pair. */
  logMag: number;
  /** l1 < 0 (real), or Re l < 0 (complex pair): beta_k carries (-1)^(k-1). */
  negative: boolean;
  complex: boolean;
  /** Real: ratio = l2 / l1 in [-1, 1], delta = 1 - ratio, logRatio = log1p(-delta). */
  ratio: number;
  delta: number;
  logRatio: number;
  /** Complex: the phase of l (or of -l when Re l < 0), in (0, pi/2], and its sine. */
  phase: number;
  sinPhase: number;
  cee: number;
  ceu: number;
  cuu: number;
}

/**
 * gamma_k = (l1^k + l2^k) / 2 and beta_k = (l1^k - l2^k) / (l1 - l2) (beta_0 = 0), so that
 * A^k = gamma_k I + beta_k (A - (tr/2) I); written to `out` as [gamma_k, beta_k].
 */
export function cayleyPowers(m: CayleyMode, k: number, out: Float64Array): void {
  if (k === 0) {
    out[0] = 1;
    out[1] = 0;
    return;
  }
  // |l1|^(k-1); an exact zero eigenvalue pair (A nilpotent) has l^0 = 1 at k = 1.
  const mag = k === 1 ? 1 : Math.exp((k - 1) * m.logMag);
  const lead = Math.exp(m.logMag);
  const sign = m.negative && k % 2 === 0 ? -1 : 1; // (-1)^(k-1) for beta; gamma gets (-1)^k
  let g: number, b: number; // gamma_k / |l1|^k and beta_k / |l1|^(k-1), up to the signs
  if (m.complex) {
    g = Math.cos(k * m.phase);
    b = Math.sin(k * m.phase) / m.sinPhase;
  } else if (m.ratio > 0.5) {
    const em1 = Math.expm1(k * m.logRatio); // ratio^k - 1
    g = 1 + em1 / 2;
    b = m.delta === 0 ? k : -em1 / m.delta;
  } else {
    const rk = Math.pow(m.ratio, k);
    g = (1 + rk) / 2;
    b = (1 - rk) / (1 - m.ratio);
  }
  out[0] = (m.negative ? -sign : sign) * mag * lead * g;
  out[1] = sign * mag * b;
}

/** Receives the terms of one coordinate, already multiplied by its loss weight. */
export interface TermSink {
  addConstant(value: number): void;
  /** coef * base^k, base real (any sign). */
  addReal(base: number, coef: number): void;
  /** |mu|^k (a cos(k phase) + b sin(k phase)). */
  addPair(modulus: number, phase: number, a: number, b: number): void;
  /** A near-defective coordinate (its limit goes to addConstant). */
  addCayley(mode: CayleyMode): void;
}

/**
 * Adds weight * E[(e.z_k)^2] as terms to `sink`. Returns false (adding nothing) only for a
 * near-defective A with spectral radius >= 1 (no fixed point), so that the caller iterates the
 * moments. S0 = (Var z1, Var z2, Cov z1 z2).
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
  // (l1 - l2)^2 = tr^2 - 4 det, written without that form's cancellation: its rounding would
  // put an error of about eps / disc on the eigenvalue gap, which grows with k in the loss.
  const disc = (p - s) * (p - s) + 4 * q * r;
  // Row vector e^T A.
  const ea0 = e0 * p + e1 * r;
  const ea1 = e0 * q + e1 * s;
  if (Math.abs(disc) <= NEAR_DEFECTIVE * Math.max(1, tr * tr)) {
    return addCayley(sink, weight, p, q, r, s, tr, det, disc, n, s11, s22, s12, e0, e1);
  }
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

function addCayley(
  sink: TermSink,
  weight: number,
  p: number, q: number, r: number, s: number,
  tr: number, det: number, disc: number,
  n: number,
  s11: number, s22: number, s12: number,
  e0: number, e1: number,
): boolean {
  const mode: CayleyMode = { logMag: 0, negative: false, complex: false, ratio: 0, delta: 0, logRatio: 0, phase: 0, sinPhase: 0, cee: 0, ceu: 0, cuu: 0 };
  let radius: number; // largest |eigenvalue|
  if (disc >= 0) {
    const root = Math.sqrt(disc);
    const l1 = (tr + (tr >= 0 ? root : -root)) / 2; // larger magnitude
    radius = Math.abs(l1);
    mode.negative = l1 < 0;
    mode.logMag = Math.log(radius);
    if (l1 !== 0) {
      mode.delta = root / radius; // (l1 - l2) / l1
      mode.ratio = 1 - mode.delta;
      mode.logRatio = Math.log1p(-mode.delta);
    }
  } else {
    const x = tr / 2;
    const y = Math.sqrt(-disc) / 2;
    radius = Math.sqrt(det);
    mode.complex = true;
    mode.negative = x < 0;
    mode.logMag = Math.log(radius);
    mode.phase = Math.atan2(y, Math.abs(x));
    mode.sinPhase = y / radius;
  }
  if (!(radius < 1)) return false;
  // Fixed point Sigma* = T Sigma* + n (1, 1, 1) of the moment map T, by Cramer's rule on I - T.
  const a = 1 - p * p, b = -q * q, c = -2 * p * q;
  const d = -r * r, e = 1 - s * s, f = -2 * r * s;
  const g = -p * r, h = -q * s, i = 1 - (p * s + q * r);
  const A = e * i - f * h, B = f * g - d * i, C = d * h - e * g;
  const inv = n / (a * A + b * B + c * C);
  const f11 = inv * (A + (c * h - b * i) + (b * f - c * e));
  const f22 = inv * (B + (a * i - c * g) + (c * d - a * f));
  const f12 = inv * (C + (b * g - a * h) + (a * e - b * d));
  sink.addConstant(weight * (e0 * e0 * f11 + 2 * e0 * e1 * f12 + e1 * e1 * f22));
  // D = Sigma_0 - Sigma*; e^T A^k = gamma_k e^T + beta_k u^T with u^T = e^T (A - (tr/2) I).
  const d11 = s11 - f11, d22 = s22 - f22, d12 = s12 - f12;
  const u0 = e0 * ((p - s) / 2) + e1 * r;
  const u1 = e0 * q + e1 * ((s - p) / 2);
  mode.cee = weight * (e0 * e0 * d11 + 2 * e0 * e1 * d12 + e1 * e1 * d22);
  mode.ceu = weight * (e0 * u0 * d11 + (e0 * u1 + e1 * u0) * d12 + e1 * u1 * d22);
  mode.cuu = weight * (u0 * u0 * d11 + 2 * u0 * u1 * d12 + u1 * u1 * d22);
  sink.addCayley(mode);
  return true;
}

/** The 3x3 moment transition (E z1^2, E z2^2, E z1 z2) of the same recurrence. */
export function momentTransition(p: number, q: number, r: number, s: number): number[] {
  return [p * p, q * q, 2 * p * q, r * r, s * s, 2 * r * s, p * r, q * s, p * s + q * r];
}
