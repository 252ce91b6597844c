// The model contract between models, the training loop and the optimizers. A model is a pure
// function of named parameters: the loop owns the parameter tensors and the optimizer state.
import type * as tf from '@tensorflow/tfjs';
import type { LayerTap, Params } from '../optim/types';

/** A registered layer: what K-FAC/KFC need to find its parameters and statistics. */
export interface LayerInfo {
  name: string;
  kind: 'dense' | 'conv2d';
  weight: string;
  bias?: string;
  activation: string;
  conv?: LayerTap['conv'];
}

export type Task = 'classification' | 'regression' | 'reconstruction';

export interface ForwardResult {
  /** Logits (classification) or predictions (regression, reconstruction): [batch, ...]. */
  output: tf.Tensor;
  /**
   * With `tap: true`, each registered layer's input activations and pre-activations, keyed by
   * layer name. The loop obtains the gradients at the pre-activations from these (by adding a
   * zero perturbation to each pre-activation and differentiating with respect to it).
   */
  taps?: Record<string, { inputs: tf.Tensor; preactivations: tf.Tensor }>;
}

export interface Model {
  readonly name: string;
  readonly task: Task;
  readonly inputShape: number[]; // per example, e.g. [784] or [28, 28, 1]
  readonly outputSize: number;
  readonly layers: LayerInfo[];
  /** Fresh parameters from the model's initializer, deterministic for a seed. */
  init(seed: number): Params;
  /**
   * The forward pass. `perturb` adds the given tensor to a layer's pre-activation (keyed by layer
   * name), which is how the loop differentiates with respect to pre-activations without a
   * second forward pass.
   */
  forward(params: Params, x: tf.Tensor, options?: { tap?: boolean; perturb?: Record<string, tf.Tensor>; training?: boolean }): ForwardResult;
}
