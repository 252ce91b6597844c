// The double-backprop-safe losses (engine/src/tf/losses.ts) give the values of their tfjs
// counterparts, and the im2col convolution (engine/src/tf/conv.ts) the values of tf.conv2d.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { initBackend, type Tf } from '../../../engine/src/tf/backend';
import { avgPool2d, conv2d, conv2dIm2col, convGeometry, hasNativeConvFilterGrad, maxPool2d } from '../../../engine/src/tf/conv';
import { logSoftmax, meanSquaredError, sigmoidCrossEntropy, softmaxCrossEntropy } from '../../../engine/src/tf/losses';

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`losses on ${backend}`, () => {
    let tf: Tf;
    before(async () => {
      tf = (await initBackend(backend)).tf;
    });

    test('softmaxCrossEntropy = tf.losses.softmaxCrossEntropy (mean over examples), also for huge logits', () => {
      tf.tidy(() => {
        const z = tf.tensor2d([[1, 2, 3], [-1, 0.5, 4], [300, -200, 0], [0, 0, 0]]);
        const y = tf.tensor2d([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0.2, 0.3, 0.5]]);
        close(softmaxCrossEntropy(tf, y, z).dataSync(), tf.losses.softmaxCrossEntropy(y, z).dataSync(), 1e-6, 'mean');
        const per = softmaxCrossEntropy(tf, y, z, 'none').dataSync();
        assert.ok(Math.abs(per[2] - 500) < 1e-3, `stable for large logits: ${per[2]}`);
        close(logSoftmax(tf, z).dataSync(), tf.logSoftmax(z).dataSync(), 1e-6, 'logSoftmax');
      });
    });

    test('sigmoidCrossEntropy = tf.losses.sigmoidCrossEntropy; meanSquaredError = tf.losses.meanSquaredError', () => {
      tf.tidy(() => {
        const z = tf.tensor2d([[1, -2, 30], [-40, 0.5, 0]]);
        const y = tf.tensor2d([[1, 0, 1], [0, 0.3, 1]]);
        close(sigmoidCrossEntropy(tf, y, z).dataSync(), tf.losses.sigmoidCrossEntropy(y, z, undefined, 0, tf.Reduction.MEAN).dataSync(), 1e-6, 'sigmoid CE');
        close(meanSquaredError(tf, y, z).dataSync(), tf.losses.meanSquaredError(y, z, undefined, tf.Reduction.MEAN).dataSync(), 1e-6, 'MSE');
        close(meanSquaredError(tf, y, z, 'sum').dataSync(), [tf.sum(tf.square(tf.sub(z, y))).dataSync()[0]], 1e-6, 'MSE sum');
      });
    });

    test('shape mismatches are clear errors', () => {
      tf.tidy(() => {
        assert.throws(() => softmaxCrossEntropy(tf, tf.zeros([2, 3]), tf.zeros([2, 4])), /softmaxCrossEntropy: labels have shape \[2, 3\] but logits\/predictions have \[2, 4\]/);
      });
    });
  });

  describe(`conv2d routes on ${backend}`, () => {
    let tf: Tf;
    before(async () => {
      tf = (await initBackend(backend)).tf;
    });

    test('conv2dIm2col equals tf.conv2d (valid/same, strides 1-3, odd sizes, several channels)', () => {
      type Shape4 = [number, number, number, number];
      const configs: [Shape4, Shape4, number | [number, number], 'valid' | 'same'][] = [
        [[2, 5, 5, 1], [3, 3, 1, 4], 1, 'valid'],
        [[1, 6, 7, 3], [3, 3, 3, 2], 1, 'same'],
        [[2, 7, 6, 2], [3, 2, 2, 3], 2, 'same'],
        [[1, 9, 8, 2], [5, 5, 2, 2], [2, 3], 'valid'],
        [[1, 28, 28, 1], [5, 5, 1, 8], 2, 'same'],
        [[1, 4, 4, 2], [1, 1, 2, 3], 1, 'valid'],
      ];
      for (const [xs, ws, s, pad] of configs) {
        tf.tidy(() => {
          const x = tf.randomNormal(xs, 0, 1, 'float32', 1) as Tensor4D;
          const w = tf.randomNormal(ws, 0, 1, 'float32', 2) as Tensor4D;
          const want = tf.conv2d(x, w, s, pad);
          const got = conv2dIm2col(tf, x, w, s, pad);
          assert.deepEqual(got.shape, want.shape, `[${xs}] * [${ws}] s=${s} ${pad}`);
          close(got.dataSync(), want.dataSync(), 1e-4, `[${xs}] * [${ws}] s=${s} ${pad}`);
        });
      }
      assert.deepEqual(convGeometry(28, 28, 5, 5, 2, 2, 'same'), { outH: 14, outW: 14, top: 1, bottom: 2, left: 1, right: 2 });
    });

    test('maxPool2d and avgPool2d equal tf.maxPool and tf.avgPool (valid/same, strides 1-2)', () => {
      const configs: [[number, number, number, number], number, number, 'valid' | 'same'][] = [
        [[2, 6, 6, 3], 2, 2, 'valid'],
        [[1, 5, 7, 2], 2, 2, 'same'],
        [[1, 7, 6, 2], 3, 2, 'same'],
        [[2, 5, 5, 1], 3, 1, 'same'],
        [[1, 6, 5, 2], 3, 1, 'valid'],
      ];
      for (const [xs, size, s, pad] of configs) {
        tf.tidy(() => {
          const x = tf.sub(tf.randomNormal(xs, 0, 1, 'float32', 5), 3) as Tensor4D; // negative: padding must not win the max
          close(maxPool2d(tf, x, size, s, pad).dataSync(), tf.maxPool(x, size, s, pad).dataSync(), 1e-6, `maxPool [${xs}] ${size}/${s} ${pad}`);
          close(avgPool2d(tf, x, size, s, pad).dataSync(), tf.avgPool(x, size, s, pad).dataSync(), 1e-5, `avgPool [${xs}] ${size}/${s} ${pad}`);
        });
      }
    });

    test('conv2d trains here: the filter gradient exists (native kernel or im2col route)', () => {
      assert.equal(hasNativeConvFilterGrad(tf), backend === 'cpu');
      tf.tidy(() => {
        const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 3) as Tensor4D;
        const w = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 4) as Tensor4D;
        const [gx, gw] = tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.square(conv2d(tf, a as Tensor4D, b as Tensor4D, 1, 'same'))))([x, w]);
        assert.deepEqual(gx.shape, [2, 6, 6, 2]);
        assert.deepEqual(gw.shape, [3, 3, 2, 4]);
        assert.ok(Number.isFinite(tf.sum(tf.abs(gw)).dataSync()[0]));
      });
    });
  });
}
