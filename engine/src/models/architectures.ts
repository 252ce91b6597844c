// The model families built on SequentialModel: the MLP, the deep autoencoder and the small CNN.
import { parseInit, type InitSpec, type Initializer } from './init';
import type { ConvPadding, ConvRoute, PoolType } from './conv';
import { SequentialModel, type StageSpec } from './sequential';
import type { ActivationName, LossName, Task } from './types';

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The default loss of a task. */
export function defaultLoss(task: Task): LossName {
  return task === 'classification' ? 'softmax-cross-entropy' : 'squared-error';
}

function initOf(spec: InitSpec | Initializer | undefined, fallback: Initializer): Initializer {
  return spec === undefined ? fallback : parseInit(spec as InitSpec);
}

/** One activation per hidden layer: a single name applies to all of them. */
function hiddenActivations(activation: ActivationName | ActivationName[] | undefined, count: number, fallback: ActivationName, what: string): ActivationName[] {
  if (activation === undefined) return new Array<ActivationName>(count).fill(fallback);
  if (typeof activation === 'string') return new Array<ActivationName>(count).fill(activation);
  if (activation.length !== count) throw new RangeError(`${what}: ${activation.length} activations for ${count} hidden layers (give one, or one per hidden layer)`);
  return [...activation];
}

export interface MlpOptions {
  /** Per-example input shape (flattened: [784], [28, 28, 1] and [8, 8] all work). */
  inputShape: number[];
  /** Hidden widths, e.g. [128] for 64-128-10. Empty: a linear model. */
  widths: number[];
  outputSize: number;
  /** One activation for every hidden layer, or one per hidden layer (default relu). The output is linear. */
  activation?: ActivationName | ActivationName[];
  /** Default classification (logits); 'reconstruction' needs outputSize = the input size. */
  task?: Task;
  /** Default: by task (softmax cross-entropy for classification, else squared error). */
  loss?: LossName;
  /** Weight initializer (default glorot-uniform); biases start at 0. */
  init?: InitSpec | Initializer;
  name?: string;
}

export const MLP_DEFAULT_INIT: Initializer = { type: 'glorot-uniform' };

/**
 * Multi-layer perceptron: dense layers "dense1".."denseL" (hidden, with the chosen activations),
 * then "output" (linear). Weights [in, out], biases [out].
 */
export function mlp(o: MlpOptions): SequentialModel {
  const task = o.task ?? 'classification';
  const inputSize = sizeOf(o.inputShape);
  if (task === 'reconstruction' && o.outputSize !== inputSize) {
    throw new RangeError(`mlp: a reconstruction model's output size must equal its input size ${inputSize}, got ${o.outputSize}`);
  }
  const acts = hiddenActivations(o.activation, o.widths.length, 'relu', 'mlp');
  const stages: StageSpec[] = o.widths.map((units, i) => ({ kind: 'dense', name: `dense${i + 1}`, units, activation: acts[i] }));
  stages.push({ kind: 'dense', name: 'output', units: o.outputSize, activation: 'linear' });
  return new SequentialModel({
    name: o.name ?? `mlp ${[inputSize, ...o.widths, o.outputSize].join('-')}`,
    task,
    loss: o.loss ?? defaultLoss(task),
    inputShape: [inputSize],
    stages,
    init: initOf(o.init, MLP_DEFAULT_INIT),
    defaultInit: MLP_DEFAULT_INIT,
  });
}

/** The MNIST autoencoder of the K-FAC paper: 784-1000-500-250-30-250-500-1000-784 (hidden widths). */
export const PAPER_AUTOENCODER_WIDTHS: readonly number[] = [1000, 500, 250, 30, 250, 500, 1000];
/** The CPU-sized default (science-spec E3): 64-32-8-32-64. */
export const DEFAULT_AUTOENCODER_WIDTHS: readonly number[] = [32, 8, 32];

export interface AutoencoderOptions {
  inputShape: number[];
  /** Hidden widths, encoder, code and decoder (default [32, 8, 32]); the code is the narrowest. */
  widths?: number[];
  /** Activation of the encoder and decoder layers (default tanh). */
  activation?: ActivationName;
  /** Activation of the code layer (default linear, as in the K-FAC paper's autoencoders). */
  codeActivation?: ActivationName;
  /**
   * 'squared-error' (default) on a linear output, or 'sigmoid-cross-entropy' (the output is the
   * logits of Bernoulli pixels, for data in [0, 1] as in the paper's MNIST autoencoder).
   */
  loss?: 'squared-error' | 'sigmoid-cross-entropy';
  /** Weight initializer (default glorot-uniform; the K-FAC paper's autoencoders use 'sparse'). */
  init?: InitSpec | Initializer;
  name?: string;
}

