// A feed-forward model as a list of stages (dense, conv2d, pooling, flatten) with explicit layer
// registration: every dense and conv2d stage is a LayerInfo whose input and pre-activation the
// forward pass can hand over (taps) and whose pre-activation it can perturb. The MLP, the
// autoencoder and the CNN are built on it.
import * as tf from '@tensorflow/tfjs';
import { conv2d, convGeometry, pool2x2, pool2x2Jvp, type ConvPadding, type ConvRoute, type PoolType } from './conv';
import { initValues, paramRng, type Initializer } from './init';
import type { ActivationName, ForwardOptions, ForwardResult, JvpResult, LayerInfo, LossName, Model, Params, Task } from './types';

export const ACTIVATIONS: readonly ActivationName[] = ['relu', 'tanh', 'softplus', 'sigmoid', 'linear'];

export function activate(name: ActivationName, s: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'relu':
      return tf.relu(s);
    case 'tanh':
      return tf.tanh(s);
    case 'softplus':
      return tf.softplus(s);
    case 'sigmoid':
      return tf.sigmoid(s);
    case 'linear':
      return s;
  }
}

/**
 * The tangent of a = activate(name, s) along ds: phi'(s) * ds, with phi' exactly the derivative
 * tfjs differentiates each activation by (relu: step(s), 0 at s = 0; tanh: 1 - a^2; sigmoid:
 * a (1 - a); softplus: sigmoid(s); linear: 1). `a` is the activation already computed.
 */
export function activateJvp(name: ActivationName, s: tf.Tensor, a: tf.Tensor, ds: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'relu':
      return tf.mul(ds, tf.step(s));
    case 'tanh':
      return tf.mul(tf.sub(tf.scalar(1), tf.square(a)), ds);
    case 'softplus':
      return tf.mul(ds, tf.sigmoid(s));
    case 'sigmoid':
      return tf.mul(ds, tf.mul(a, tf.sub(tf.scalar(1), a)));
    case 'linear':
      return ds;
  }
}

/** The sum of the given terms, null when there are none (a zero tangent). */
function sumTerms(terms: (tf.Tensor | null)[]): tf.Tensor | null {
  const present = terms.filter((t): t is tf.Tensor => t !== null);
  return present.length === 0 ? null : present.length === 1 ? present[0] : tf.addN(present);
}

export interface DenseStageSpec {
  kind: 'dense';
  name: string;
  units: number;
  activation: ActivationName;
  bias?: boolean;
}

export interface ConvStageSpec {
  kind: 'conv2d';
  name: string;
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  padding: ConvPadding;
  activation: ActivationName;
  bias?: boolean;
}

export interface PoolStageSpec {
  kind: 'pool';
  type: PoolType;
}

export interface FlattenStageSpec {
  kind: 'flatten';
}

export type StageSpec = DenseStageSpec | ConvStageSpec | PoolStageSpec | FlattenStageSpec;

export interface SequentialOptions {
  name: string;
  task: Task;
  loss: LossName;
  /** Per-example input shape: [d] for dense-first models, [h, w, c] for conv-first ones. */
  inputShape: number[];
  stages: StageSpec[];
  /** Weight initializer (biases start at 0). */
  init: Initializer;
  /** What 'scaled' multiplies when it names no base. */
  defaultInit: Initializer;
  convRoute?: ConvRoute;
}

type Stage =
  | { kind: 'dense'; info: LayerInfo; act: ActivationName }
  | { kind: 'conv2d'; info: LayerInfo; strides: [number, number]; padding: ConvPadding; act: ActivationName }
  | { kind: 'pool'; type: PoolType }
  | { kind: 'flatten'; size: number };

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

export class SequentialModel implements Model {
  readonly name: string;
  readonly task: Task;
  readonly loss: LossName;
  readonly inputShape: number[];
  readonly outputSize: number;
  readonly layers: LayerInfo[] = [];
  readonly paramShapes: Record<string, number[]> = {};
  readonly weightInit: Initializer;
  readonly defaultInit: Initializer;
  readonly convRoute: ConvRoute;
  private readonly stages: Stage[] = [];

