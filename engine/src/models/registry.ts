// Models from an experiment-file-like spec:
//
//   makeModel({ type: 'mlp', widths: [128], activation: 'relu' }, { inputShape: [64], outputSize: 10 })
//
// Options per type (every one optional):
//   all          init (initializer spec, see init.ts), label
//   mlp          widths (hidden, default [128]), activation (one name or one per hidden layer,
//                default relu), task (classification | regression | reconstruction), loss
//   cnn          conv ([{filters, kernelSize, strides, padding}], default 8 and 16 filters 3x3
//                'same'), pool (max | avg | none, default max), widths (hidden dense, default []),
//                activation (default relu), convRoute (native | im2col | auto, default auto),
//                imageShape ([h, w, c] for flat inputs; default: the data's shape, or s x s x 1
//                for a flat input of a square size s^2)
//   relu2        width (m, default 4096), nu (default 1), signSeed (default 0)
//   autoencoder  widths (default [32, 8, 32]), activation (default tanh), codeActivation (default
//                linear), loss (squared-error | sigmoid-cross-entropy)
// Unknown options, options of another type and bad values are ModelSpecErrors naming the option.
import { closestName } from '../spec/did-you-mean';
import { optionPathToPointer } from '../spec/pointer';
import { SpecError } from '../spec/spec-error';
import { autoencoder, cnn, mlp, type ConvLayerOptions } from './architectures';
import { CONV_ROUTES, type ConvRoute } from './conv';
import { INIT_NAMES, InitSpecError, parseInit, type InitSpec, type Initializer } from './init';
import { Relu2Model } from './relu2';
import { ACTIVATIONS } from './sequential';
import type { ActivationName, LossName, Model, Task } from './types';

export type ModelType = 'mlp' | 'cnn' | 'relu2' | 'autoencoder';

export interface ModelSpec {
  type: ModelType;
  label?: string;
  init?: InitSpec;
  widths?: number[];
  activation?: ActivationName | ActivationName[];
  task?: Task;
  loss?: LossName;
  conv?: ConvLayerOptions[];
  pool?: 'max' | 'avg' | 'none';
  convRoute?: ConvRoute;
  imageShape?: [number, number, number];
  width?: number;
  nu?: number;
  signSeed?: number;
  codeActivation?: ActivationName;
}

export interface ModelContext {
  /** Per-example input shape of the data. */
  inputShape: number[];
  /** Number of outputs (classes, regression targets); autoencoders take the input size. */
  outputSize?: number;
}

const COMMON = ['type', 'label', 'init'] as const;
export const MODEL_OPTIONS: Record<ModelType, readonly string[]> = {
  mlp: [...COMMON, 'widths', 'activation', 'task', 'loss'],
  cnn: [...COMMON, 'conv', 'pool', 'widths', 'activation', 'convRoute', 'imageShape'],
  relu2: ['type', 'label', 'width', 'nu', 'signSeed'],
  autoencoder: [...COMMON, 'widths', 'activation', 'codeActivation', 'loss'],
};
const CONV_OPTIONS = ['filters', 'kernelSize', 'strides', 'padding'];
const TASKS: readonly Task[] = ['classification', 'regression', 'reconstruction'];
const LOSSES: readonly LossName[] = ['softmax-cross-entropy', 'squared-error', 'sigmoid-cross-entropy'];

/** An invalid model spec: a SpecError whose `path` is the offending option ('conv[1].kernelSize'). */
export class ModelSpecError extends SpecError {
  override name = 'ModelSpecError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message, optionPathToPointer(path));
  }
}

type Check = (cond: boolean, path: string, message: string) => asserts cond;
const check: Check = (cond, path, message) => {
  if (!cond) throw new ModelSpecError(message, path);
};

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPosInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1;
const quote = (list: readonly string[]): string => list.map((s) => `"${s}"`).join(', ');

function suggestion(key: string, allowed: readonly string[]): string {
  const best = closestName(key, allowed, { ignoreCase: true, prefixes: true });
  return best ? ` Did you mean "${best}"?` : '';
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string, where: string): T | undefined {
  if (v === undefined) return undefined;
  check(typeof v === 'string' && (allowed as readonly string[]).includes(v), path, `${where}: ${path} must be one of ${quote(allowed)}, got ${JSON.stringify(v)}.${typeof v === 'string' ? suggestion(v, allowed) : ''}`);
  return v as T;
}

function posIntList(v: unknown, path: string, where: string, { nonEmpty = false } = {}): number[] | undefined {
  if (v === undefined) return undefined;
  check(Array.isArray(v) && v.every(isPosInt), path, `${where}: ${path} must be a list of positive integers, got ${JSON.stringify(v)}`);
  check(!nonEmpty || (v as number[]).length > 0, path, `${where}: ${path} must not be empty`);
  return [...(v as number[])];
}

