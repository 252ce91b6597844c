// Loss targets, accuracy, sampled targets (true Fisher) and the output-space curvature of each
// model loss (models/types.ts LossName; the losses themselves are models/loss.ts, written in forms
// that survive double backprop).
import * as tf from '@tensorflow/tfjs';
import type { LossName, Model } from '../models/types';

/**
 * The loss target of a batch: class indices (classification, int32 [batch]), regression targets,
 * or the input itself (reconstruction), shaped [batch, outputs].
 */
export function targetTensor(model: Pick<Model, 'task'>, x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const n = x.shape[0]!;
    if (model.task === 'classification') return tf.cast(y.reshape([n]), 'int32');
    return (model.task === 'reconstruction' ? x : y).reshape([n, -1]);
  });
}

/** Number of correct argmax predictions against class indices, as a scalar tensor. */
export function correctCount(output: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const n = output.shape[0]!;
    const pred = tf.argMax(output.reshape([n, -1]), -1);
    return tf.sum(tf.cast(tf.equal(pred, tf.cast(labels.reshape([n]), 'int32')), 'float32')) as tf.Scalar;
  });
}

/**
 * Targets drawn from the model's predictive distribution (true Fisher), deterministic for a seed:
 * a class sampled from softmax(logits) (indices), output + unit Gaussian noise (squared error), or
 * Bernoulli(sigmoid(logits)) draws (sigmoid cross-entropy).
 */
export function sampledTarget(loss: LossName, output: tf.Tensor, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const n = output.shape[0]!;
    const z = output.reshape([n, -1]);
    switch (loss) {
      case 'softmax-cross-entropy': {
        // Not tf.multinomial: its cpu kernel re-seeds its generator for every row, so all rows
        // of a batch share one uniform and their classes are perfectly correlated (unbiased per
        // example, but sum-over-batch estimates such as the sampled gradient are wrong). Invert
        // each row's CDF with its own uniform instead.
        const cdf = tf.cumsum(tf.softmax(z), 1);
        const u = tf.randomUniform([n, 1], 0, 1, 'float32', seed);
        const index = tf.sum(tf.cast(tf.less(cdf, u), 'int32'), 1);
        return tf.cast(tf.minimum(index, z.shape[1]! - 1), 'int32');
      }
      case 'squared-error':
        return tf.add(z, tf.randomNormal(z.shape, 0, 1, 'float32', seed));
      case 'sigmoid-cross-entropy':
        return tf.cast(tf.less(tf.randomUniform(z.shape, 0, 1, 'float32', seed), tf.sigmoid(z)), 'float32');
    }
  });
}

/**
 * The curvature of the MEAN loss at the output times z (output-shaped): softmax cross-entropy
 * (diag(p) - p p^T) z / n, squared error z / n, sigmoid cross-entropy s(1 - s) z / n.
 */
export function outputCurvatureProduct(loss: LossName, output: tf.Tensor, z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const n = output.shape[0]!;
    const o = output.reshape([n, -1]);
    const v = z.reshape([n, -1]);
    let h: tf.Tensor;
    switch (loss) {
      case 'softmax-cross-entropy': {
        const p = tf.softmax(o);
        h = tf.sub(tf.mul(p, v), tf.mul(p, tf.sum(tf.mul(p, v), -1, true)));
        break;
      }
      case 'squared-error':
        h = v;
        break;
      case 'sigmoid-cross-entropy': {
        const s = tf.sigmoid(o);
        h = tf.mul(tf.mul(s, tf.sub(1, s)), v);
        break;
      }
    }
    return tf.div(h, n).reshape(output.shape);
  });
}
