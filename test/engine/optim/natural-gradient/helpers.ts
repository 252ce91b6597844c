// Fixtures of the natural-gradient tests: tiny models from engine/src/models, the output-space view
// of a minibatch built as the training loop builds it, and host-side flattening of parameter trees.
import * as tf from '@tensorflow/tfjs';
import { mlp } from '../../../../engine/src/models/architectures';
import { modelLoss } from '../../../../engine/src/models/loss';
import type { Model } from '../../../../engine/src/models/types';
import type { OutputSpace, Params } from '../../../../engine/src/optim/types';
import { paramLayout, type ParamLayout } from '../../../../engine/src/optim/natural-gradient';
import { targetTensor } from '../../../../engine/src/train/loss';
import { ggnProduct, outputSpace } from '../../../../engine/src/train/output-space';
import { Rng } from '../../../../engine/src/util/random';

/** MLP 3-4-3 (tanh): softmax cross-entropy on logits, or squared error on 3 regression outputs. */
export function tinyMlp(loss: 'softmax-cross-entropy' | 'squared-error'): Model {
  return mlp({ inputShape: [3], widths: [4], outputSize: 3, activation: 'tanh', task: loss === 'squared-error' ? 'regression' : 'classification', loss, init: { type: 'glorot-normal' } });
}

/** Seeded Gaussian numbers. */
export function gaussian(count: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed, 0x4e47);
  return Float32Array.from({ length: count }, () => scale * rng.normal());
}

/** A batch for `model`: inputs N(0, 1), class labels (classification) or N(0, 1) targets. */
export function batchFor(model: Model, batch: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const d = model.inputShape[0];
  const x = tf.tensor2d(gaussian(batch * d, seed), [batch, d]);
  if (model.task === 'classification') {
    const rng = new Rng(seed, 0x1abe);
    return { x, y: tf.tensor1d(Int32Array.from({ length: batch }, () => Math.floor(rng.next() * model.outputSize)), 'int32') };
  }
  return { x, y: tf.tensor2d(gaussian(batch * model.outputSize, seed + 1000), [batch, model.outputSize]) };
}

export interface Minibatch {
  model: Model;
  params: Params;
  x: tf.Tensor;
  target: tf.Tensor;
  output: tf.Tensor;
  space: OutputSpace;
  layout: ParamLayout;
  /** The gradient of the mean minibatch loss. */
  grads: Params;
  dispose(): void;
}

/** The loop's view of one minibatch at `params` (borrowed; not disposed by dispose()). */
export function minibatch(model: Model, params: Params, x: tf.Tensor, y: tf.Tensor): Minibatch {
  const target = targetTensor(model, x, y);
  const output = model.forward(params, x).output;
  const space = outputSpace(model, params, x, target, output);
  const names = Object.keys(params);
  const grads = tf.tidy(() => {
    const g = tf.grads((...ps: tf.Tensor[]) => modelLoss(model, model.forward(Object.fromEntries(names.map((n, i) => [n, ps[i]])), x).output, target))(names.map((n) => params[n]));
    return Object.fromEntries(names.map((n, i) => [n, g[i]]));
  });
  return {
    model,
    params,
    x,
    target,
    output,
    space,
    layout: paramLayout(params),
    grads,
    dispose: () => tf.dispose([target, output, space.lossGrad, ...Object.values(grads)]),
  };
}

/** A tree's values flattened in layout order, float64. */
export function flatten(tree: Params, layout: ParamLayout): Float64Array {
  const out = new Float64Array(layout.total);
  let offset = 0;
  layout.names.forEach((name, i) => {
    out.set(tree[name].dataSync(), offset);
    offset += layout.sizes[i];
  });
  return out;
}

/** A flat vector as a tree of tensors. */
export function unflattenTree(v: ArrayLike<number>, layout: ParamLayout): Params {
  const out: Params = {};
  let offset = 0;
  layout.names.forEach((name, i) => {
    out[name] = tf.tensor(Float32Array.from({ length: layout.sizes[i] }, (_, k) => v[offset + k]), layout.shapes[i]);
    offset += layout.sizes[i];
  });
  return out;
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** ||a - b|| / ||b||. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < b.length; i++) d += (a[i] - b[i]) ** 2;
  return Math.sqrt(d) / norm(b);
}

/** params + eps * v (new tensors). */
export function shifted(params: Params, v: Params, eps: number): Params {
  return tf.tidy(() => Object.fromEntries(Object.entries(params).map(([k, p]) => [k, tf.add(p, tf.mul(v[k], eps))])));
}

export function disposeTree(tree: Params): void {
  tf.dispose(Object.values(tree));
}

/** The GGN of the mean loss as a P x P matrix, column j = curvatureProduct(e_j). */
export function ggnMatrix(mb: Minibatch): Float64Array {
  const p = mb.layout.total;
  const m = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const e = new Float64Array(p);
    e[j] = 1;
    const v = unflattenTree(e, mb.layout);
    const gv = ggnProduct(mb.space, v);
    const col = flatten(gv, mb.layout);
    disposeTree(v);
    disposeTree(gv);
    for (let r = 0; r < p; r++) m[r * p + j] = col[r];
  }
  return m;
}

