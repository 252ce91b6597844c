// Weight initializers, deterministic for a seed: values are drawn on the host with the engine's
// seeded Rng into a Float32Array (then wrapped by tf.tensor), so they do not depend on the backend.
//
// Fans: a dense weight [in, out] has fanIn = in, fanOut = out; a conv filter [kh, kw, cin, cout]
// has fanIn = kh*kw*cin and fanOut = kh*kw*cout (Keras/PyTorch convention).
//
//   glorot-uniform  U(-l, l), l = sqrt(6 / (fanIn + fanOut))      (Glorot & Bengio 2010; alias xavier-uniform)
//   glorot-normal   N(0, 2 / (fanIn + fanOut))                    (alias xavier-normal; untruncated, as PyTorch)
//   he-normal       N(0, 2 / fanIn)                                (He et al. 2015; untruncated)
//   he-uniform      U(-l, l), l = sqrt(6 / fanIn)
//   lecun-normal    N(0, 1 / fanIn)
//   sparse(k)       each unit gets k (default 15) nonzero incoming weights N(0, 1), the rest 0
//                   (Martens 2010; used in the K-FAC autoencoder experiments); all incoming
//                   weights when fanIn <= k
//   normal(std)     N(0, std^2);  uniform(limit) U(-limit, limit)
//   zeros           all 0 (every unit identical: gradients cannot break the symmetry)
//   equal(value)    every weight equal (default 1/sqrt(fanIn)): a deliberately poor, symmetric init
//   scaled(f)       the model's default initializer times f: scaled(0.01) tiny, scaled(10) huge
//
// A spec is a name ('he-normal'), a call-like string ('sparse(15)', 'scaled(0.01)', 'normal(0.1)')
// or an object ({type: 'scaled', factor: 10, base: 'glorot-normal'}).
import { SpecError } from '../spec/spec-error';
import { Rng } from '../util/random';

export type InitName =
  | 'glorot-uniform'
  | 'glorot-normal'
  | 'xavier-uniform'
  | 'xavier-normal'
  | 'he-normal'
  | 'he-uniform'
  | 'lecun-normal'
  | 'sparse'
  | 'normal'
  | 'uniform'
  | 'zeros'
  | 'equal'
  | 'scaled';

export const INIT_NAMES: readonly InitName[] = [
  'glorot-uniform',
  'glorot-normal',
  'xavier-uniform',
  'xavier-normal',
  'he-normal',
  'he-uniform',
  'lecun-normal',
  'sparse',
  'normal',
  'uniform',
  'zeros',
  'equal',
  'scaled',
];

/** The parsed form of an initializer spec. */
export type Initializer =
  | { type: 'glorot-uniform' | 'glorot-normal' | 'he-normal' | 'he-uniform' | 'lecun-normal' | 'zeros' }
  | { type: 'sparse'; k: number; scale: number }
  | { type: 'normal'; std: number }
  | { type: 'uniform'; limit: number }
  | { type: 'equal'; value?: number }
  | { type: 'scaled'; factor: number; base?: Initializer };

/** What an experiment file may write. */
export type InitSpec = string | { type: string; [option: string]: unknown };

/** An invalid initializer spec (a string or an object: the message names the bad part). */
export class InitSpecError extends SpecError {
  override name = 'InitSpecError';
  constructor(message: string) {
    super(message, '');
  }
}

/** The argument of each call-like form and the object key it maps to. */
const ARG_OF: Partial<Record<InitName, string>> = { sparse: 'k', normal: 'std', uniform: 'limit', equal: 'value', scaled: 'factor' };
const OPTIONS_OF: Record<string, readonly string[]> = {
  sparse: ['k', 'scale'],
  normal: ['std'],
  uniform: ['limit'],
  equal: ['value'],
  scaled: ['factor', 'base'],
};

/** Parses and validates an initializer spec (errors name the spec and the bad part). */
export function parseInit(spec: InitSpec | Initializer): Initializer {
  let type: string;
  let opts: Record<string, unknown> = {};
  if (typeof spec === 'string') {
    const m = /^\s*([a-z0-9_-]+)\s*(?:\(\s*([^)]*?)\s*\))?\s*$/i.exec(spec);
    if (!m) throw new InitSpecError(`initializer "${spec}": expected a name like "he-normal" or a call like "scaled(0.01)"`);
    type = m[1].toLowerCase();
    if (m[2] !== undefined && m[2] !== '') {
      const key = ARG_OF[type as InitName];
      if (!key) throw new InitSpecError(`initializer "${spec}": ${type} takes no argument`);
      const v = Number(m[2]);
      if (!Number.isFinite(v)) throw new InitSpecError(`initializer "${spec}": the argument must be a finite number, got "${m[2]}"`);
      opts[key] = v;
    }
  } else if (typeof spec === 'object' && spec !== null && typeof spec.type === 'string') {
    type = spec.type;
    opts = { ...spec } as Record<string, unknown>;
    delete opts.type;
  } else {
    throw new InitSpecError(`initializer must be a name (one of ${INIT_NAMES.join(', ')}) or an object with a type, got ${JSON.stringify(spec)}`);
  }
  if (type === 'xavier-uniform') type = 'glorot-uniform';
  if (type === 'xavier-normal') type = 'glorot-normal';
  if (!(INIT_NAMES as readonly string[]).includes(type)) {
    throw new InitSpecError(`unknown initializer "${type}" (one of ${INIT_NAMES.join(', ')})`);
  }
  const allowed = OPTIONS_OF[type] ?? [];
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) {
      throw new InitSpecError(`initializer "${type}": unknown option "${key}"${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (it takes none)'}`);
    }
  }
  const num = (key: string, { positive = false, integer = false } = {}): number | undefined => {
    const v = opts[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InitSpecError(`initializer "${type}": ${key} must be a finite number, got ${JSON.stringify(v)}`);
    if (positive && !(v > 0)) throw new InitSpecError(`initializer "${type}": ${key} must be > 0, got ${v}`);
    if (integer && !Number.isInteger(v)) throw new InitSpecError(`initializer "${type}": ${key} must be an integer, got ${v}`);
    return v;
  };
  switch (type) {
    case 'sparse':
      return { type, k: num('k', { positive: true, integer: true }) ?? 15, scale: num('scale', { positive: true }) ?? 1 };
    case 'normal': {
      const std = num('std', { positive: true });
      if (std === undefined) throw new InitSpecError('initializer "normal" needs std, e.g. "normal(0.1)"');
      return { type, std };
    }
    case 'uniform': {
      const limit = num('limit', { positive: true });
      if (limit === undefined) throw new InitSpecError('initializer "uniform" needs limit, e.g. "uniform(0.05)"');
      return { type, limit };
    }
    case 'equal':
      return { type, value: num('value') };
    case 'scaled': {
      const factor = num('factor', { positive: true });
      if (factor === undefined) throw new InitSpecError('initializer "scaled" needs a factor, e.g. "scaled(0.01)"');
      const base = opts.base === undefined ? undefined : parseInit(opts.base as InitSpec);
      if (base?.type === 'scaled') throw new InitSpecError('initializer "scaled": base must not itself be scaled');
      return { type, factor, base };
    }
    default:
      return { type } as Initializer;
  }
}

