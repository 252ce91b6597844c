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
 * value (first update) becomes a copy of x. The caller updates the weight with nextWeight.
 */
export function emaUpdate(value: Float64Array | null, weight: number, x: ArrayLike<number>, emaOld: number, emaNew: number): Float64Array {
  if (value === null || weight === 0) return Float64Array.from(x);
  if (value.length !== x.length) throw new RangeError(`kfac: factor size changed from ${value.length} to ${x.length}`);
  const w = nextWeight(weight, emaOld, emaNew);
  const keep = (emaOld * weight) / w;
  const take = emaNew / w;
  for (let i = 0; i < value.length; i++) value[i] = keep * value[i] + take * x[i];
  return value;
}
