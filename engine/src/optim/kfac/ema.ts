// The bias-corrected moving average of the curvature factors (kfac-jax WeightedMovingAverage,
// science-spec 3.2), on host Float64 arrays.
//   weight_t = emaOld * weight_{t-1} + emaNew
//   value_t  = (emaOld * weight_{t-1} * value_{t-1} + emaNew * x_t) / weight_t
// Burn-in uses emaOld = emaNew = 1 (a plain running mean); afterwards emaOld = decay, emaNew = 1.

/** The (emaOld, emaNew) pair for an update: burn-in steps average plainly. */
export function emaWeights(inBurnIn: boolean, decay: number): { emaOld: number; emaNew: number } {
  return inBurnIn ? { emaOld: 1, emaNew: 1 } : { emaOld: decay, emaNew: 1 };
}

/** The new total weight after one update from `weight` (0 before the first update). */
export function nextWeight(weight: number, emaOld: number, emaNew: number): number {
  return emaOld * weight + emaNew;
}

/**
 * Folds `x` into the average `value` (of total weight `weight`) IN PLACE and returns it; a null
 * value (first update) becomes a copy of x. x is read as x * xScale (an exact power of 2 in
 * practice, see readFactors). The caller updates the weight with nextWeight.
 */
export function emaUpdate(value: Float64Array | null, weight: number, x: ArrayLike<number>, emaOld: number, emaNew: number, xScale = 1): Float64Array {
  if (value === null || weight === 0) {
    const out = Float64Array.from(x);
    if (xScale !== 1) for (let i = 0; i < out.length; i++) out[i] *= xScale;
    return out;
  }
  if (value.length !== x.length) throw new RangeError(`kfac: factor size changed from ${value.length} to ${x.length}`);
  const w = nextWeight(weight, emaOld, emaNew);
  const keep = (emaOld * weight) / w;
  const take = emaNew / w;
  if (x instanceof Float32Array) foldFloat32(value, x, keep, take, xScale);
  else if (xScale === 1) for (let i = 0; i < value.length; i++) value[i] = keep * value[i] + take * x[i];
  else for (let i = 0; i < value.length; i++) value[i] = keep * value[i] + take * (x[i] * xScale);
  return value;
}

/** The hot loop of emaUpdate for the engine's float32 device reads (monomorphic: typed arrays only). */
function foldFloat32(value: Float64Array, x: Float32Array, keep: number, take: number, xScale: number): void {
  if (xScale === 1) for (let i = 0; i < value.length; i++) value[i] = keep * value[i] + take * x[i];
  else for (let i = 0; i < value.length; i++) value[i] = keep * value[i] + take * (x[i] * xScale);
}
