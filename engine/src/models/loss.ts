// The per-example training losses of the models (types.ts LossName), in forms that can be
// differentiated twice (engine/src/tf/losses.ts).
import * as tf from '@tensorflow/tfjs';
import { sigmoidCrossEntropy, softmaxCrossEntropy } from '../tf/losses';
import type { LossName, Model } from './types';

/**
 * Per-example losses [batch] of `output` [batch, k] against `targets`:
 *  - softmax-cross-entropy: targets are class indices (int32 [batch]) or label distributions [batch, k];
 *  - squared-error: 1/2 ||output_i - target_i||^2, targets of the output's size per example;
 *  - sigmoid-cross-entropy: targets in [0, 1] of the output's shape, summed over the outputs.
 */
export function perExampleLoss(loss: LossName, output: tf.Tensor, targets: tf.Tensor): tf.Tensor1D {
  const batch = output.shape[0];
  const k = output.size / batch;
  return tf.tidy(() => {
    const z = tf.reshape(output, [batch, k]);
    switch (loss) {
      case 'softmax-cross-entropy': {
        const indices = targets.dtype === 'int32' && targets.rank === 1;
        if (targets.shape[0] !== batch || (!indices && targets.size !== output.size)) {
          throw new RangeError(`softmax-cross-entropy: targets of shape [${targets.shape.join(', ')}] for logits of shape [${output.shape.join(', ')}] (give class indices [batch] or distributions [batch, ${k}])`);
        }
        const y = indices ? tf.oneHot(targets as tf.Tensor1D, k) : tf.reshape(targets, [batch, k]);
        return softmaxCrossEntropy(tf, tf.cast(y, 'float32'), z, 'none') as tf.Tensor1D;
      }
      case 'squared-error':
      case 'sigmoid-cross-entropy': {
        if (targets.size !== output.size) throw new RangeError(`${loss}: targets of shape [${targets.shape.join(', ')}] for outputs of shape [${output.shape.join(', ')}]`);
        const y = tf.reshape(tf.cast(targets, 'float32'), [batch, k]);
        if (loss === 'squared-error') return tf.mul(tf.sum(tf.square(tf.sub(z, y)), 1), 0.5) as tf.Tensor1D;
        return tf.sum(sigmoidCrossEntropy(tf, y, z, 'none'), 1) as tf.Tensor1D;
      }
    }
  });
}

/** The model's loss on a batch, averaged (default) or summed over the examples. */
export function modelLoss(model: Pick<Model, 'loss'>, output: tf.Tensor, targets: tf.Tensor, reduction: 'mean' | 'sum' = 'mean'): tf.Scalar {
  return tf.tidy(() => {
    const per = perExampleLoss(model.loss, output, targets);
    return reduction === 'sum' ? tf.sum(per) : tf.mean(per);
  });
}
