// The exact damped natural-gradient direction in output space (science-spec sections 5 and 6).
//
// With J = d(output)/d(params) on the minibatch (N x P), H = H_L the output-space Hessian of the
// MEAN loss (= the output-space Fisher for the engine's losses) and g = dL/d(output), the loss
// gradient is J^T g and the push-through identity (J^T H J + lambda I)^-1 J^T = J^T (H J J^T + lambda I)^-1
// turns the P x P solve into an N x N one:
//
//   d = (J^T H J + lambda I)^-1 J^T g = J^T (H K + lambda I)^-1 g,   K = J J^T (the Gram).
//
// Squared error (section 6): the mean loss (1/2b) ||u - y||^2 has g = (u - y)/b and H = I/b, so
// d = J^T (K + b lambda I)^-1 (u - y): section 6's damping is c = b * lambda (b = batch size), and
// lambda = 0 is its pseudo-inverse update theta - eta J^T (J J^T)^-1 (u - y).
import { extremeEigenvalues, LinalgError, matmul, solve } from '../../linalg';
import type { OutputSpace } from '../types';
import { gramOfRows, jacobianRows, outputCurvatureMatrix, scalarCurvature, transposeTimes, type ParamLayout } from './output-space-matrices';

export interface ExactDirection {
  /** d = J^T (H K + lambda I)^-1 g, flattened in layout order (float64). */
  direction: Float64Array;
  /** The Gram K = J J^T (N x N), section 6's G for u = f(x). */
  gram: Float64Array;
  n: number;
  /** ||u - y||^2 when H_L is a multiple of the identity (squared error), else null. */
  residual: number | null;
}

/** The exact natural-gradient direction (before the learning rate and sign) of the minibatch loss. */
export function exactDirection(space: OutputSpace, layout: ParamLayout, damping: number): ExactDirection {
  const n = space.output.size;
  const p = layout.total;
  const j = jacobianRows(space, layout);
  const gram = gramOfRows(j, n, p);
  const h = outputCurvatureMatrix(space);
  const g = Float64Array.from(space.lossGrad.dataSync());
  const hk = matmul(h, gram, n, n, n);
  for (let i = 0; i < n; i++) hk[i * n + i] += damping;
  let s: Float64Array;
  try {
    s = solve(hk, n, g);
  } catch (err) {
    if (err instanceof LinalgError) {
      throw new LinalgError(`natural gradient (exact): the damped output-space system H J J^T + ${damping} I is singular (${err.message}); use damping > 0`);
    }
    throw err;
  }
  const hScalar = scalarCurvature(h, n);
  let residual: number | null = null;
  if (hScalar !== null) {
    residual = 0;
    for (let i = 0; i < n; i++) residual += (g[i] / hScalar) ** 2;
  }
  return { direction: transposeTimes(j, n, p, s), gram, n, residual };
}

/** Section 6's Gram statistics: extreme eigenvalues and condition number of K = J J^T. */
export function gramStats(gram: Float64Array, n: number): { gram_lambda_min: number; gram_lambda_max: number; gram_condition: number } {
  const { min, max } = extremeEigenvalues(gram, n);
  return { gram_lambda_min: min, gram_lambda_max: max, gram_condition: min > 0 ? max / min : Infinity };
}
