// One forward and one backward pass that give the loss, the parameter gradients and, for every
// registered layer, what K-FAC/KFC consume (LayerTap in types.ts): the layer's inputs and the
// gradients at its pre-activations. The latter are obtained by adding a zero perturbation to each
// pre-activation (Model.forward's `perturb`) and differentiating with respect to it: at zero, the
// gradient with respect to the perturbation is dL/d(pre-activation).
import * as tf from '@tensorflow/tfjs';
import type { LayerTap, Model, Params } from './types';

export interface GradientsResult {
  /** The mean of the per-example losses. */
  loss: tf.Scalar;
  /** Gradients of `loss` (the mean) with respect to every parameter. */
  grads: Params;
  /**
   * With `taps: true`, per registered layer: its inputs and outputGrads = d(per-example loss)/
   * d(pre-activation), i.e. the gradients of the SUMMED loss (batch x the gradients of the mean),
   * as LayerTap specifies.
   */
  layerStats?: Record<string, LayerTap>;
}

/**
 * Loss, gradients and (optionally) layer taps in one forward/backward pass. `perExample` maps the
 * model's output to per-example losses [batch] (e.g. (out) => perExampleLoss(model.loss, out, y),
 * or the same with targets sampled from the model for the true Fisher). Every returned tensor is
 * new and owned by the caller (disposeGradientsResult frees them all). The taps' inputs are
 * tf.keep'd, so a surrounding tf.tidy does not free them: return or dispose them.
 */
export function lossAndGradients(
  model: Model,
  params: Params,
  x: tf.Tensor,
  perExample: (output: tf.Tensor) => tf.Tensor,
  options: { taps?: boolean; paramGrads?: boolean } = {},
): GradientsResult {
  const allNames = Object.keys(model.paramShapes);
  for (const n of allNames) if (!params[n]) throw new RangeError(`${model.name}: parameter "${n}" is missing`);
  // paramGrads false (taps only, e.g. K-FAC's sampled-target pass): the parameters are constants,
  // so the backward pass skips the weight-gradient matmuls.
  const names = options.paramGrads === false ? [] : allNames;
  if (names.length === 0 && !options.taps) throw new RangeError('lossAndGradients: paramGrads false needs taps (there is nothing to differentiate)');
  const batch = x.shape[0];
  const layers = options.taps ? model.layers : [];
  const zeros = layers.map((l) => tf.zeros([batch, ...l.outputShape]));
  let inputs: Record<string, tf.Tensor> = {};
  const f = (...args: tf.Tensor[]): tf.Scalar => {
    const p: Params = { ...params };
    names.forEach((n, i) => (p[n] = args[i]));
    const perturb: Record<string, tf.Tensor> = {};
    layers.forEach((l, i) => (perturb[l.name] = args[names.length + i]));
    const r = model.forward(p, x, { tap: layers.length > 0, perturb: layers.length ? perturb : undefined, training: true });
    inputs = {};
    // The taps' inputs outlive the gradient computation's tidy scope.
    for (const l of layers) inputs[l.name] = tf.keep(r.taps![l.name].inputs);
    return tf.mean(perExample(r.output));
  };
  let value: tf.Scalar;
  let all: tf.Tensor[];
  try {
    ({ value, grads: all } = tf.valueAndGrads(f)([...names.map((n) => params[n]), ...zeros]));
  } finally {
    tf.dispose(zeros);
  }
  const grads: Params = {};
  names.forEach((n, i) => (grads[n] = all[i]));
  if (!options.taps) return { loss: value, grads };
  const layerStats: Record<string, LayerTap> = {};
  layers.forEach((l, i) => {
    const g = all[names.length + i];
    const tap: LayerTap = { kind: l.kind, weight: l.weight, inputs: inputs[l.name], outputGrads: tf.mul(g, batch) };
    g.dispose();
    if (l.bias) tap.bias = l.bias;
    if (l.conv) tap.conv = l.conv;
    layerStats[l.name] = tap;
  });
  return { loss: value, grads, layerStats };
}

/** Disposes every tensor of a GradientsResult. */
export function disposeGradientsResult(r: GradientsResult): void {
  r.loss.dispose();
  tf.dispose(Object.values(r.grads));
  for (const t of Object.values(r.layerStats ?? {})) tf.dispose([t.inputs, t.outputGrads]);
}
