// The im2col convolution route against tf.conv2d on cpu (forward, input and filter gradients,
// and second derivatives), the double-differentiable 2x2 pooling against tf.maxPool/avgPool, and
// a CNN whose two routes agree.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { conv2dIm2col, convGeometry, extractPatches, lossAndGradients, makeModel, perExampleLoss, pool2x2, resolveConvRoute, type ConvPadding } from '../../../engine/src/models';
import { assertClose, labels, normals, useBackend } from './helpers';

before(() => useBackend('cpu'));

type Shape4 = [number, number, number, number];
const CONFIGS: [Shape4, Shape4, [number, number], ConvPadding][] = [
  [[2, 6, 6, 2], [3, 3, 2, 4], [1, 1], 'same'],
  [[2, 6, 6, 2], [3, 3, 2, 4], [1, 1], 'valid'],
  [[2, 7, 6, 3], [3, 3, 3, 2], [2, 2], 'same'],
  [[2, 7, 6, 3], [3, 3, 3, 2], [2, 2], 'valid'],
  [[1, 8, 9, 2], [2, 4, 2, 3], [2, 1], 'same'], // non-square kernel, mixed strides, even kernel (asymmetric 'same' padding)
  [[1, 9, 8, 1], [5, 5, 1, 2], [2, 2], 'valid'],
  [[3, 4, 4, 2], [1, 1, 2, 5], [1, 1], 'valid'], // 1x1
];

describe('im2col convolution = tf.conv2d on cpu', () => {
  for (const [xs, ws, strides, padding] of CONFIGS) {
    const what = `x [${xs}] * w [${ws}], strides ${strides.join('x')}, ${padding}`;
    test(`${what}: forward, input and filter gradients`, () => {
      tf.tidy(() => {
        const x = tf.tensor4d(normals(xs.reduce((a, b) => a * b), 1), xs);
        const w = tf.tensor4d(normals(ws.reduce((a, b) => a * b), 2), ws);
        // A non-uniform upstream gradient, so that every output position is weighted differently.
        const want = tf.conv2d(x, w, strides, padding);
        const got = conv2dIm2col(x, w, strides, padding);
        assert.deepEqual(got.shape, want.shape);
        const g = convGeometry(xs[1], xs[2], ws[0], ws[1], strides[0], strides[1], padding);
        assert.deepEqual(got.shape, [xs[0], g.outH, g.outW, ws[3]]);
        assertClose(got.dataSync(), want.dataSync(), 'forward', 1e-5, 1e-5);
        const dy = tf.tensor(normals(want.size, 3), want.shape);
        const loss = (conv: typeof conv2dIm2col) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D, strides, padding), dy));
        const [gxNative, gwNative] = tf.grads(loss((a, b, s, p) => tf.conv2d(a, b, s, p)))([x, w]);
        const [gx, gw] = tf.grads(loss(conv2dIm2col))([x, w]);
        assertClose(gx.dataSync(), gxNative.dataSync(), 'input gradient', 1e-5, 1e-5);
        assertClose(gw.dataSync(), gwNative.dataSync(), 'filter gradient', 1e-5, 1e-5);
        assert.ok(tf.max(tf.abs(gw)).dataSync()[0] > 0.1, 'non-trivial gradients');
      });
    });
  }

  test('second derivatives (Hessian-vector products by double backprop) agree between the routes', () => {
    tf.tidy(() => {
      const x = tf.tensor4d(normals(2 * 5 * 5 * 2, 4), [2, 5, 5, 2]);
      const w = tf.tensor4d(normals(3 * 3 * 2 * 3, 5), [3, 3, 2, 3]);
      const v = tf.tensor4d(normals(3 * 3 * 2 * 3, 6), [3, 3, 2, 3]);
      for (const [strides, padding] of [[[1, 1], 'same'], [[2, 2], 'valid']] as [[number, number], ConvPadding][]) {
        // h(w) = sum tanh(conv(x, w))^2: the Hessian in w is not constant, so the check is not vacuous.
        const hvp = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) =>
          tf.grad((ww: tf.Tensor) => {
            const g = tf.grad((www: tf.Tensor) => tf.sum(tf.square(tf.tanh(conv(x, www as tf.Tensor4D)))))(ww);
            return tf.sum(tf.mul(g, v));
          })(w);
        const want = hvp((a, b) => tf.conv2d(a, b, strides, padding));
        const got = hvp((a, b) => conv2dIm2col(a, b, strides, padding));
        assertClose(got.dataSync(), want.dataSync(), `HVP ${strides.join('x')} ${padding}`, 1e-4, 1e-4);
      }
    });
  });

  test("extractPatches lays a patch out in the filter's (row, column, channel) order", () => {
    tf.tidy(() => {
      // 1 example, 3x3, 2 channels: value = 100 * channel + 10 * row + column.
      const vals = [];
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let ch = 0; ch < 2; ch++) vals.push(100 * ch + 10 * r + c);
      const x = tf.tensor4d(vals, [1, 3, 3, 2]);
      const p = extractPatches(x, [2, 2], [1, 1], 'valid');
      assert.deepEqual(p.shape, [1, 2, 2, 8]);
      // The patch at output (1, 0): rows 1-2, columns 0-1.
      assert.deepEqual(Array.from(p.slice([0, 1, 0, 0], [1, 1, 1, 8]).dataSync()), [10, 110, 11, 111, 20, 120, 21, 121]);
      // 'same' with a 2x2 window pads after (bottom/right) only, as TensorFlow does.
      const s = extractPatches(x, [2, 2], [1, 1], 'same');
      assert.deepEqual(Array.from(s.slice([0, 2, 2, 0], [1, 1, 1, 8]).dataSync()), [22, 122, 0, 0, 0, 0, 0, 0]);
    });
  });
});

