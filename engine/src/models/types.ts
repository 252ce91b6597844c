// The model contract between models, the training loop and the optimizers. A model is a pure
// function of named parameters: the loop owns the parameter tensors and the optimizer state.
//
// Layouts (what K-FAC/KFC read): a dense layer computes s = a W + b with W [in, out] and b [out]
// (row-vector convention, W is the transpose of the papers' n_out x n_in matrix), so that
// dL/dW = a^T g summed over the batch for a = the layer's inputs [batch, in] and g = dL/ds
// [batch, out]. A conv layer has a filter [kh, kw, inChannels, outChannels] (NHWC, tf.conv2d's
// layout) and computes s = patches(a) W' + b with W' the filter reshaped to
// [kh*kw*inChannels, outChannels]; `extractPatches` (conv.ts) builds those patches in the same
// (row, column, channel) order, so dL/dW' = patches^T g summed over examples and locations.
import type * as tf from '@tensorflow/tfjs';

/** Named parameters (or gradients, or updates): one tensor per name. */
export type Params = Record<string, tf.Tensor>;

/**
 * A registered layer as the training loop hands it over (kfac-jax's layer tags). Per-example
 * rows: `inputs` a (with no bias column), `outputGrads` g = d(per-example loss)/d(pre-activation),
 * i.e. gradients of the SUMMED loss, so that G = g^T g / batch.
 */
export interface LayerTap {
  kind: 'dense' | 'conv2d';
  /** Names of the layer's parameters in Params. */
  weight: string;
  bias?: string;
  /** dense: [batch, in]; conv2d: [batch, height, width, inChannels]. */
  inputs: tf.Tensor;
  /** dense: [batch, out]; conv2d: [batch, outHeight, outWidth, outChannels]. */
  outputGrads: tf.Tensor;
  /** Convolution geometry (conv2d only), for patch extraction. */
  conv?: { kernelSize: [number, number]; strides: [number, number]; padding: 'same' | 'valid' };
}

/** The activations a layer may apply to its pre-activation. */
export type ActivationName = 'relu' | 'tanh' | 'softplus' | 'sigmoid' | 'linear';

/** A registered layer: what K-FAC/KFC need to find its parameters and statistics. */
export interface LayerInfo {
  name: string;
  kind: 'dense' | 'conv2d';
  weight: string;
  bias?: string;
  activation: string;
  conv?: LayerTap['conv'];
  /** Per-example shape of the layer's input: dense [in]; conv2d [height, width, inChannels]. */
  inputShape: number[];
  /** Per-example shape of the pre-activation: dense [out]; conv2d [outHeight, outWidth, outChannels]. */
  outputShape: number[];
}

export type Task = 'classification' | 'regression' | 'reconstruction';

/**
 * The loss the model is trained with, i.e. the negative log-likelihood of its predictive
 * distribution (what a true-Fisher sampler draws targets from):
 *  - 'softmax-cross-entropy': logits of a categorical distribution;
 *  - 'squared-error': per example 1/2 ||output - target||^2, the NLL of a unit-variance Gaussian
 *    up to a constant (so that the output-space Fisher is the identity);
 *  - 'sigmoid-cross-entropy': logits of independent Bernoulli outputs (autoencoders on [0, 1] data).
 */
export type LossName = 'softmax-cross-entropy' | 'squared-error' | 'sigmoid-cross-entropy';

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

export interface ForwardOptions {
  tap?: boolean;
  perturb?: Record<string, tf.Tensor>;
  training?: boolean;
}

/** A forward pass with its directional derivative: see Model.jvp. */
export interface JvpResult {
  /** The model output at params, as forward() computes it: [batch, ...]. */
  output: tf.Tensor;
  /** J v: the output's directional derivative along the parameter tangent, output-shaped. */
  tangent: tf.Tensor;
}

export interface Model {
  readonly name: string;
  readonly task: Task;
  readonly inputShape: number[]; // per example, e.g. [784] or [28, 28, 1]
  readonly outputSize: number;
  readonly layers: LayerInfo[];
  /** The training loss (see LossName). */
  readonly loss: LossName;
  /** Every parameter's shape, by name, in a fixed order (the order init() creates them). */
  readonly paramShapes: Record<string, number[]>;
  /** Fresh parameters from the model's initializer, deterministic for a seed. */
  init(seed: number): Params;
  /**
   * The forward pass. `perturb` adds the given tensor to a layer's pre-activation (keyed by layer
   * name), which is how the loop differentiates with respect to pre-activations without a
   * second forward pass.
   */
  forward(params: Params, x: tf.Tensor, options?: ForwardOptions): ForwardResult;
  /**
   * Forward-mode differentiation (optional): the output and J v, J = d(output)/d(params), in ONE
   * forward pass that carries each activation's tangent along with it (the R-operator, Pearlmutter
   * 1994), instead of the several backward passes of the double-vjp trick (train/output-space.ts,
   * the fallback for models without it). `tangents` holds parameter-shaped tangents by parameter
   * name; a parameter it does not name has a zero tangent, and a name that is no parameter of the
   * model, or a wrong shape, is a RangeError. The result's tensors are owned by the caller.
   */
  jvp?(params: Params, tangents: Params, x: tf.Tensor, options?: Pick<ForwardOptions, 'training'>): JvpResult;
}