  constructor(o: SequentialOptions) {
    this.name = o.name;
    this.task = o.task;
    this.loss = o.loss;
    this.inputShape = [...o.inputShape];
    this.weightInit = o.init;
    this.defaultInit = o.defaultInit;
    this.convRoute = o.convRoute ?? 'auto';
    const names = new Set<string>();
    let shape = [...o.inputShape];
    for (const s of o.stages) {
      if (s.kind === 'dense' || s.kind === 'conv2d') {
        if (names.has(s.name)) throw new Error(`${o.name}: duplicate layer name "${s.name}"`);
        names.add(s.name);
      }
      switch (s.kind) {
        case 'dense': {
          if (shape.length !== 1) throw new Error(`${o.name}: dense layer "${s.name}" needs a flat input, got ${fmt(shape)} (add a flatten stage)`);
          checkPositiveInt(s.units, `${o.name}: units of "${s.name}"`);
          const info: LayerInfo = { name: s.name, kind: 'dense', weight: `${s.name}/w`, activation: s.activation, inputShape: [shape[0]], outputShape: [s.units] };
          if (s.bias !== false) info.bias = `${s.name}/b`;
          this.register(info, [shape[0], s.units], s.units);
          this.stages.push({ kind: 'dense', info, act: s.activation });
          shape = [s.units];
          break;
        }
        case 'conv2d': {
          if (shape.length !== 3) throw new Error(`${o.name}: conv layer "${s.name}" needs an [height, width, channels] input, got ${fmt(shape)}`);
          checkPositiveInt(s.filters, `${o.name}: filters of "${s.name}"`);
          for (const v of [...s.kernelSize, ...s.strides]) checkPositiveInt(v, `${o.name}: kernel sizes and strides of "${s.name}"`);
          const [h, w, c] = shape;
          const [kh, kw] = s.kernelSize;
          const g = convGeometry(h, w, kh, kw, s.strides[0], s.strides[1], s.padding);
          if (g.outH < 1 || g.outW < 1) throw new Error(`${o.name}: conv layer "${s.name}": a ${kh}x${kw} kernel does not fit its ${h}x${w} input with '${s.padding}' padding`);
          const info: LayerInfo = {
            name: s.name,
            kind: 'conv2d',
            weight: `${s.name}/w`,
            activation: s.activation,
            conv: { kernelSize: [kh, kw], strides: [...s.strides], padding: s.padding },
            inputShape: [h, w, c],
            outputShape: [g.outH, g.outW, s.filters],
          };
          if (s.bias !== false) info.bias = `${s.name}/b`;
          this.register(info, [kh, kw, c, s.filters], s.filters);
          this.stages.push({ kind: 'conv2d', info, strides: [...s.strides], padding: s.padding, act: s.activation });
          shape = [g.outH, g.outW, s.filters];
          break;
        }
        case 'pool': {
          if (shape.length !== 3) throw new Error(`${o.name}: pooling needs an [height, width, channels] input, got ${fmt(shape)}`);
          const [h, w, c] = shape;
          if (h < 2 || w < 2) throw new Error(`${o.name}: 2x2 pooling does not fit a ${h}x${w} input`);
          shape = [Math.floor(h / 2), Math.floor(w / 2), c];
          this.stages.push({ kind: 'pool', type: s.type });
          break;
        }
        case 'flatten':
          shape = [sizeOf(shape)];
          this.stages.push({ kind: 'flatten', size: shape[0] });
          break;
      }
    }
    if (shape.length !== 1) throw new Error(`${o.name}: the last stage must give a flat output, got ${fmt(shape)}`);
    if (this.layers.length === 0) throw new Error(`${o.name}: no dense or conv layer`);
    this.outputSize = shape[0];
  }