describe('pooling', () => {
  test('pool2x2 = tf.maxPool / tf.avgPool (2x2, stride 2, valid), values and gradients, odd sizes cropped, ties', () => {
    tf.tidy(() => {
      for (const [shape, ties] of [[[2, 6, 6, 3], false], [[1, 5, 7, 2], false], [[2, 6, 6, 3], true]] as [Shape4, boolean][]) {
        // With ties: relu(z - 1) leaves most windows partly or entirely 0 (dead relu units); the
        // gradient must then go to one element per window, as tf.maxPool's does.
        const z = tf.tensor4d(normals(shape.reduce((a, b) => a * b), 8), shape);
        const x = ties ? tf.relu(tf.sub(z, 1)) as tf.Tensor4D : z;
        if (ties) assert.ok(tf.sum(tf.equal(x, 0)).dataSync()[0] > x.size / 2);
        const dyShape: Shape4 = [shape[0], Math.floor(shape[1] / 2), Math.floor(shape[2] / 2), shape[3]];
        const dy = tf.tensor4d(normals(dyShape.reduce((a, b) => a * b), 9), dyShape);
        for (const type of ['max', 'avg'] as const) {
          const ref = (a: tf.Tensor4D) => (type === 'max' ? tf.maxPool(a, 2, 2, 'valid') : tf.avgPool(a, 2, 2, 'valid'));
          assertClose(pool2x2(x, type).dataSync(), ref(x).dataSync(), `${type} [${shape}]${ties ? ' ties' : ''}`, 1e-6, 1e-7);
          const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool2x2(a as tf.Tensor4D, type), dy)))(x);
          const gRef = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(ref(a as tf.Tensor4D), dy)))(x);
          assertClose(g.dataSync(), gRef.dataSync(), `${type} gradient [${shape}]${ties ? ' ties' : ''}`, 1e-6, 1e-7);
        }
      }
    });
  });

  test('pool2x2 can be differentiated twice (tf.maxPool cannot: no MaxPoolGrad gradient)', () => {
    tf.tidy(() => {
      const x = tf.tensor4d(normals(16, 10), [1, 4, 4, 1]);
      const second = (pool: (a: tf.Tensor4D) => tf.Tensor) => tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.grad((b: tf.Tensor) => tf.sum(tf.square(pool(b as tf.Tensor4D))))(a))))(x);
      // d/dx sum (d/dx sum pool(x)^2)^2 = 8 * (max entries) at the argmax positions.
      const got = second((a) => pool2x2(a, 'max'));
      const vals = x.dataSync();
      const want = new Float32Array(16);
      for (let r = 0; r < 2; r++) {
        for (let c = 0; c < 2; c++) {
          const idx = [0, 1, 4, 5].map((o) => r * 8 + c * 2 + o);
          const best = idx.reduce((a, b) => (vals[b] > vals[a] ? b : a));
          want[best] = 8 * vals[best];
        }
      }
      assertClose(got.dataSync(), want, 'second derivative through max pooling', 1e-5, 1e-6);
      assert.throws(() => second((a) => tf.maxPool(a, 2, 2, 'valid')));
    });
  });
});

describe('CNN routes', () => {
  test("'auto' resolves to native where Conv2DBackpropFilter exists (cpu) and to im2col on wasm", () => {
    assert.equal(resolveConvRoute('auto', 'cpu'), 'native');
    assert.equal(resolveConvRoute('auto', 'wasm'), 'im2col');
    assert.equal(resolveConvRoute('im2col', 'cpu'), 'im2col');
    assert.equal(resolveConvRoute('native', 'wasm'), 'native');
  });

  test('native and im2col CNNs give the same loss and parameter gradients', () => {
    const spec = { conv: [{ filters: 4, kernelSize: 3 }, { filters: 6, kernelSize: 3, strides: 2 }], widths: [8] };
    const ctx = { inputShape: [10, 10, 1], outputSize: 5 };
    const native = makeModel({ type: 'cnn', convRoute: 'native', ...spec }, ctx);
    const im2col = makeModel({ type: 'cnn', convRoute: 'im2col', ...spec }, ctx);
    const params = native.init(3);
    const x = tf.tensor4d(normals(4 * 100, 11), [4, 10, 10, 1]);
    const y = tf.tensor1d(labels(4, 5, 12), 'int32');
    const a = lossAndGradients(native, params, x, (o) => perExampleLoss(native.loss, o, y));
    const b = lossAndGradients(im2col, params, x, (o) => perExampleLoss(im2col.loss, o, y));
    assertClose(b.loss.dataSync(), a.loss.dataSync(), 'loss', 1e-6, 1e-6);
    for (const n of Object.keys(params)) assertClose(b.grads[n].dataSync(), a.grads[n].dataSync(), `grads[${n}]`, 1e-4, 1e-6);
    tf.dispose([x, y, a.loss, b.loss, ...Object.values(a.grads), ...Object.values(b.grads), ...Object.values(params)]);
  });
});
