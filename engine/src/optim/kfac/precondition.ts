// The per-layer preconditioned gradient on the device. A layer's weight and bias gradients are
// stacked as V = [W'; b] of shape [(k + 1), out] in the row-vector layout (W' = the weight reshaped
// to [k, out]: dense [in, out]; conv [kh*kw*cin, cout]), the transpose of the papers' n_out x (n_in + 1)
// matrix, so (A (x) G)^-1 vec(V^T) = vec(G^-1 V^T A^-1) becomes A^-1 V G^-1 here.
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../types';

/** Where a layer's parameters live in Params. */
export type LayerParams = { weight: string; bias: string | null };

/** V = [W'; b]: [(k + 1), out] (or [k, out] without a bias). */
export function stackGradient(grads: Params, layer: LayerParams): tf.Tensor2D {
  return tf.tidy(() => {
    const w = grads[layer.weight];
    if (!w) throw new RangeError(`kfac: no gradient for "${layer.weight}"`);
    const out = w.shape[w.shape.length - 1];
    const v = tf.reshape(w, [-1, out]) as tf.Tensor2D;
    if (!layer.bias) return v;
    const b = grads[layer.bias];
    if (!b) throw new RangeError(`kfac: no gradient for "${layer.bias}"`);
    return tf.concat([v, tf.reshape(b, [1, out])], 0) as tf.Tensor2D;
  });
}

/** The inverse of stackGradient: the weight and bias parts in their parameter shapes. */
export function unstackUpdate(u: tf.Tensor2D, layer: LayerParams, shapes: Record<string, number[]>): Params {
  return tf.tidy(() => {
    const out: Params = {};
    const rows = u.shape[0] - (layer.bias ? 1 : 0);
    out[layer.weight] = tf.reshape(tf.slice(u, [0, 0], [rows, -1]), shapes[layer.weight]);
    if (layer.bias) out[layer.bias] = tf.reshape(tf.slice(u, [rows, 0], [1, -1]), shapes[layer.bias]);
    return out;
  });
}

/** A^-1 V G^-1 with the two (damped) factor inverses. */
export function kroneckerSolve(v: tf.Tensor2D, aInv: tf.Tensor2D, gInv: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.matMul(aInv, v), gInv));
}

/**
 * (A (x) G + damping I)^-1 applied to V through the eigendecompositions A = Qa diag(sa) Qa^T and
 * G = Qg diag(sg) Qg^T: Qa [ (Qa^T V Qg) ./ (sa sg^T + damping) ] Qg^T (science-spec 3.3, in the
 * row-vector layout).
 */
export function eigenSolve(v: tf.Tensor2D, qa: tf.Tensor2D, sa: tf.Tensor1D, qg: tf.Tensor2D, sg: tf.Tensor1D, damping: number): tf.Tensor2D {
  return tf.tidy(() => {
    const projected = tf.matMul(tf.matMul(tf.transpose(qa), v), qg);
    const denom = tf.add(tf.mul(tf.reshape(sa, [-1, 1]), tf.reshape(sg, [1, -1])), damping);
    return tf.matMul(tf.matMul(qa, tf.div(projected, denom)), tf.transpose(qg));
  });
}
