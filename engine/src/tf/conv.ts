// 2-D convolution and pooling that train on every backend and differentiate twice.
// tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so the stock conv2d cannot compute the
// filter gradient there. conv2dIm2col builds the patches with slices (whose gradients are pads,
// present everywhere), concatenates them along the channels and multiplies by the filter reshaped
// to [kh*kw*cin, cout]: its first and second derivatives use only slice/pad/concat/reshape/matMul.
// conv2d picks the native kernel where the backend has the filter-gradient kernel and the im2col
// route elsewhere. tf.maxPool and tf.avgPool differentiate once only (their gradient kernels,
// MaxPoolGrad and AvgPoolGrad, have no gradient), and on wasm tf.maxPool's gradient is wrong for
// negative inputs (measured: the MaxPoolGrad kernel loses windows whose maximum is negative; it
// is right for nonnegative inputs such as relu outputs). maxPool2d and avgPool2d are the same
// poolings over patches: right on every backend, and differentiable twice.
import type { Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './namespace';

export type ConvPadding = 'valid' | 'same';

/** Whether a backend (default: the active one) can differentiate the native conv2d with respect to its filter. */
export function hasNativeConvFilterGrad(tf: Tf, backend: string = tf.getBackend()): boolean {
  return tf.getKernel('Conv2DBackpropFilter', backend) !== undefined;
}

/** NHWC convolution, dilation 1: the native kernel where it trains, else conv2dIm2col. */
export function conv2d(tf: Tf, x: Tensor4D, filter: Tensor4D, strides: number | [number, number] = 1, pad: ConvPadding = 'valid'): Tensor4D {
  return hasNativeConvFilterGrad(tf) ? tf.conv2d(x, filter, strides, pad) : conv2dIm2col(tf, x, filter, strides, pad);
}

/** The output size and padding of a convolution, by TensorFlow's rules. */
export function convGeometry(inH: number, inW: number, kh: number, kw: number, sh: number, sw: number, pad: ConvPadding) {
  if (pad === 'valid') {
    return { outH: Math.ceil((inH - kh + 1) / sh), outW: Math.ceil((inW - kw + 1) / sw), top: 0, bottom: 0, left: 0, right: 0 };
  }
  const outH = Math.ceil(inH / sh);
  const outW = Math.ceil(inW / sw);
  const padH = Math.max((outH - 1) * sh + kh - inH, 0);
  const padW = Math.max((outW - 1) * sw + kw - inW, 0);
  const top = Math.floor(padH / 2);
  const left = Math.floor(padW / 2);
  return { outH, outW, top, bottom: padH - top, left, right: padW - left };
}

/**
 * The patches of an NHWC input: [n, outH, outW, kh*kw*c], ordered (row, column, channel) like a
 * filter reshaped to [kh*kw*c, cout]. Built from pad, slice, reshape and concat only, whose
 * gradients exist on every backend and are themselves differentiable.
 */
export function extractPatches(tf: Tf, x: Tensor4D, kh: number, kw: number, strides: number | [number, number], pad: ConvPadding, padValue = 0): { patches: Tensor4D; outH: number; outW: number } {
  const [n, inH, inW, c] = x.shape;
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  const g = convGeometry(inH, inW, kh, kw, sh, sw, pad);
  if (g.outH < 1 || g.outW < 1) throw new RangeError(`a ${kh}x${kw} window does not fit a ${inH}x${inW} input with '${pad}' padding`);
  const patches = tf.tidy(() => {
    // Pad for the window, plus (stride - 1) extra rows/columns so that every window offset can
    // take a block of outH*sh x outW*sw and keep every sh-th row and sw-th column (no pad op
    // when nothing needs padding: the cpu backend copies element by element).
    const padB = g.bottom + sh - 1;
    const padR = g.right + sw - 1;
    const padded = g.top || padB || g.left || padR ? tf.pad(x, [[0, 0], [g.top, padB], [g.left, padR], [0, 0]], padValue) : x;
    const cols: Tensor4D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        let block = tf.slice(padded, [0, i, j, 0], [n, g.outH * sh, g.outW * sw, c]);
        if (sh > 1 || sw > 1) {
          // [n*outH, sh, outW, sw*c] -> the first row of each sh and the first c of each sw*c.
          block = tf.reshape(tf.slice(tf.reshape(block, [n * g.outH, sh, g.outW, sw * c]), [0, 0, 0, 0], [n * g.outH, 1, g.outW, c]), [n, g.outH, g.outW, c]);
        }
        cols.push(block);
      }
    }
    return cols.length === 1 ? cols[0] : (tf.concat(cols, 3) as Tensor4D);
  });
  return { patches, outH: g.outH, outW: g.outW };
}

/** NHWC convolution by explicit patches (im2col) and one matmul; same result as tf.conv2d. */
export function conv2dIm2col(tf: Tf, x: Tensor4D, filter: Tensor4D, strides: number | [number, number] = 1, pad: ConvPadding = 'valid'): Tensor4D {
  const [n, , , c] = x.shape;
  const [kh, kw, cin, cout] = filter.shape;
  if (cin !== c) throw new RangeError(`conv2d: the input has ${c} channels but the filter expects ${cin}`);
  return tf.tidy(() => {
    const { patches, outH, outW } = extractPatches(tf, x, kh, kw, strides, pad);
    const k = kh * kw * c;
    const out = tf.matMul(tf.reshape(patches, [n * outH * outW, k]), tf.reshape(filter, [k, cout]));
    return tf.reshape(out, [n, outH, outW, cout]);
  });
}

/**
 * Max pooling as a max over patches: its gradient (through Max, with the engine's corrected Max
 * gradient) is differentiable again, unlike tf.maxPool's MaxPoolGrad kernel, which has no
 * gradient. 'same' padding pads with a large negative value, as TensorFlow ignores the padding.
 */
export function maxPool2d(tf: Tf, x: Tensor4D, size: number | [number, number], strides: number | [number, number] = size, pad: ConvPadding = 'valid'): Tensor4D {
  const [kh, kw] = typeof size === 'number' ? [size, size] : size;
  const [n, , , c] = x.shape;
  return tf.tidy(() => {
    const { patches, outH, outW } = extractPatches(tf, x, kh, kw, strides, pad, -1e30);
    return tf.reshape(tf.max(tf.reshape(patches, [n * outH * outW, kh * kw, c]), 1), [n, outH, outW, c]);
  });
}

/**
 * Average pooling as a mean over patches (differentiable twice, unlike tf.avgPool's AvgPoolGrad);
 * with 'same' padding each window averages only the input cells it covers, as TensorFlow does.
 */
export function avgPool2d(tf: Tf, x: Tensor4D, size: number | [number, number], strides: number | [number, number] = size, pad: ConvPadding = 'valid'): Tensor4D {
  const [kh, kw] = typeof size === 'number' ? [size, size] : size;
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const { patches, outH, outW } = extractPatches(tf, x, kh, kw, strides, pad);
    const sums = tf.sum(tf.reshape(patches, [n * outH * outW, kh * kw, c]), 1);
    const counts = tf.sum(tf.reshape(extractPatches(tf, tf.ones([1, h, w, 1]) as Tensor4D, kh, kw, strides, pad).patches, [outH * outW, kh * kw]), 1);
    const perWindow = tf.tile(tf.reshape(counts, [outH * outW, 1]), [n, 1]);
    return tf.reshape(tf.div(sums, perWindow), [n, outH, outW, c]);
  });
}
