// Factor inverses: the jobs for a refresh (pi-adjusted Cholesky inverses or eigendecompositions,
// science-spec 3.3), running them synchronously or on the InverseService's worker thread, and
// turning the results into device tensors for the preconditioner.
import * as tf from '@tensorflow/tfjs';
import { extremeEigenvalues, largestEigenvalue, LinalgError, runInverseJob, type InverseJob, type SymmetricEigen } from '../../linalg';
import { piAdjustedDamping } from './damping';

/** A layer's factors as the state keeps them (host Float64, row-major). */
export type FactorPair = { a: Float64Array; g: Float64Array; dimA: number; dimG: number };

/**
 * Device tensors of one layer's inverse. cholesky: aInv = (A + pi gamma I)^-1, gInv =
 * (G + gamma/pi I)^-1 at the damping of the refresh. eigen: Qa, sa, Qg, sg of the undamped
 * factors (the damping is applied at every step with the current lambda).
 */
export type LayerInverse =
  | { kind: 'cholesky'; aInv: tf.Tensor; gInv: tf.Tensor; aCond: number; gCond: number }
  | { kind: 'eigen'; qa: tf.Tensor; sa: tf.Tensor; qg: tf.Tensor; sg: tf.Tensor; aCond: number; gCond: number };

/** The smallest normal float32. */
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * Float32 copy for upload with float32-denormal entries flushed to zero: an inverse of a factor
 * whose entries vanish (vanishing gradients) has off-diagonal entries below the normal range, and
 * denormal operands make every preconditioning matmul of the inverse period many times slower.
 */
export function toFloat32Flushed(x: ArrayLike<number>): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) {
    const v = x[i];
    out[i] = v > -FLOAT32_MIN_NORMAL && v < FLOAT32_MIN_NORMAL ? 0 : v;
  }
  return out;
}

/**
 * Condition numbers are computed exactly (a full eigensolve each refresh) up to this size; larger
 * factors get lambda_max(M) * lambda_max(M^-1) by power iteration on the damped factor and on the
 * inverse already at hand, O(n^2) per iteration.
 */
export const COND_MAX_SIZE = 128;

/** What a refresh asks for, per layer, two jobs each (input factor first). */
export function inverseJobs(factors: Record<string, FactorPair>, damping: number, exact: boolean): InverseJob[] {
  const jobs: InverseJob[] = [];
  for (const f of Object.values(factors)) {
    if (exact) {
      jobs.push({ kind: 'symmetricEigen', matrix: f.a, n: f.dimA }, { kind: 'symmetricEigen', matrix: f.g, n: f.dimG });
      continue;
    }
    const d = piAdjustedDamping(f.a, f.dimA, f.g, f.dimG, damping);
    // kfac-jax's zero case: both factors become sqrt(damping) I.
    const a = d.zero ? new Float64Array(f.a.length) : f.a;
    const g = d.zero ? new Float64Array(f.g.length) : f.g;
    jobs.push({ kind: 'spdInverse', matrix: a, n: f.dimA, damping: d.dampA }, { kind: 'spdInverse', matrix: g, n: f.dimG, damping: d.dampG });
  }
  return jobs;
}

/** Which factor job i of inverseJobs(factors) inverts (two jobs per layer, input factor first). */
function jobLabel(factors: Record<string, FactorPair>, i: number): string {
  const name = Object.keys(factors)[Math.floor(i / 2)];
  return `layer "${name}" ${i % 2 === 0 ? 'input factor A' : 'output factor G'}`;
}

/**
 * Runs the jobs on this thread (the same arithmetic the worker runs). A failed decomposition (a
 * factor of NaNs, no damping on a singular factor) names its layer and factor.
 */
export function runJobsHere(jobs: InverseJob[], factors: Record<string, FactorPair>, update: number): (Float64Array | SymmetricEigen)[] {
  return jobs.map((j, i) => {
    try {
      return runInverseJob(j.kind, j.matrix, j.n, j.damping);
    } catch (err) {
      if (!(err instanceof LinalgError)) throw err;
      throw new LinalgError(`kfac: update ${update}, ${jobLabel(factors, i)}: ${err.message}`);
    }
  });
}

