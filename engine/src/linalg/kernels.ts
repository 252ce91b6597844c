// Dot-product micro-kernels over contiguous row segments: the inner loops of Cholesky, triangular
// inversion and the Gram product. Blocking 4 rows of x against 2 rows of y loads 6 numbers per
// 8 multiply-adds instead of 2 per 1, which is what makes the blocked routines faster in V8.

/** out[2r + c] = sum_{k0 <= k < k1} x[xOff + r*xStride + k] * y[yc + k], r < 4, yc = y0 (c=0), y1 (c=1). */
export function dot4x2(
  x: Float64Array,
  xOff: number,
  xStride: number,
  y: Float64Array,
  y0: number,
  y1: number,
  k0: number,
  k1: number,
  out: Float64Array,
): void {
  const r0 = xOff;
  const r1 = xOff + xStride;
  const r2 = r1 + xStride;
  const r3 = r2 + xStride;
  let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0; // prettier-ignore
  for (let k = k0; k < k1; k++) {
    const b0 = y[y0 + k];
    const b1 = y[y1 + k];
    const a0 = x[r0 + k];
    s00 += a0 * b0;
    s01 += a0 * b1;
    const a1 = x[r1 + k];
    s10 += a1 * b0;
    s11 += a1 * b1;
    const a2 = x[r2 + k];
    s20 += a2 * b0;
    s21 += a2 * b1;
    const a3 = x[r3 + k];
    s30 += a3 * b0;
    s31 += a3 * b1;
  }
  out[0] = s00;
  out[1] = s01;
  out[2] = s10;
  out[3] = s11;
  out[4] = s20;
  out[5] = s21;
  out[6] = s30;
  out[7] = s31;
}

/** out[c] = sum_{k0 <= k < k1} x[xOff + k] * y[yc + k] for c = 0, 1 (the leftover rows of dot4x2). */
export function dot1x2(x: Float64Array, xOff: number, y: Float64Array, y0: number, y1: number, k0: number, k1: number, out: Float64Array): void {
  let s0 = 0;
  let s1 = 0;
  for (let k = k0; k < k1; k++) {
    const a = x[xOff + k];
    s0 += a * y[y0 + k];
    s1 += a * y[y1 + k];
  }
  out[0] = s0;
  out[1] = s1;
}

/** sum_{k0 <= k < k1} x[xOff + k] * y[yOff + k]. */
export function dot(x: Float64Array, xOff: number, y: Float64Array, yOff: number, k0: number, k1: number): number {
  let s = 0;
  for (let k = k0; k < k1; k++) s += x[xOff + k] * y[yOff + k];
  return s;
}
