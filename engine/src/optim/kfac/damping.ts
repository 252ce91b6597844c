// Damping: the pi-adjusted factored Tikhonov damping of the factor inverses (science-spec 3.3,
// kfac-jax pi_adjusted_kronecker_factors) and the Levenberg-Marquardt rule for lambda (3.5).
import { trace } from '../../linalg';

/**
 * What to add to each factor's diagonal so that (A + dA I) (x) (G + dG I) approximates
 * A (x) G + damping I: dA = pi sqrt(damping), dG = sqrt(damping) / pi with
 * pi = sqrt((tr A / dim A) / (tr G / dim G)). `zero` is kfac-jax's special case: when a factor's
 * trace is 0 both factors become sqrt(damping) I (the factors themselves are then ignored).
 */
export function piAdjustedDamping(a: Float64Array, dimA: number, g: Float64Array, dimG: number, damping: number): { pi: number; dampA: number; dampG: number; zero: boolean } {
  const normA = trace(a, dimA) / dimA;
  const normG = trace(g, dimG) / dimG;
  const gamma = Math.sqrt(damping);
  if (!(normA > 0) || !(normG > 0)) return { pi: 1, dampA: gamma, dampG: gamma, zero: true };
  const pi = Math.sqrt(normA / normG);
  return { pi, dampA: pi * gamma, dampG: gamma / pi, zero: false };
}

export interface LmOptions {
  /** Per-step decay omega; the factor applied every `every` steps is omega^every. */
  decay: number;
  every: number;
  min: number;
  max: number;
}

/**
 * The Levenberg-Marquardt update of lambda: rho > 3/4 shrinks it by omega^T1, rho < 1/4 (or NaN,
 * as kfac-jax's rho -> -100) grows it by 1/omega^T1; the result is clipped to [min, max].
 */
export function levenbergMarquardt(lambda: number, rho: number, o: LmOptions): number {
  const factor = Math.pow(o.decay, o.every);
  const r = Number.isNaN(rho) ? -100 : rho;
  let next = lambda;
  if (r > 0.75) next = lambda * factor;
  else if (r < 0.25) next = lambda / factor;
  return Math.min(o.max, Math.max(o.min, next));
}
