// A tiny MLP implementing the Model contract (taps and pre-activation perturbations included), for
// the training-loop tests: they do not depend on the model registry.
import * as tf from '@tensorflow/tfjs';
import type { LayerInfo, Model, Task } from '../../../engine/src/models/types';
import type { Params } from '../../../engine/src/optim/types';

export function tinyMlp(inputDim: number, hidden: number[], outputs: number, task: Task = 'classification'): Model {
  const widths = [inputDim, ...hidden, outputs];
  const layers: LayerInfo[] = widths.slice(1).map((_, i) => ({
    name: `fc${i + 1}`,
    kind: 'dense',
    weight: `fc${i + 1}/w`,
    bias: `fc${i + 1}/b`,
    activation: i === widths.length - 2 ? 'linear' : 'tanh',
    inputShape: [widths[i]],
    outputShape: [widths[i + 1]],
  }));
  const paramShapes: Record<string, number[]> = {};
  layers.forEach((l, i) => {
    paramShapes[l.weight] = [widths[i], widths[i + 1]];
    paramShapes[l.bias!] = [widths[i + 1]];
  });
  return {
    name: `tiny-mlp-${widths.join('-')}`,
    task,
    inputShape: [inputDim],
    outputSize: outputs,
    layers,
    loss: task === 'classification' ? 'softmax-cross-entropy' : 'squared-error',
    paramShapes,
    init(seed) {
      const p: Params = {};
      layers.forEach((l, i) => {
        p[l.weight] = tf.randomNormal([widths[i], widths[i + 1]], 0, 1 / Math.sqrt(widths[i]), 'float32', seed * 101 + i);
        p[l.bias!] = tf.zeros([widths[i + 1]]);
      });
      return p;
    },
    forward(params, x, options = {}) {
      return tf.tidy(() => {
        let h = x.reshape([x.shape[0]!, inputDim]);
        const taps: Record<string, { inputs: tf.Tensor; preactivations: tf.Tensor }> = {};
        layers.forEach((l, i) => {
          let z = tf.add(tf.matMul(h, params[l.weight]), params[l.bias!]);
          const dz = options.perturb?.[l.name];
          if (dz) z = tf.add(z, dz);
          if (options.tap) taps[l.name] = { inputs: h, preactivations: z };
          h = i === layers.length - 1 ? z : tf.tanh(z);
        });
        return options.tap ? { output: h, taps } : { output: h };
      });
    },
  };
}
