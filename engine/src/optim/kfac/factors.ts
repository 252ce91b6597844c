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

/** The factors of every tap, in one device read. */
export function minibatchFactors(taps: Record<string, LayerTap>): Record<string, LayerFactors> {
  const names = Object.keys(taps);
  if (names.length === 0) return {};
  const dims: { dimA: number; dimG: number }[] = [];
  const flat = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (const name of names) {
      const { abar, grads, aScale, gScale } = factorRows(taps[name]);
      dims.push({ dimA: abar.shape[1], dimG: grads.shape[1] });
      parts.push(tf.reshape(gram(abar, aScale), [-1]), tf.reshape(gram(grads, gScale), [-1]));
    }
    return tf.concat(parts);
  });
  const values = flat.dataSync();
  flat.dispose();
  const out: Record<string, LayerFactors> = {};
  let at = 0;
  names.forEach((name, i) => {
    const { dimA, dimG } = dims[i];
    const a = Float64Array.from(values.subarray(at, at + dimA * dimA));
    at += dimA * dimA;
    const g = Float64Array.from(values.subarray(at, at + dimG * dimG));
    at += dimG * dimG;
    out[name] = { a, g, dimA, dimG };
  });
  return out;
}
