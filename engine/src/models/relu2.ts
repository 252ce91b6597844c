// The 2-layer ReLU regression net of science-spec section 6 (Zhang, Martens & Grosse 2019,
// arXiv 1905.10961, after Du et al. 2019), exactly in the form the NGD convergence theorem uses:
//
//   f(x) = (1/sqrt(m)) sum_{r=1..m} a_r relu(w_r^T x)
//
// with m hidden units, NO biases, output weights a_r in {-1, +1} drawn uniformly once and FIXED
// (not parameters: they are constants of the model, chosen by `signSeed`), and the first layer
// trainable, initialized w_r ~ N(0, nu^2 I). The loss is L = 1/2 ||u - y||^2 with u_i = f(x_i)
// ('squared-error'; the theorem's sum over examples is the 'sum' reduction). The theorem assumes
// ||x_i|| = 1 and no two inputs parallel; that is the data's business, not checked here.
//
// The trainable weight is stored as "hidden/w" of shape [d, m] (column r is w_r), i.e. a dense
// layer "hidden" (relu, no bias) in the engine's row-vector convention s = x W, so K-FAC and the
// taps treat it like any dense layer. The output layer is fixed and therefore not registered.
import * as tf from '@tensorflow/tfjs';
import { paramRng } from './init';
import { batchOf, checkParams, checkPerturb, checkTangents } from './sequential';
import { Rng } from '../util/random';
import type { ForwardOptions, ForwardResult, JvpResult, LayerInfo, Model, Params } from './types';

export interface Relu2Options {
  /** Input dimension d. */
  inputSize: number;
  /** Hidden width m. */
  width: number;
  /** Standard deviation of the initial first-layer weights (w_r ~ N(0, nu^2 I)); default 1. */
  nu?: number;
  /** Seed of the fixed output signs a_r (default 0); independent of init(seed). */
  signSeed?: number;
  name?: string;
}

export class Relu2Model implements Model {
  readonly name: string;
  readonly task = 'regression' as const;
  readonly loss = 'squared-error' as const;
  readonly inputShape: number[];
  readonly outputSize = 1;
  readonly layers: LayerInfo[];
  readonly paramShapes: Record<string, number[]>;
  readonly width: number;
  readonly nu: number;
  /** The fixed output weights a_r in {-1, +1}. */
  readonly signs: Float32Array;
  /** 1/sqrt(m). */
  readonly scale: number;
  /** a_r / sqrt(m), the fixed second layer as used by forward. */
  private readonly outWeights: Float32Array;

  constructor(o: Relu2Options) {
    for (const [k, v] of [['inputSize', o.inputSize], ['width', o.width]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`relu2: ${k} must be a positive integer, got ${v}`);
    }
    const nu = o.nu ?? 1;
    if (!(nu > 0) || !Number.isFinite(nu)) throw new RangeError(`relu2: nu must be a positive number, got ${nu}`);
    this.name = o.name ?? `relu2 ${o.inputSize}-${o.width}`;
    this.width = o.width;
    this.nu = nu;
    this.inputShape = [o.inputSize];
    this.scale = 1 / Math.sqrt(o.width);
    const rng = new Rng(o.signSeed ?? 0, 0x5197);
    this.signs = new Float32Array(o.width);
    this.outWeights = new Float32Array(o.width);
    for (let r = 0; r < o.width; r++) {
      this.signs[r] = rng.next() < 0.5 ? -1 : 1;
      this.outWeights[r] = this.signs[r] * this.scale;
    }
    this.layers = [{ name: 'hidden', kind: 'dense', weight: 'hidden/w', activation: 'relu', inputShape: [o.inputSize], outputShape: [o.width] }];
    this.paramShapes = { 'hidden/w': [o.inputSize, o.width] };
  }

  init(seed: number): Params {
    const [d, m] = this.paramShapes['hidden/w'];
    const z = new Float64Array(d * m);
    paramRng(seed, 0).fillNormal(z);
    const w = new Float32Array(d * m);
    for (let i = 0; i < w.length; i++) w[i] = this.nu * z[i];
    return { 'hidden/w': tf.tensor2d(w, [d, m]) };
  }

  forward(params: Params, x: tf.Tensor, options: ForwardOptions = {}): ForwardResult {
    checkParams(this, params);
    if (options.perturb) checkPerturb(this, options.perturb, x);
    const batch = batchOf(this, x);
    return tf.tidy(() => {
      const inputs = tf.reshape(x, [batch, this.inputShape[0]]) as tf.Tensor2D;
      let s: tf.Tensor2D = tf.matMul(inputs, params['hidden/w'] as tf.Tensor2D);
      const p = options.perturb?.hidden;
      if (p) s = tf.add(s, p);
      const output = tf.matMul(tf.relu(s), tf.tensor2d(this.outWeights, [this.width, 1]));
      return options.tap ? { output, taps: { hidden: { inputs, preactivations: s } } } : { output };
    });
  }

  /**
   * Forward mode (Model.jvp): with s = x W and the fixed output weights c = a / sqrt(m),
   * f = relu(s) c and J v = (step(s) * (x dW)) c, step(s) = 1 for s > 0 (tf.relu's derivative).
   */
  jvp(params: Params, tangents: Params, x: tf.Tensor): JvpResult {
    checkParams(this, params);
    checkTangents(this, tangents);
    const batch = batchOf(this, x);
    const [output, tangent] = tf.tidy(() => {
      const inputs = tf.reshape(x, [batch, this.inputShape[0]]) as tf.Tensor2D;
      const s = tf.matMul(inputs, params['hidden/w'] as tf.Tensor2D);
      const c = tf.tensor2d(this.outWeights, [this.width, 1]);
      const out = tf.matMul(tf.relu(s), c);
      const dw = tangents['hidden/w'];
      return [out, dw ? tf.matMul(tf.mul(tf.step(s), tf.matMul(inputs, dw as tf.Tensor2D)), c) : tf.zerosLike(out)];
    });
    return { output, tangent };
  }
}

/**
 * The infinite-width Gram matrix of section 6 for rows x_i of `x` (n x d, row-major):
 * G^inf_ij = x_i^T x_j E_{w~N(0,I)}[1{w^T x_i >= 0, w^T x_j >= 0}] = x_i^T x_j (pi - theta_ij) / (2 pi),
 * theta_ij the angle between x_i and x_j (arccos(x_i^T x_j) for the theorem's unit-norm inputs;
 * computed from the normalized cosine, and exactly 0 on the diagonal, because arccos near 1
 * turns float rounding of the norms into errors of ~sqrt(eps)). Its smallest eigenvalue is the
 * theorem's lambda_0. Float64, n x n.
 */
export function infiniteWidthGram(x: ArrayLike<number>, n: number, d: number): Float64Array {
  if (x.length !== n * d) throw new RangeError(`infiniteWidthGram: x has ${x.length} values, expected ${n} x ${d}`);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[i * d + k] * x[i * d + k];
    norms[i] = Math.sqrt(s);
  }
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += x[i * d + k] * x[j * d + k];
      const cos = norms[i] > 0 && norms[j] > 0 ? Math.min(1, Math.max(-1, dot / (norms[i] * norms[j]))) : 1;
      const theta = i === j ? 0 : Math.acos(cos);
      const v = (dot * (Math.PI - theta)) / (2 * Math.PI);
      g[i * n + j] = v;
      g[j * n + i] = v;
    }
  }
  return g;
}
