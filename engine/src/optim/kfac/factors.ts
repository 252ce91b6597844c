// One minibatch's Kronecker factors per registered layer (science-spec 3.1 and 4), computed on the
// device and read back in ONE device read as Float64 host arrays.
//   dense:  A = abar^T abar / B  (abar = [a, 1], the homogeneous column for the bias)
//           G = g^T g / B        (g = per-example pre-activation gradients, the taps' outputGrads)
//   conv2d: Omega = sum_t abar_t^T abar_t / B  (patch vectors with a trailing 1, summed over the T
//           output locations, averaged over examples; the paper's Omega, = kfac-jax's input factor
//           times its fixed_scale T, so the bias row/column holds T x the mean patch)
//           Gamma = sum_t ds_t^T ds_t / (B T)  (output-gradient covariance averaged over locations)
// Both layouts put the bias last, matching the [(in + 1), out] stacking of the gradient.
import * as tf from '@tensorflow/tfjs';
import { extractPatches } from '../../models/conv';
import type { LayerTap } from '../types';

export interface LayerFactors {
  /** Input-side factor (A or Omega), dimA x dimA row-major. */
  a: Float64Array;
  /** Output-side factor (G or Gamma), dimG x dimG row-major. */
  g: Float64Array;
  dimA: number;
  dimG: number;
}

/** Per-layer factors as views into the float32 device read (valid until the next read's buffer is dropped). */
export interface RawLayerFactors {
  a: Float32Array;
  g: Float32Array;
  /** Multiply g by this (an exact power of 2) to get the output-side factor. */
  gFactor: number;
  dimA: number;
  dimG: number;
}

/** The rows that build the factors: abar [rows, dimA] and g [rows, dimG], plus the normalisers. */
function factorRows(tap: LayerTap): { abar: tf.Tensor2D; grads: tf.Tensor2D; aScale: number; gScale: number } {
  const batch = tap.inputs.shape[0]!;
  let a: tf.Tensor2D;
  let g: tf.Tensor2D;
  let locations = 1;
  if (tap.kind === 'conv2d') {
    const conv = tap.conv;
    if (!conv) throw new RangeError(`kfac: conv2d layer "${tap.weight}" has no geometry`);
    const patches = extractPatches(tap.inputs as tf.Tensor4D, conv.kernelSize, conv.strides, conv.padding);
    const [, oh, ow, k] = patches.shape;
    locations = oh * ow;
    a = tf.reshape(patches, [batch * locations, k]);
    g = tf.reshape(tap.outputGrads, [batch * locations, -1]);
  } else {
    a = tf.reshape(tap.inputs, [batch, -1]);
    g = tf.reshape(tap.outputGrads, [batch, -1]);
  }
  const abar = tap.bias ? (tf.concat([a, tf.ones([a.shape[0], 1])], 1) as tf.Tensor2D) : a;
  return { abar, grads: g, aScale: 1 / batch, gScale: 1 / (batch * locations) };
}

/** X^T X * scale, with an explicit transpose (matMul's transposed forms are slow on wasm). */
function gram(x: tf.Tensor2D, scale: number): tf.Tensor2D {
  return tf.mul(tf.matMul(tf.transpose(x), x), scale);
}

/**
 * 2^-round(log2 max|g|) as a scalar tensor: scaling the output gradients by it keeps g^T g out of
 * the float32 denormal range when the gradients vanish (denormal products make the matmul many
 * times slower), and, being a power of 2, changes no bit of the result otherwise.
 */
function powerOfTwoScale(g: tf.Tensor2D): tf.Scalar {
  const m = tf.maximum(tf.max(tf.abs(g)), 1e-30);
  return tf.pow(tf.scalar(2), tf.neg(tf.round(tf.div(tf.log(m), Math.LN2)))) as tf.Scalar;
}

/** Backends whose device reads are plain memory copies: reading each factor costs less than concatenating them. */
const HOST_MEMORY_BACKENDS = new Set(['wasm', 'cpu', 'tensorflow']);

/**
 * The factors of every tap as float32 arrays (views into the device read): the engine's EMA folds
 * them into its float64 averages directly (no per-step float64 copies). The output-side factor is
 * read scaled (see powerOfTwoScale): G = g * gFactor. On wasm/cpu/tfjs-node each factor is read on
 * its own (a memory copy; concatenating ~10^6 floats first cost ~6 ms on wasm); on other backends
 * (webgl, webgpu) everything is concatenated into ONE device read.
 */
export function readFactors(taps: Record<string, LayerTap>): Record<string, RawLayerFactors> {
  const names = Object.keys(taps);
  if (names.length === 0) return {};
  const dims: { dimA: number; dimG: number }[] = [];
  const tensors = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    const scales: tf.Tensor[] = [];
    for (const name of names) {
      const { abar, grads, aScale, gScale } = factorRows(taps[name]);
      dims.push({ dimA: abar.shape[1], dimG: grads.shape[1] });
      const s = powerOfTwoScale(grads);
      scales.push(tf.reshape(s, [1]));
      parts.push(gram(abar, aScale), gram(tf.mul(grads, s), gScale));
    }
    return [tf.concat(scales), ...parts];
  });
  let arrays: Float32Array[];
  try {
    if (HOST_MEMORY_BACKENDS.has(tf.getBackend())) {
      arrays = tensors.map((t) => t.dataSync() as Float32Array);
    } else {
      const flat = tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))));
      const values = flat.dataSync() as Float32Array;
      flat.dispose();
      let at = 0;
      arrays = tensors.map((t) => values.subarray(at, (at += t.size)));
    }
  } finally {
    tf.dispose(tensors);
  }
  const scales = arrays[0];
  const out: Record<string, RawLayerFactors> = {};
  names.forEach((name, i) => {
    const { dimA, dimG } = dims[i];
    out[name] = { a: arrays[1 + 2 * i], g: arrays[2 + 2 * i], gFactor: 1 / (scales[i] * scales[i]), dimA, dimG };
  });
  return out;
}

/** The factors of every tap, in one device read, as float64 host arrays. */
export function minibatchFactors(taps: Record<string, LayerTap>): Record<string, LayerFactors> {
  const out: Record<string, LayerFactors> = {};
  for (const [name, f] of Object.entries(readFactors(taps))) {
    const g = Float64Array.from(f.g);
    for (let i = 0; i < g.length; i++) g[i] *= f.gFactor;
    out[name] = { a: Float64Array.from(f.a), g, dimA: f.dimA, dimG: f.dimG };
  }
  return out;
}
