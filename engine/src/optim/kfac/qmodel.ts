// The exact quadratic model of science-spec 3.4: choose (alpha, mu) minimising
//   M(d) = h + grad^T d + 1/2 d^T (F + (lambda + eta) I) d   at d = alpha Delta + mu delta0,
// with F the exact minibatch Fisher/GGN, used only through J d (outputSpace): d^T F d =
// sum((J d) .* H_L (J d)), H_L the output curvature of the MEAN loss.
import * as tf from '@tensorflow/tfjs';
import type { OutputSpace, Params } from '../types';

/** The scalars of the 2-D model on the span of (Delta, delta0). */
export interface QuadraticTerms {
  /** [Delta^T F Delta, Delta^T F delta0, delta0^T F delta0]. */
  fisher: [number, number, number];
  /** [Delta^T Delta, Delta^T delta0, delta0^T delta0]. */
  gram: [number, number, number];
  /** [grad^T Delta, grad^T delta0]. */
  grad: [number, number];
}

export interface QuadraticSolution {
  alpha: number;
  mu: number;
  /** M(delta) - M(0) with F + eta I (no lambda): the prediction rho compares with (tf-kfac's default). */
  change: number;
  /** M(delta) - M(0) with the full C = F + (lambda + eta) I. */
  dampedChange: number;
}

const dot = (a: Params, b: Params): tf.Tensor => tf.addN(Object.keys(a).map((k) => tf.sum(tf.mul(a[k], b[k]))));

/**
 * Reads the model's scalars in one device read: J Delta (and J delta0 when given) by the output
 * space's Jacobian-vector product, then the curvature, Gram and gradient inner products.
 */
export function quadraticTerms(space: OutputSpace, grad: Params, delta: Params, delta0: Params | null): QuadraticTerms {
  const packed = tf.tidy(() => {
    const jd = space.jvp(delta);
    const hjd = space.curvature(jd);
    const parts: tf.Tensor[] = [tf.sum(tf.mul(jd, hjd)), dot(delta, delta), dot(grad, delta)];
    if (delta0) {
      const j0 = space.jvp(delta0);
      const hj0 = space.curvature(j0);
      parts.push(tf.sum(tf.mul(jd, hj0)), tf.sum(tf.mul(j0, hj0)), dot(delta, delta0), dot(delta0, delta0), dot(grad, delta0));
    }
    return tf.stack(parts);
  });
  const v = packed.dataSync();
  packed.dispose();
  if (!delta0) return { fisher: [v[0], 0, 0], gram: [v[1], 0, 0], grad: [v[2], 0] };
  return { fisher: [v[0], v[3], v[4]], gram: [v[1], v[5], v[6]], grad: [v[2], v[7]] };
}

/** M(alpha Delta + mu delta0) - M(0) for the curvature F + damping I. */
export function modelChange(t: QuadraticTerms, damping: number, alpha: number, mu: number): number {
  const c00 = t.fisher[0] + damping * t.gram[0];
  const c01 = t.fisher[1] + damping * t.gram[1];
  const c11 = t.fisher[2] + damping * t.gram[2];
  return alpha * t.grad[0] + mu * t.grad[1] + 0.5 * (alpha * alpha * c00 + 2 * alpha * mu * c01 + mu * mu * c11);
}

/**
 * The minimiser of M over (alpha, mu) with C = F + (lambda + eta) I. Without a previous update
 * (`withMomentum` false, or delta0 = 0, or Delta parallel to delta0) mu = 0 and alpha =
 * -grad^T Delta / Delta^T C Delta (kfac-jax's psd_solve_maybe_zero_last_idx).
 */
export function solveQuadraticModel(t: QuadraticTerms, lambda: number, eta: number, withMomentum: boolean): QuadraticSolution {
  const damping = lambda + eta;
  const c00 = t.fisher[0] + damping * t.gram[0];
  const c01 = t.fisher[1] + damping * t.gram[1];
  const c11 = t.fisher[2] + damping * t.gram[2];
  const det = c00 * c11 - c01 * c01;
  let alpha: number;
  let mu: number;
  if (withMomentum && c11 > 0 && det > 1e-12 * c00 * c11) {
    // [alpha; mu] = -C2^-1 [g.Delta; g.delta0]
    alpha = -(c11 * t.grad[0] - c01 * t.grad[1]) / det;
    mu = -(-c01 * t.grad[0] + c00 * t.grad[1]) / det;
  } else {
    alpha = c00 > 0 ? -t.grad[0] / c00 : 0;
    mu = 0;
  }
  return { alpha, mu, change: modelChange(t, eta, alpha, mu), dampedChange: modelChange(t, damping, alpha, mu) };
}
