// Optimizer state as data: serialization to JSON-able values (checkpoints), disposal, and
// walking. Float32 values survive the round trip exactly (float32 -> float64 -> shortest decimal
// -> float64 -> float32 is the identity), so a resumed run continues bit for bit.
import * as tf from '@tensorflow/tfjs';
import type { State } from './types';

/** A number that JSON cannot hold (JSON.stringify turns NaN into null and -0 into 0). */
type NonFinite = 'NaN' | 'Infinity' | '-Infinity' | '-0';

/** The serialized form of a tensor. */
export interface SerializedTensor {
  $tensor: { dtype: tf.DataType; shape: number[]; data: (number | boolean | NonFinite)[] };
}

/** The JSON-able form of a State. */
export type SerializedState =
  | number
  | string
  | boolean
  | null
  | SerializedTensor
  | { $float64: (number | NonFinite)[] }
  | { $number: NonFinite }
  | SerializedState[]
  | { [key: string]: SerializedState };

/** A state that cannot be serialized or read back (names the path inside the state). */
export class StateFormatError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(path ? `optimizer state at ${path}: ${message}` : `optimizer state: ${message}`);
    this.name = 'StateFormatError';
  }
}

const SERIALIZABLE_DTYPES = new Set<string>(['float32', 'int32', 'bool']);

function encodeNumber(x: number): number | NonFinite {
  if (Object.is(x, -0)) return '-0';
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

function decodeNumber(x: unknown, path: string): number {
  if (typeof x === 'number') return x;
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  if (x === '-0') return -0;
  throw new StateFormatError(`expected a number, got ${JSON.stringify(x)}`, path);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof tf.Tensor) && !ArrayBuffer.isView(x);
}

/** State -> a JSON-able value (tensors are read from the device: call between steps). */
export function serializeState(state: State): SerializedState {
  const walk = (s: State, path: string): SerializedState => {
    if (s instanceof tf.Tensor) {
      if (s.isDisposed) throw new StateFormatError('tensor is disposed', path);
      if (!SERIALIZABLE_DTYPES.has(s.dtype)) throw new StateFormatError(`cannot serialize a ${s.dtype} tensor`, path);
      const values = s.dataSync();
      const data: (number | boolean | NonFinite)[] = new Array(values.length);
      if (s.dtype === 'bool') for (let i = 0; i < values.length; i++) data[i] = values[i] !== 0;
      else for (let i = 0; i < values.length; i++) data[i] = encodeNumber(values[i] as number);
      return { $tensor: { dtype: s.dtype, shape: [...s.shape], data } };
    }
    if (s instanceof Float64Array) return { $float64: Array.from(s, encodeNumber) };
    if (typeof s === 'number') {
      const e = encodeNumber(s);
      return typeof e === 'number' ? e : { $number: e };
    }
    if (typeof s === 'string' || typeof s === 'boolean' || s === null) return s;
    if (Array.isArray(s)) return s.map((x, i) => walk(x, `${path}[${i}]`));
    if (isPlainObject(s)) {
      const out: Record<string, SerializedState> = {};
      for (const [k, v] of Object.entries(s)) {
        if (k.startsWith('$')) throw new StateFormatError(`key "${k}" starts with "$" (reserved)`, path);
        if (v === undefined) throw new StateFormatError(`key "${k}" is undefined`, path);
        out[k] = walk(v, path ? `${path}.${k}` : k);
      }
      return out;
    }
    throw new StateFormatError(`cannot serialize a ${typeof s}`, path);
  };
  return walk(state, '');
}

/** The inverse of serializeState: new tensors, owned by the returned state. */
export function deserializeState<S extends State = State>(data: unknown): S {
  const created: tf.Tensor[] = [];
  const walk = (d: unknown, path: string): State => {
    if (typeof d === 'number' || typeof d === 'string' || typeof d === 'boolean' || d === null) return d;
    if (Array.isArray(d)) return d.map((x, i) => walk(x, `${path}[${i}]`));
    if (isPlainObject(d)) {
      if ('$number' in d) return decodeNumber(d.$number, path);
      if ('$float64' in d) {
        const values = d.$float64;
        if (!Array.isArray(values)) throw new StateFormatError('float64 data must be a list', path);
        return Float64Array.from(values, (v, i) => decodeNumber(v, `${path}.$float64[${i}]`));
      }
      if ('$tensor' in d) {
        const t = d.$tensor as { dtype?: unknown; shape?: unknown; data?: unknown };
        if (typeof t !== 'object' || t === null) throw new StateFormatError('malformed tensor', path);
        const { dtype, shape, data: values } = t;
        if (typeof dtype !== 'string' || !SERIALIZABLE_DTYPES.has(dtype)) throw new StateFormatError(`unsupported tensor dtype ${JSON.stringify(dtype)}`, path);
        if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) throw new StateFormatError('tensor shape must be a list of non-negative integers', path);
        if (!Array.isArray(values)) throw new StateFormatError('tensor data must be a list', path);
        const size = shape.reduce((a: number, b: number) => a * b, 1);
        if (values.length !== size) throw new StateFormatError(`tensor data has ${values.length} values, shape [${shape.join(', ')}] needs ${size}`, path);
        let tensor: tf.Tensor;
        if (dtype === 'bool') {
          tensor = tf.tensor(Uint8Array.from(values, (v) => (v ? 1 : 0)), shape, 'bool');
        } else {
          const arr = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
          for (let i = 0; i < size; i++) arr[i] = decodeNumber(values[i], `${path}.$tensor.data[${i}]`);
          tensor = tf.tensor(arr, shape, dtype as 'float32' | 'int32');
        }
        created.push(tensor);
        return tensor;
      }
      const out: Record<string, State> = {};
      for (const [k, v] of Object.entries(d)) {
        if (k.startsWith('$')) throw new StateFormatError(`unknown tag "${k}"`, path);
        out[k] = walk(v, path ? `${path}.${k}` : k);
      }
      return out;
    }
    throw new StateFormatError(`unexpected ${typeof d}`, path);
  };
  try {
    return walk(data, '') as S;
  } catch (err) {
    tf.dispose(created);
    throw err;
  }
}

/** Every tensor in a state (depth first, in key order). */
export function stateTensors(state: State): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  const walk = (s: State) => {
    if (s instanceof tf.Tensor) out.push(s);
    else if (Array.isArray(s)) s.forEach(walk);
    else if (isPlainObject(s)) Object.values(s).forEach(walk);
  };
  walk(state);
  return out;
}

/** Frees every tensor of a state. Safe on partly disposed states. */
export function disposeState(state: State): void {
  for (const t of stateTensors(state)) if (!t.isDisposed) t.dispose();
}
