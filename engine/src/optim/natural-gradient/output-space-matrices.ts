// The output-space matrices of one minibatch, on the host in float64: the network Jacobian J
// (N x P, N = batch x outputs, P = parameters; row i = J^T e_i by one vector-Jacobian product),
// its Gram matrix J J^T, and the loss's output-space curvature H_L (N x N). tfjs has no linear
// algebra (docs/engine-notes.md, defect 4), so the solves that use them run on these arrays.
import * as tf from '@tensorflow/tfjs';
import type { OutputSpace, Params } from '../types';

/** The largest J (N x P entries) the exact method builds: 5e7 float32 values = 200 MB. */
export const MAX_JACOBIAN_ENTRIES = 5e7;

/** Parameter layout for flattening: names in order, sizes, shapes. */
export interface ParamLayout {
  names: string[];
  shapes: number[][];
  sizes: number[];
  total: number;
}

export function paramLayout(params: Params): ParamLayout {
  const names = Object.keys(params);
  const shapes = names.map((n) => params[n].shape.slice());
  const sizes = names.map((n) => params[n].size);
  return { names, shapes, sizes, total: sizes.reduce((a, b) => a + b, 0) };
}

/** The unit output-shaped vector e_i (flat index i). */
function unitOutput(shape: number[], size: number, i: number): tf.Tensor {
  const e = new Float32Array(size);
  e[i] = 1;
  return tf.tensor(e, shape);
}

/** J as an N x P row-major Float32Array (row i = J^T e_i, parameters flattened in layout order). */
export function jacobianRows(space: OutputSpace, layout: ParamLayout): Float32Array {
  const out = space.output;
  const n = out.size;
  if (n * layout.total > MAX_JACOBIAN_ENTRIES) {
    throw new RangeError(`natural gradient (exact): the Jacobian would have ${n} x ${layout.total} entries, more than ${MAX_JACOBIAN_ENTRIES}; use method 'cg'`);
  }
  const j = new Float32Array(n * layout.total);
  for (let i = 0; i < n; i++) {
    const row = tf.tidy(() => {
      const g = space.vjp(unitOutput(out.shape, n, i));
      return tf.concat(layout.names.map((name) => tf.reshape(g[name], [-1])));
    });
    j.set(row.dataSync(), i * layout.total);
    row.dispose();
  }
  return j;
}

/** J J^T (N x N, float64) of a row-major N x P Jacobian. */
export function gramOfRows(j: Float32Array, n: number, p: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const ra = a * p;
    for (let b = 0; b <= a; b++) {
      const rb = b * p;
      let s = 0;
      for (let k = 0; k < p; k++) s += j[ra + k] * j[rb + k];
      g[a * n + b] = s;
      g[b * n + a] = s;
    }
  }
  return g;
}

/** J^T s (P values, float64) for s of N values. */
export function transposeTimes(j: Float32Array, n: number, p: number, s: Float64Array): Float64Array {
  const out = new Float64Array(p);
  for (let a = 0; a < n; a++) {
    const sa = s[a];
    if (sa === 0) continue;
    const ra = a * p;
    for (let k = 0; k < p; k++) out[k] += sa * j[ra + k];
  }
  return out;
}

/** H_L as an N x N float64 matrix (column i = curvature(e_i)). */
export function outputCurvatureMatrix(space: OutputSpace): Float64Array {
  const out = space.output;
  const n = out.size;
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const col = tf.tidy(() => space.curvature(unitOutput(out.shape, n, i)));
    const v = col.dataSync();
    for (let r = 0; r < n; r++) h[r * n + i] = v[r];
    col.dispose();
  }
  return h;
}

/**
 * h when H = h I (within a relative 1e-6), else null. The engine's squared error (the unit
 * Gaussian) is the loss whose output curvature is a multiple of the identity (h = 1/batch of the
 * mean loss); then dL/d(output) = h (u - y) gives the residual u - y.
 */
export function scalarCurvature(h: Float64Array, n: number): number | null {
  const d = h[0];
  if (!(d > 0)) return null;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const want = r === c ? d : 0;
      if (Math.abs(h[r * n + c] - want) > 1e-6 * d) return null;
    }
  }
  return d;
}

/** A flat vector (layout order) as named tensors, times `factor`. */
export function unflatten(v: Float64Array, layout: ParamLayout, factor = 1): Params {
  const out: Params = {};
  let offset = 0;
  layout.names.forEach((name, i) => {
    const part = new Float32Array(layout.sizes[i]);
    for (let k = 0; k < part.length; k++) part[k] = factor * v[offset + k];
    out[name] = tf.tensor(part, layout.shapes[i]);
    offset += layout.sizes[i];
  });
  return out;
}