/** A worker's failure, with the layers whose factors the batch held (the worker does not say which job). */
export function namingLayers<T>(factors: Record<string, FactorPair>, update: number, collect: () => T): T {
  try {
    return collect();
  } catch (err) {
    if (!(err instanceof LinalgError)) throw err;
    throw new LinalgError(`kfac: inverting the factors submitted at update ${update} (layers ${Object.keys(factors).map((n) => `"${n}"`).join(', ')}) failed: ${err.message}`);
  }
}

function condOfDamped(m: Float64Array, n: number, damping: number, inverse: Float64Array): number {
  if (n > COND_MAX_SIZE) return (largestEigenvalue(m, n) + damping) * largestEigenvalue(inverse, n);
  const { min, max } = extremeEigenvalues(m, n);
  return (max + damping) / (Math.max(min, 0) + damping);
}

/**
 * Device tensors from the results of inverseJobs (same layer order). `damping` is lambda + eta at
 * the refresh (for the condition numbers of the damped factors in eigen mode).
 */
export function toLayerInverses(factors: Record<string, FactorPair>, jobs: InverseJob[], results: (Float64Array | SymmetricEigen)[], damping: number): Record<string, LayerInverse> {
  const out: Record<string, LayerInverse> = {};
  Object.entries(factors).forEach(([name, f], i) => {
    const [ja, jg] = [jobs[2 * i], jobs[2 * i + 1]];
    const [ra, rg] = [results[2 * i], results[2 * i + 1]];
    if (ra instanceof Float64Array && rg instanceof Float64Array) {
      // Condition numbers are statistics: computed on first read (a logging step), then cached.
      let aCond: number | undefined;
      let gCond: number | undefined;
      out[name] = {
        kind: 'cholesky',
        aInv: tf.tensor2d(toFloat32Flushed(ra), [f.dimA, f.dimA], 'float32'),
        gInv: tf.tensor2d(toFloat32Flushed(rg), [f.dimG, f.dimG], 'float32'),
        get aCond() {
          return (aCond ??= condOfDamped(ja.matrix, f.dimA, ja.damping ?? 0, ra));
        },
        get gCond() {
          return (gCond ??= condOfDamped(jg.matrix, f.dimG, jg.damping ?? 0, rg));
        },
      };
      return;
    }
    const ea = ra as SymmetricEigen;
    const eg = rg as SymmetricEigen;
    // The factors are PSD: clip rounding negatives as kfac-jax's safe_psd_eigh does.
    const sa = ea.values.map((x) => Math.max(x, 0));
    const sg = eg.values.map((x) => Math.max(x, 0));
    const d = piAdjustedDamping(f.a, f.dimA, f.g, f.dimG, damping);
    out[name] = {
      kind: 'eigen',
      qa: tf.tensor2d(toFloat32Flushed(ea.vectors), [f.dimA, f.dimA], 'float32'),
      sa: tf.tensor1d(toFloat32Flushed(sa), 'float32'),
      qg: tf.tensor2d(toFloat32Flushed(eg.vectors), [f.dimG, f.dimG], 'float32'),
      sg: tf.tensor1d(toFloat32Flushed(sg), 'float32'),
      aCond: (sa[sa.length - 1] + d.dampA) / (sa[0] + d.dampA),
      gCond: (sg[sg.length - 1] + d.dampG) / (sg[0] + d.dampG),
    };
  });
  return out;
}

/** Frees a set of layer inverses. */
export function disposeInverses(inv: Record<string, LayerInverse> | null): void {
  if (!inv) return;
  for (const l of Object.values(inv)) {
    const ts = l.kind === 'cholesky' ? [l.aInv, l.gInv] : [l.qa, l.sa, l.qg, l.sg];
    for (const t of ts) if (!t.isDisposed) t.dispose();
  }
}