/** fanIn and fanOut of a weight of the given shape (dense [in, out] or conv [kh, kw, cin, cout]). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  if (shape.length === 4) {
    const receptive = shape[0] * shape[1];
    return { fanIn: receptive * shape[2], fanOut: receptive * shape[3] };
  }
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  throw new RangeError(`fans: unsupported weight shape [${shape.join(', ')}]`);
}

/**
 * Values for a weight of `shape` (row-major, the last axis = output units), drawn from `rng`.
 * `fallback` is the model's default initializer, which 'scaled' multiplies when it has no base.
 */
export function initValues(init: Initializer, shape: readonly number[], rng: Rng, fallback: Initializer = { type: 'glorot-uniform' }): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const { fanIn, fanOut } = fans(shape);
  const out = new Float32Array(size);
  switch (init.type) {
    case 'zeros':
      return out;
    case 'equal':
      return out.fill(init.value ?? 1 / Math.sqrt(fanIn));
    case 'glorot-uniform':
      return uniform(out, Math.sqrt(6 / (fanIn + fanOut)), rng);
    case 'he-uniform':
      return uniform(out, Math.sqrt(6 / fanIn), rng);
    case 'uniform':
      return uniform(out, init.limit, rng);
    case 'glorot-normal':
      return normal(out, Math.sqrt(2 / (fanIn + fanOut)), rng);
    case 'he-normal':
      return normal(out, Math.sqrt(2 / fanIn), rng);
    case 'lecun-normal':
      return normal(out, Math.sqrt(1 / fanIn), rng);
    case 'normal':
      return normal(out, init.std, rng);
    case 'sparse':
      return sparse(out, fanIn, size / fanIn, init.k, init.scale, rng);
    case 'scaled': {
      const base = init.base ?? fallback;
      if (base.type === 'scaled') throw new InitSpecError('initializer "scaled": its base must not itself be scaled');
      const v = initValues(base, shape, rng, fallback);
      for (let i = 0; i < v.length; i++) v[i] *= init.factor;
      return v;
    }
  }
}

function uniform(out: Float32Array, limit: number, rng: Rng): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.next() - 1) * limit;
  return out;
}

function normal(out: Float32Array, std: number, rng: Rng): Float32Array {
  const z = new Float64Array(out.length);
  rng.fillNormal(z);
  for (let i = 0; i < out.length; i++) out[i] = std * z[i];
  return out;
}

/**
 * Martens' sparse initialization: for each of the `units` output units (the last axis; the
 * incoming weights of unit j are out[i * units + j], i < fanIn), k distinct incoming positions,
 * chosen uniformly, get N(0, scale^2) values.
 */
function sparse(out: Float32Array, fanIn: number, units: number, k: number, scale: number, rng: Rng): Float32Array {
  const take = Math.min(k, fanIn);
  const idx = new Int32Array(fanIn);
  for (let j = 0; j < units; j++) {
    for (let i = 0; i < fanIn; i++) idx[i] = i;
    // Partial Fisher-Yates: the first `take` entries become a uniform random subset.
    for (let t = 0; t < take; t++) {
      const r = t + Math.floor(rng.next() * (fanIn - t));
      const tmp = idx[t];
      idx[t] = idx[r];
      idx[r] = tmp;
      out[idx[t] * units + j] = scale * rng.normal();
    }
  }
  return out;
}

/** The name of an initializer as a short string (for run records and labels). */
export function describeInit(init: Initializer): string {
  switch (init.type) {
    case 'sparse':
      return init.scale === 1 ? `sparse(${init.k})` : `sparse(${init.k}, scale ${init.scale})`;
    case 'normal':
      return `normal(${init.std})`;
    case 'uniform':
      return `uniform(${init.limit})`;
    case 'equal':
      return init.value === undefined ? 'equal' : `equal(${init.value})`;
    case 'scaled':
      return `scaled(${init.factor}${init.base ? `, ${describeInit(init.base)}` : ''})`;
    default:
      return init.type;
  }
}

/** A seeded stream per parameter: parameter `index` of a model initialized with `seed`. */
export function paramRng(seed: number, index: number): Rng {
  return new Rng(seed, 0x51ed + index);
}
