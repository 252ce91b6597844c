// Losses written in forms whose gradients are right to second order (Hessian-vector products by
// double backprop), on top of the corrected gradients of gradients.ts.
//
// tf.losses.softmaxCrossEntropy and tf.logSoftmax are customGrad ops that save their own output,
// which an outer tf.grad sees as a constant: their second derivatives are silently wrong (see
// gradients.ts). Cross-entropy here is logSumExp(z) * sum(y) - <y, z>, built from ops with
// registered gradients, which checks out against finite differences (test/engine/tf/gradcheck).
import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from './namespace';

export type Reduction = 'mean' | 'sum' | 'none';

/** log softmax along the last axis: z - logSumExp(z). Differentiable twice (unlike tf.logSoftmax). */
export function logSoftmax(tf: Tf, logits: Tensor): Tensor {
  return tf.tidy(() => tf.sub(logits, tf.logSumExp(logits, -1, true)));
}

/**
 * Softmax cross-entropy of logits [..., classes] against label distributions (one-hot or soft)
 * of the same shape: per example logSumExp(z) * sum(y) - <y, z>; reduced over the examples by
 * `reduction` (default: mean).
 */
export function softmaxCrossEntropy(tf: Tf, labels: Tensor, logits: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkSameShape(labels, logits, 'softmaxCrossEntropy');
  return tf.tidy(() => {
    const y = tf.cast(labels, 'float32');
    const lse = tf.logSumExp(logits, -1); // [...]
    const perExample = tf.sub(tf.mul(lse, tf.sum(y, -1)), tf.sum(tf.mul(y, logits), -1));
    return reduce(tf, perExample, reduction);
  });
}

/**
 * Sigmoid (binary) cross-entropy of logits against targets in [0, 1], elementwise
 * softplus(z) - y z (stable for large |z|); reduced over all elements by `reduction`.
 */
export function sigmoidCrossEntropy(tf: Tf, labels: Tensor, logits: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkSameShape(labels, logits, 'sigmoidCrossEntropy');
  return tf.tidy(() => reduce(tf, tf.sub(tf.softplus(logits), tf.mul(tf.cast(labels, 'float32'), logits)), reduction));
}

/** Mean (or summed) squared error over all elements. */
export function meanSquaredError(tf: Tf, targets: Tensor, predictions: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkSameShape(targets, predictions, 'meanSquaredError');
  return tf.tidy(() => reduce(tf, tf.square(tf.sub(predictions, targets)), reduction));
}

function reduce(tf: Tf, x: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return x;
  return reduction === 'sum' ? tf.sum(x) : tf.mean(x);
}

function checkSameShape(a: Tensor, b: Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${what}: labels have shape [${a.shape.join(', ')}] but logits/predictions have [${b.shape.join(', ')}]`);
  }
}