function intOrPair(v: unknown, path: string, where: string): number | [number, number] | undefined {
  if (v === undefined) return undefined;
  check(isPosInt(v) || (Array.isArray(v) && v.length === 2 && v.every(isPosInt)), path, `${where}: ${path} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  return v as number | [number, number];
}

function finite(v: unknown, path: string, where: string, { positive = false, integer = false } = {}): number | undefined {
  if (v === undefined) return undefined;
  check(typeof v === 'number' && Number.isFinite(v), path, `${where}: ${path} must be a finite number, got ${JSON.stringify(v)}`);
  check(!positive || (v as number) > 0, path, `${where}: ${path} must be > 0, got ${v}`);
  check(!integer || Number.isInteger(v), path, `${where}: ${path} must be an integer, got ${v}`);
  return v as number;
}

function activations(v: unknown, where: string, allowList: boolean): ActivationName | ActivationName[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v) && allowList) {
    v.forEach((a, i) => oneOf(a, ACTIVATIONS, `activation[${i}]`, where));
    return v as ActivationName[];
  }
  return oneOf(v, ACTIVATIONS, 'activation', where);
}

function initSpec(v: unknown, where: string): Initializer | undefined {
  if (v === undefined) return undefined;
  try {
    return parseInit(v as InitSpec);
  } catch (err) {
    if (err instanceof InitSpecError) {
      const hint = typeof v === 'string' ? suggestion(v.replace(/\(.*$/, ''), INIT_NAMES) : '';
      throw new ModelSpecError(`${where}: init: ${err.message}${hint ? `.${hint}` : ''}`, 'init');
    }
    throw err;
  }
}

function convLayers(v: unknown, where: string): ConvLayerOptions[] | undefined {
  if (v === undefined) return undefined;
  check(Array.isArray(v) && v.length > 0, 'conv', `${where}: conv must be a non-empty list of conv layers ({filters, kernelSize, strides, padding})`);
  return (v as unknown[]).map((layer, i) => {
    const path = `conv[${i}]`;
    check(isObject(layer), path, `${where}: ${path} must be an object {filters, kernelSize, strides, padding}`);
    for (const key of Object.keys(layer)) {
      check(CONV_OPTIONS.includes(key), `${path}.${key}`, `${where}: unknown option "${path}.${key}" (allowed: ${CONV_OPTIONS.join(', ')}).${suggestion(key, CONV_OPTIONS)}`);
    }
    check(isPosInt(layer.filters), `${path}.filters`, `${where}: ${path}.filters must be a positive integer, got ${JSON.stringify(layer.filters)}`);
    return {
      filters: layer.filters,
      kernelSize: intOrPair(layer.kernelSize, `${path}.kernelSize`, where),
      strides: intOrPair(layer.strides, `${path}.strides`, where),
      padding: oneOf(layer.padding, ['same', 'valid'] as const, `${path}.padding`, where),
    };
  });
}

/** The image shape a CNN reads its (possibly flat) input as. */
function imageShapeFor(inputShape: number[], given: number[] | undefined, where: string): [number, number, number] {
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (given) {
    const gs = given[0] * given[1] * given[2];
    check(gs === size, 'imageShape', `${where}: imageShape [${given.join(', ')}] holds ${gs} values but the input has ${size}`);
    return [given[0], given[1], given[2]];
  }
  if (inputShape.length === 3) return [inputShape[0], inputShape[1], inputShape[2]];
  if (inputShape.length === 2) return [inputShape[0], inputShape[1], 1];
  const s = Math.round(Math.sqrt(size));
  check(inputShape.length === 1 && s * s === size, 'imageShape', `${where}: cannot read an input of shape [${inputShape.join(', ')}] as an image; give imageShape [height, width, channels]`);
  return [s, s, 1];
}

/**
 * Builds a model from an experiment-file-like spec (see the options above) for data of the given
 * input shape and output size. Errors are ModelSpecErrors naming the option.
 */
export function makeModel(spec: unknown, context: ModelContext): Model {
  check(isObject(spec), '', 'model spec must be an object');
  const s = spec;
  const types = Object.keys(MODEL_OPTIONS) as ModelType[];
  check(s.type !== undefined, 'type', `model spec needs a type (one of ${types.join(', ')})`);
  check(typeof s.type === 'string' && types.includes(s.type as ModelType), 'type', `unknown model type ${JSON.stringify(s.type)} (one of ${types.join(', ')}).${typeof s.type === 'string' ? suggestion(s.type, types) : ''}`);
  const type = s.type as ModelType;
  const where = `model "${type}"`;
  const allowed = MODEL_OPTIONS[type];
  for (const key of Object.keys(s)) {
    if (allowed.includes(key)) continue;
    const takers = types.filter((t) => MODEL_OPTIONS[t].includes(key));
    if (takers.length) throw new ModelSpecError(`${where}: option "${key}" does not apply (it is an option of ${takers.join(', ')}, not ${type}).`, key);
    throw new ModelSpecError(`${where}: unknown option "${key}" (allowed: ${allowed.join(', ')}).${suggestion(key, allowed)}`, key);
  }
  check(s.label === undefined || typeof s.label === 'string', 'label', `${where}: label must be a string`);
  const inputShape = context.inputShape;
  check(Array.isArray(inputShape) && inputShape.length > 0 && inputShape.every(isPosInt), 'inputShape', `${where}: the input shape must be a non-empty list of positive integers, got ${JSON.stringify(inputShape)}`);
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const out = context.outputSize;
  check(out === undefined || isPosInt(out), 'outputSize', `${where}: the output size must be a positive integer, got ${JSON.stringify(out)}`);
  const needOutput = (): number => {
    check(out !== undefined, 'outputSize', `${where}: needs the output size (number of classes or targets)`);
    return out!;
  };
  const init = initSpec(s.init, where);
  const widths = posIntList(s.widths, 'widths', where, { nonEmpty: type === 'autoencoder' });
  const label = s.label as string | undefined;

  try {
    switch (type) {
      case 'mlp': {
        const task = oneOf(s.task, TASKS, 'task', where) ?? 'classification';
        const loss = oneOf(s.loss, LOSSES, 'loss', where);
        check(!(task === 'classification' && loss !== undefined && loss !== 'softmax-cross-entropy'), 'loss', `${where}: a classification model is trained with softmax-cross-entropy, not ${loss}`);
        check(!(task !== 'classification' && loss === 'softmax-cross-entropy'), 'loss', `${where}: softmax-cross-entropy needs task "classification"`);
        const outputSize = task === 'reconstruction' ? (out ?? inputSize) : needOutput();
        check(task !== 'reconstruction' || outputSize === inputSize, 'outputSize', `${where}: a reconstruction model outputs its input's size ${inputSize}, not ${outputSize}`);
        return mlp({ inputShape, widths: widths ?? [128], outputSize, activation: activations(s.activation, where, true), task, loss, init, name: label });
      }
      case 'autoencoder': {
        check(out === undefined || out === inputSize, 'outputSize', `${where}: an autoencoder outputs its input's size ${inputSize}, not ${out}`);
        const loss = oneOf(s.loss, ['squared-error', 'sigmoid-cross-entropy'] as const, 'loss', where);
        return autoencoder({
          inputShape,
          widths,
          activation: activations(s.activation, where, false) as ActivationName | undefined,
          codeActivation: oneOf(s.codeActivation, ACTIVATIONS, 'codeActivation', where),
          loss,
          init,
          name: label,
        });
      }
      case 'cnn': {
        const given = s.imageShape === undefined ? undefined : posIntList(s.imageShape, 'imageShape', where);
        check(given === undefined || given.length === 3, 'imageShape', `${where}: imageShape must be [height, width, channels]`);
        return cnn({
          inputShape: imageShapeFor(inputShape, given, where),
          conv: convLayers(s.conv, where),
          pool: oneOf(s.pool, ['max', 'avg', 'none'] as const, 'pool', where),
          widths,
          activation: activations(s.activation, where, false) as ActivationName | undefined,
          outputSize: needOutput(),
          init,
          convRoute: oneOf(s.convRoute, CONV_ROUTES, 'convRoute', where),
          name: label,
        });
      }
      case 'relu2': {
        check(out === undefined || out === 1, 'outputSize', `${where}: the 2-layer ReLU net has one output, not ${out}`);
        check(inputShape.length === 1, 'inputShape', `${where}: needs flat inputs (unit vectors x in R^d), got shape [${inputShape.join(', ')}]`);
        return new Relu2Model({
          inputSize,
          width: finite(s.width, 'width', where, { positive: true, integer: true }) ?? 4096,
          nu: finite(s.nu, 'nu', where, { positive: true }),
          signSeed: finite(s.signSeed, 'signSeed', where, { integer: true }),
          name: label,
        });
      }
    }
  } catch (err) {
    if (err instanceof ModelSpecError) throw err;
    // A geometric impossibility found while building (a kernel larger than its input, ...).
    throw new ModelSpecError(`${where}: ${(err as Error).message}`, '');
  }
}