  private register(info: LayerInfo, weightShape: number[], biasSize: number): void {
    this.layers.push(info);
    this.paramShapes[info.weight] = weightShape;
    if (info.bias) this.paramShapes[info.bias] = [biasSize];
  }

  init(seed: number): Params {
    const params: Params = {};
    this.layers.forEach((layer, i) => {
      const shape = this.paramShapes[layer.weight];
      params[layer.weight] = tf.tensor(initValues(this.weightInit, shape, paramRng(seed, i), this.defaultInit), shape, 'float32');
      if (layer.bias) params[layer.bias] = tf.zeros(this.paramShapes[layer.bias]);
    });
    return params;
  }

  forward(params: Params, x: tf.Tensor, options: ForwardOptions = {}): ForwardResult {
    checkParams(this, params);
    const perturb = options.perturb;
    if (perturb) checkPerturb(this, perturb, x);
    const batch = batchOf(this, x);
    return tf.tidy(() => {
      let h: tf.Tensor = tf.reshape(x, [batch, ...this.inputShape]);
      const taps: NonNullable<ForwardResult['taps']> = {};
      for (const stage of this.stages) {
        switch (stage.kind) {
          case 'dense':
          case 'conv2d': {
            const { info } = stage;
            let s =
              stage.kind === 'dense'
                ? tf.matMul(h as tf.Tensor2D, params[info.weight] as tf.Tensor2D)
                : conv2d(h as tf.Tensor4D, params[info.weight] as tf.Tensor4D, stage.strides, stage.padding, this.convRoute);
            if (info.bias) s = tf.add(s, params[info.bias]);
            const p = perturb?.[info.name];
            if (p) s = tf.add(s, p);
            if (options.tap) taps[info.name] = { inputs: h, preactivations: s };
            h = activate(stage.act, s);
            break;
          }
          case 'pool':
            h = pool2x2(h as tf.Tensor4D, stage.type);
            break;
          case 'flatten':
            h = tf.reshape(h, [batch, stage.size]);
            break;
        }
      }
      if (!options.tap) return { output: h };
      // The output is a tensor of its own, never one of the taps' (a linear last layer's
      // pre-activation): callers may dispose each independently.
      const last = taps[this.layers[this.layers.length - 1].name];
      return { output: h === last.preactivations ? tf.clone(h) : h, taps };
    });
  }

  /**
   * Forward mode (Model.jvp): the output and its tangent in one pass. Each stage maps (h, dh) to
   * its output and tangent (dh null while it is zero, e.g. before the first layer with a tangent):
   * a dense or conv layer s = h W + b has ds = dh W + h dW + db (a convolution is bilinear in its
   * input and filter, so the same with conv for the product, by the model's conv route), then
   * da = phi'(s) ds; pooling passes the selected (max) or averaged tangents; flatten reshapes.
   */
  jvp(params: Params, tangents: Params, x: tf.Tensor): JvpResult {
    checkParams(this, params);
    checkTangents(this, tangents);
    const batch = batchOf(this, x);
    const [output, tangent] = tf.tidy(() => {
      let h: tf.Tensor = tf.reshape(x, [batch, ...this.inputShape]);
      let dh: tf.Tensor | null = null;
      for (const stage of this.stages) {
        switch (stage.kind) {
          case 'dense':
          case 'conv2d': {
            const { info } = stage;
            const w = params[info.weight];
            const dw = tangents[info.weight];
            const db = info.bias ? tangents[info.bias] : undefined;
            const product = (a: tf.Tensor, f: tf.Tensor): tf.Tensor =>
              stage.kind === 'dense' ? tf.matMul(a as tf.Tensor2D, f as tf.Tensor2D) : conv2d(a as tf.Tensor4D, f as tf.Tensor4D, stage.strides, stage.padding, this.convRoute);
            let s = product(h, w);
            if (info.bias) s = tf.add(s, params[info.bias]);
            let ds = sumTerms([dh ? product(dh, w) : null, dw ? product(h, dw) : null]);
            if (db) ds = ds ? tf.add(ds, db) : tf.broadcastTo(db, s.shape);
            h = activate(stage.act, s);
            dh = ds && activateJvp(stage.act, s, h, ds);
            break;
          }
          case 'pool':
            if (dh) {
              const r = pool2x2Jvp(h as tf.Tensor4D, dh as tf.Tensor4D, stage.type);
              h = r.output;
              dh = r.tangent;
            } else {
              h = pool2x2(h as tf.Tensor4D, stage.type);
            }
            break;
          case 'flatten':
            h = tf.reshape(h, [batch, stage.size]);
            if (dh) dh = tf.reshape(dh, [batch, stage.size]);
            break;
        }
      }
      return [h, dh ?? tf.zerosLike(h)];
    });
    return { output, tangent };
  }
}

function checkPositiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got ${v}`);
}

/**
 * The batch size of x for a model, or a clear error when x does not hold whole examples. Accepted:
 * [batch, ...inputShape], [batch, prod(inputShape)] (flat rows, reshaped), and for flat-input
 * models any [batch, ...] whose rows have prod(inputShape) values (images are flattened).
 */
export function batchOf(model: Model, x: tf.Tensor): number {
  const d = sizeOf(model.inputShape);
  const tail = x.shape.slice(1);
  const exact = tail.length === model.inputShape.length && tail.every((v, i) => v === model.inputShape[i]);
  const ok = x.rank >= 2 && sizeOf(tail) === d && (exact || tail.length === 1 || model.inputShape.length === 1);
  if (!ok) {
    throw new RangeError(`${model.name}: input of shape ${fmt(x.shape)} does not hold examples of shape ${fmt(model.inputShape)} (expected [batch, ${model.inputShape.join(', ')}] or [batch, ${d}])`);
  }
  return x.shape[0];
}

export function checkParams(model: Model, params: Params): void {
  for (const [name, shape] of Object.entries(model.paramShapes)) {
    const p = params[name];
    if (!p) throw new RangeError(`${model.name}: parameter "${name}" is missing`);
    if (p.shape.length !== shape.length || p.shape.some((v, i) => v !== shape[i])) {
      throw new RangeError(`${model.name}: parameter "${name}" has shape ${fmt(p.shape)}, expected ${fmt(shape)}`);
    }
  }
}

/** Parameter tangents (Model.jvp): every name a parameter of the model, of its shape; absent ones are zero. */
export function checkTangents(model: Model, tangents: Params): void {
  for (const [name, t] of Object.entries(tangents)) {
    const shape = Object.hasOwn(model.paramShapes, name) ? model.paramShapes[name] : undefined;
    if (!shape) throw new RangeError(`${model.name}: tangent names no parameter "${name}" (parameters: ${Object.keys(model.paramShapes).join(', ')})`);
    if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
      throw new RangeError(`${model.name}: tangent of "${name}" has shape ${fmt(t.shape)}, expected ${fmt(shape)}`);
    }
  }
}

export function checkPerturb(model: Model, perturb: Record<string, tf.Tensor>, x: tf.Tensor): void {
  const batch = x.shape[0];
  for (const [name, p] of Object.entries(perturb)) {
    const layer = model.layers.find((l) => l.name === name);
    if (!layer) throw new RangeError(`${model.name}: perturb names no registered layer "${name}" (layers: ${model.layers.map((l) => l.name).join(', ')})`);
    const want = [batch, ...layer.outputShape];
    if (p.shape.length !== want.length || p.shape.some((v, i) => v !== want[i])) {
      throw new RangeError(`${model.name}: perturb["${name}"] has shape ${fmt(p.shape)}, expected the pre-activation's ${fmt(want)}`);
    }
  }
}