/**
 * Deep autoencoder: layers "encoder1".., "code" (the first narrowest hidden layer), "decoder1"..,
 * "output" (linear, the input's size), task 'reconstruction'.
 */
export function autoencoder(o: AutoencoderOptions): SequentialModel {
  const widths = o.widths ?? [...DEFAULT_AUTOENCODER_WIDTHS];
  if (widths.length === 0) throw new RangeError('autoencoder: widths must name at least the code layer');
  const inputSize = sizeOf(o.inputShape);
  const code = widths.indexOf(Math.min(...widths));
  const act = o.activation ?? 'tanh';
  const stages: StageSpec[] = widths.map((units, i) => ({
    kind: 'dense',
    name: i < code ? `encoder${i + 1}` : i === code ? 'code' : `decoder${i - code}`,
    units,
    activation: i === code ? (o.codeActivation ?? 'linear') : act,
  }));
  stages.push({ kind: 'dense', name: 'output', units: inputSize, activation: 'linear' });
  return new SequentialModel({
    name: o.name ?? `autoencoder ${[inputSize, ...widths, inputSize].join('-')}`,
    task: 'reconstruction',
    loss: o.loss ?? 'squared-error',
    inputShape: [inputSize],
    stages,
    init: initOf(o.init, MLP_DEFAULT_INIT),
    defaultInit: MLP_DEFAULT_INIT,
  });
}

export interface ConvLayerOptions {
  filters: number;
  /** Default 3. */
  kernelSize?: number | [number, number];
  /** Default 1. */
  strides?: number | [number, number];
  /** Default 'same'. */
  padding?: ConvPadding;
}

export interface CnnOptions {
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  /** Default two layers: 8 then 16 filters, 3x3, stride 1, 'same'. */
  conv?: ConvLayerOptions[];
  /** 2x2 pooling after every conv layer (default 'max'); 'none' for strided-conv nets. */
  pool?: PoolType | 'none';
  /** Hidden dense widths after the convolutions (default none: straight to the output layer). */
  widths?: number[];
  /** Activation of every conv and hidden dense layer (default relu). */
  activation?: ActivationName;
  outputSize: number;
  /** Default: classification. */
  task?: Task;
  /** Weight initializer (default he-normal). */
  init?: InitSpec | Initializer;
  convRoute?: ConvRoute;
  name?: string;
}

export const DEFAULT_CNN_CONV: readonly ConvLayerOptions[] = [
  { filters: 8, kernelSize: 3, strides: 1, padding: 'same' },
  { filters: 16, kernelSize: 3, strides: 1, padding: 'same' },
];
export const CNN_DEFAULT_INIT: Initializer = { type: 'he-normal' };

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/**
 * Small CNN: "conv1".."convK" (conv, activation, then 2x2 pooling unless pool is 'none'),
 * flatten, hidden dense "dense1".., then "output" (linear). Filters [kh, kw, cin, cout].
 */
export function cnn(o: CnnOptions): SequentialModel {
  const conv = o.conv ?? DEFAULT_CNN_CONV;
  if (conv.length === 0) throw new RangeError('cnn: conv must list at least one layer');
  const act = o.activation ?? 'relu';
  const pool = o.pool ?? 'max';
  const stages: StageSpec[] = [];
  conv.forEach((c, i) => {
    stages.push({
      kind: 'conv2d',
      name: `conv${i + 1}`,
      filters: c.filters,
      kernelSize: pair(c.kernelSize ?? 3),
      strides: pair(c.strides ?? 1),
      padding: c.padding ?? 'same',
      activation: act,
    });
    if (pool !== 'none') stages.push({ kind: 'pool', type: pool });
  });
  stages.push({ kind: 'flatten' });
  (o.widths ?? []).forEach((units, i) => stages.push({ kind: 'dense', name: `dense${i + 1}`, units, activation: act }));
  stages.push({ kind: 'dense', name: 'output', units: o.outputSize, activation: 'linear' });
  const task = o.task ?? 'classification';
  return new SequentialModel({
    name: o.name ?? `cnn ${o.inputShape.join('x')} ${conv.map((c) => c.filters).join('-')}${pool === 'none' ? '' : ` ${pool}pool`} -> ${[...(o.widths ?? []), o.outputSize].join('-')}`,
    task,
    loss: defaultLoss(task),
    inputShape: [...o.inputShape],
    stages,
    init: initOf(o.init, CNN_DEFAULT_INIT),
    defaultInit: CNN_DEFAULT_INIT,
    convRoute: o.convRoute,
  });
}
