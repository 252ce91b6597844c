// Convolution and pooling for the models, on every backend.
//
// tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so tf.conv2d cannot be trained there. The
// im2col route builds the patches of the input with pad/slice/reshape/concat (whose gradients,
// and their gradients, exist on every backend) and multiplies them by the filter reshaped to
// [kh*kw*inChannels, outChannels]: forward, backward and double backward need only those kernels
// plus matMul. The same `extractPatches` gives KFC its patch vectors, in the filter's
// (row, column, channel) order. Route selection: 'native' = tf.conv2d, 'im2col' = patches+matMul,
// 'auto' = native where the active backend has Conv2DBackpropFilter (cpu, tensorflow), im2col
// elsewhere (wasm).
//
// Pooling (2x2, stride 2, floor) is written with transpose/slice and maximum/add instead of
// tf.maxPool: tfjs registers no gradient for MaxPoolGrad/AvgPoolGrad, so tf.maxPool cannot be
// differentiated twice (curvature-vector products need that), while these ops can.
//
// Speed: on wasm (and tfjs-node) slices are native and the im2col route costs about what the
// native convolution does at these sizes. The pure-JS cpu backend copies strided slices element
// by element (~0.5 us each), so im2col and extractPatches are slow there; 'auto' uses the native
// kernel on cpu, and extractPatches on cpu is best applied to a subsample of the batch.
import * as tf from '@tensorflow/tfjs';
import * as tfConv from '../tf/conv';
import { convGeometry, type ConvPadding } from '../tf/conv';

export type { ConvPadding };
export type ConvRoute = 'native' | 'im2col' | 'auto';
export const CONV_ROUTES: readonly ConvRoute[] = ['native', 'im2col', 'auto'];

/** Output size and padding of a convolution (or pooling window) by TensorFlow's rules. */
export { convGeometry };
export type ConvGeometry = ReturnType<typeof convGeometry>;

/** The route 'auto' resolves to on the active backend (or `backend`). */
export function resolveConvRoute(route: ConvRoute, backend: string = tf.getBackend()): 'native' | 'im2col' {
  if (route !== 'auto') return route;
  return tfConv.hasNativeConvFilterGrad(tf, backend) ? 'native' : 'im2col';
}

/**
 * The patches of x [n, h, w, c] for a kh x kw window: [n, outH, outW, kh*kw*c], the last axis
 * ordered (window row, window column, channel), i.e. the order of a filter [kh, kw, c, cout]
 * reshaped to [kh*kw*c, cout]. Zero padding for 'same'. (engine/src/tf/conv.ts on the global tf.)
 */
export function extractPatches(x: tf.Tensor4D, kernelSize: [number, number], strides: [number, number], padding: ConvPadding): tf.Tensor4D {
  return tfConv.extractPatches(tf, x, kernelSize[0], kernelSize[1], strides, padding).patches;
}

/** NHWC convolution (dilation 1) as patches x reshaped filter; the same values as tf.conv2d. */
export function conv2dIm2col(x: tf.Tensor4D, filter: tf.Tensor4D, strides: [number, number], padding: ConvPadding): tf.Tensor4D {
  return tfConv.conv2dIm2col(tf, x, filter, strides, padding);
}

/** Convolution by the given route ('auto' resolved on the active backend). */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, strides: [number, number], padding: ConvPadding, route: ConvRoute = 'auto'): tf.Tensor4D {
  return resolveConvRoute(route) === 'native' ? tf.conv2d(x, filter, strides, padding) : conv2dIm2col(x, filter, strides, padding);
}

export type PoolType = 'max' | 'avg';

/**
 * 2x2 pooling with stride 2 and 'valid' (floor) padding: the values and gradients of
 * tf.maxPool/tf.avgPool(x, 2, 2, 'valid'), from ops that can be differentiated twice on every
 * backend. Max pooling compares the pairs with tf.maximum, whose gradient goes to exactly one
 * element of a tie (as tf.maxPool's does; a max-reduction would give every tied element the full
 * gradient, e.g. to all four zeros of a dead relu window). Each pair is brought to the leading
 * axis by a transpose, so that its two halves are contiguous slices (the cpu backend's strided
 * slices are ~10x slower than its transposes).
 */
