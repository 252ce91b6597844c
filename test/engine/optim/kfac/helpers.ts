// Fixtures of the K-FAC tests: a one-layer model whose exact Fisher is a Kronecker product, dense
// curvature matrices built column by column from the engine's curvature products, and the
// extras the training loop would hand over, built by hand for one minibatch.
import * as tf from '@tensorflow/tfjs';
import { lossAndGradients } from '../../../../engine/src/models/taps';
import { modelLoss, perExampleLoss } from '../../../../engine/src/models/loss';
import type { Model } from '../../../../engine/src/models/types';
import type { Extras, Params } from '../../../../engine/src/optim/types';
import { outputSpace, ggnProduct } from '../../../../engine/src/train/output-space';
import { sampledTarget } from '../../../../engine/src/train/loss';

/** Flattens a tree in the order of `names` (row-major per tensor), as float64. */
export function flatten(tree: Params, names: string[]): Float64Array {
  const parts = names.map((n) => tree[n].dataSync());
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The inverse of flatten, as float32 tensors shaped like `like`. */
export function unflatten(v: ArrayLike<number>, like: Params, names: string[]): Params {
  const out: Params = {};
  let at = 0;
  for (const n of names) {
    const size = like[n].size;
    out[n] = tf.tensor(Float32Array.from(Array.from({ length: size }, (_, i) => v[at + i])), like[n].shape);
    at += size;
  }
  return out;
}

export function disposeTree(t: Params | null | undefined): void {
  if (t) tf.dispose(Object.values(t));
}

/** The dense P x P curvature matrix of `product` (columns = products with unit vectors). */
export function denseMatrix(product: (v: Params) => Params, like: Params, names: string[]): Float64Array {
  const p = names.reduce((s, n) => s + like[n].size, 0);
  const m = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const e = new Float64Array(p);
    e[j] = 1;
    const v = unflatten(e, like, names);
    const fv = product(v);
    const col = flatten(fv, names);
    for (let i = 0; i < p; i++) m[i * p + j] = col[i];
    disposeTree(v);
    disposeTree(fv);
  }
  return m;
}

/**
 * A linear layer s = x W + b followed by a fixed linear map out = s M, with squared error (unit
 * Gaussian). Its Fisher is exactly A (x) M M^T: a Kronecker product with a non-identity output
 * factor, so K-FAC with exact factors is the exact natural gradient. Options: tanh(s) instead of
 * s (a nonlinear model), and an output offset c that belongs to no registered layer.
 */
export function linearThenMap(inputs: number, hidden: number, outputs: number, m: tf.Tensor2D, opts: { tanh?: boolean; unregistered?: boolean } = {}): Model {
  const extra = opts.unregistered === true;
  return {
    name: 'linear-then-map',
    task: 'regression',
    inputShape: [inputs],
    outputSize: outputs,
    loss: 'squared-error',
    layers: [{ name: 'fc', kind: 'dense', weight: 'w', bias: 'b', activation: 'linear', inputShape: [inputs], outputShape: [hidden] }],
    paramShapes: extra ? { w: [inputs, hidden], b: [hidden], c: [outputs] } : { w: [inputs, hidden], b: [hidden] },
    init: (seed) => ({
      w: tf.randomNormal([inputs, hidden], 0, 0.5, 'float32', seed),
      b: tf.randomNormal([hidden], 0, 0.5, 'float32', seed + 1),
      ...(extra && { c: tf.randomNormal([outputs], 0, 0.5, 'float32', seed + 2) }),
    }),
    forward(params, x, options = {}) {
      return tf.tidy(() => {
        let s = tf.add(tf.matMul(x, params.w), params.b);
        const taps = options.tap ? { fc: { inputs: x, preactivations: s } } : undefined;
        if (options.perturb?.fc) s = tf.add(s, options.perturb.fc);
        let out = tf.matMul(opts.tanh ? tf.tanh(s) : s, m);
        // An output offset that belongs to no registered layer.
        if (extra) out = tf.add(out, params.c);
        return { output: out, taps };
      });
    },
  };
}

/** Everything the training loop would provide for one minibatch (sampled taps, loss, lossAt, output space). */
export interface HandExtras {
  grads: Params;
  extras: Extras;
  /** GGN products on this minibatch. */
  curvature: (v: Params) => Params;
  dispose(): void;
}

export function handExtras(model: Model, params: Params, x: tf.Tensor, y: tf.Tensor, seed: number): HandExtras {
  const owned: tf.Tensor[] = [];
  let output!: tf.Tensor;
  const main = lossAndGradients(model, params, x, (out) => {
    output = tf.keep(out);
    return perExampleLoss(model.loss, out, y);
  });
  owned.push(main.loss, output);
  const sampled = sampledTarget(model.loss, output, seed);
  owned.push(sampled);
  const r = lossAndGradients(model, params, x, (out) => perExampleLoss(model.loss, out, sampled), { taps: true });
  owned.push(r.loss, ...Object.values(r.grads));
  for (const t of Object.values(r.layerStats!)) owned.push(t.inputs, t.outputGrads);
  const space = outputSpace(model, params, x, y, output);
  owned.push(space.lossGrad);
  const loss = main.loss.dataSync()[0];
  const extras: Extras = {
    loss,
    layerStats: r.layerStats,
    outputSpace: space,
    lossAt: (at) => {
      const l = tf.tidy(() => modelLoss(model, model.forward(at, x).output, y));
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    },
    stats: true,
  };
  return {
    grads: main.grads,
    extras,
    curvature: (v) => ggnProduct(space, v),
    dispose: () => {
      tf.dispose(owned);
      disposeTree(main.grads);
    },
  };
}

/** Max |a - b| / max |b|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}