export function pool2x2(x: tf.Tensor4D, type: PoolType): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const h2 = Math.floor(h / 2);
  const w2 = Math.floor(w / 2);
  if (h2 < 1 || w2 < 1) throw new RangeError(`pooling: a 2x2 window does not fit a ${h}x${w} input`);
  return tf.tidy(() => {
    const cropped = h === 2 * h2 && w === 2 * w2 ? x : tf.slice(x, [0, 0, 0, 0], [n, 2 * h2, 2 * w2, c]);
    /** t viewed as [rows, 2, cols] -> the pairs combined: [rows, cols]. */
    const pairs = (t: tf.Tensor, rows: number, cols: number): tf.Tensor => {
      const lead = tf.transpose(tf.reshape(t, [rows, 2, cols]), [1, 0, 2]);
      const a = tf.reshape(tf.slice(lead, [0, 0, 0], [1, rows, cols]), [rows, cols]);
      const b = tf.reshape(tf.slice(lead, [1, 0, 0], [1, rows, cols]), [rows, cols]);
      return type === 'max' ? tf.maximum(a, b) : tf.mul(tf.add(a, b), 0.5);
    };
    const rowsDone = pairs(cropped, n * h2, 2 * w2 * c); // pairs of rows
    const out = pairs(rowsDone, n * h2 * w2, c); // pairs of columns
    return tf.reshape(out, [n, h2, w2, c]);
  });
}

/**
 * pool2x2 and its tangent: the pooled x, and the directional derivative of pool2x2(x) along dx.
 * Average pooling is linear (the tangent is pool2x2(dx, 'avg')); max pooling passes on the tangent
 * of the element it selects, with tf.maximum's tie rule (its gradient goes to the first operand
 * when a >= b), so that the tangent is exactly the one the double-vjp of pool2x2 gives.
 */
export function pool2x2Jvp(x: tf.Tensor4D, dx: tf.Tensor4D, type: PoolType): { output: tf.Tensor4D; tangent: tf.Tensor4D } {
  if (type === 'avg') return { output: pool2x2(x, 'avg'), tangent: pool2x2(dx, 'avg') };
  const [n, h, w, c] = x.shape;
  const h2 = Math.floor(h / 2);
  const w2 = Math.floor(w / 2);
  if (h2 < 1 || w2 < 1) throw new RangeError(`pooling: a 2x2 window does not fit a ${h}x${w} input`);
  const [output, tangent] = tf.tidy(() => {
    const crop = (t: tf.Tensor4D) => (h === 2 * h2 && w === 2 * w2 ? t : tf.slice(t, [0, 0, 0, 0], [n, 2 * h2, 2 * w2, c]));
    /** As pool2x2's `pairs`, on the values and the tangents together. */
    const pairs = (t: tf.Tensor, dt: tf.Tensor, rows: number, cols: number): [tf.Tensor, tf.Tensor] => {
      const halves = (u: tf.Tensor): [tf.Tensor, tf.Tensor] => {
        const lead = tf.transpose(tf.reshape(u, [rows, 2, cols]), [1, 0, 2]);
        return [tf.reshape(tf.slice(lead, [0, 0, 0], [1, rows, cols]), [rows, cols]), tf.reshape(tf.slice(lead, [1, 0, 0], [1, rows, cols]), [rows, cols])];
      };
      const [a, b] = halves(t);
      const [da, db] = halves(dt);
      return [tf.maximum(a, b), tf.where(tf.greaterEqual(a, b), da, db)];
    };
    const [r, dr] = pairs(crop(x), crop(dx), n * h2, 2 * w2 * c);
    const [o, d] = pairs(r, dr, n * h2 * w2, c);
    return [tf.reshape(o, [n, h2, w2, c]) as tf.Tensor4D, tf.reshape(d, [n, h2, w2, c]) as tf.Tensor4D];
  });
  return { output, tangent };
}
