// Second derivatives through every model family: Hessian-vector products by double backprop
// (what curvature-vector products for K-FAC's quadratic model and CG natural gradient rely on)
// match central finite differences of the gradient. tfjs gets several of these silently wrong
// without the engine's gradient corrections (docs/engine-notes.md, defect 2), so each model is checked.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeModel, perExampleLoss, type Model } from '../../../engine/src/models';
import type { Params } from '../../../engine/src/optim/types';
import { labels, normals, relError, useBackend } from './helpers';

before(() => useBackend('cpu'));

const B = 3;

const cases: [string, () => Model][] = [
  ['mlp (tanh, sigmoid, softplus), softmax cross-entropy', () => makeModel({ type: 'mlp', widths: [5, 4, 4], activation: ['tanh', 'sigmoid', 'softplus'] }, { inputShape: [4], outputSize: 3 })],
  ['autoencoder (tanh), sigmoid cross-entropy', () => makeModel({ type: 'autoencoder', widths: [4, 2, 4], loss: 'sigmoid-cross-entropy' }, { inputShape: [5] })],
  ['mlp (sigmoid) regression', () => makeModel({ type: 'mlp', widths: [6], activation: 'sigmoid', task: 'regression' }, { inputShape: [4], outputSize: 2 })],
  // ReLU models: the Hessian is piecewise smooth in the parameters; small steps stay on one piece.
  ['cnn, native route (relu, max pooling)', () => makeModel({ type: 'cnn', convRoute: 'native', conv: [{ filters: 2 }, { filters: 3 }] }, { inputShape: [4, 4, 1], outputSize: 3 })],
  ['cnn, im2col route (relu, max pooling)', () => makeModel({ type: 'cnn', convRoute: 'im2col', conv: [{ filters: 2 }, { filters: 3 }] }, { inputShape: [4, 4, 1], outputSize: 3 })],
  ['cnn (tanh, avg pooling, strided)', () => makeModel({ type: 'cnn', activation: 'tanh', pool: 'avg', conv: [{ filters: 3, strides: 2 }] }, { inputShape: [6, 6, 1], outputSize: 2 })],
];

for (const [name, make] of cases) {
  test(`${name}: Hessian-vector product by double backprop = finite differences of the gradient`, () => {
    const m = make();
    const names = Object.keys(m.paramShapes);
    const d = m.inputShape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(normals(B * d, 1), [B, ...m.inputShape]);
    const y =
      m.loss === 'softmax-cross-entropy'
        ? tf.tensor1d(labels(B, m.outputSize, 2), 'int32')
        : tf.tensor2d(
            Float32Array.from(normals(B * m.outputSize, 3), (v) => (m.loss === 'sigmoid-cross-entropy' ? 1 / (1 + Math.exp(-v)) : v)),
            [B, m.outputSize],
          );
    const params = m.init(4);
    const v = Object.fromEntries(names.map((n, i) => [n, tf.tensor(normals(params[n].size, 10 + i), params[n].shape)]));
    const lossAt = (ps: tf.Tensor[]): tf.Scalar => {
      const p: Params = Object.fromEntries(names.map((n, i) => [n, ps[i]]));
      return tf.mean(perExampleLoss(m.loss, m.forward(p, x).output, y));
    };
    const gradAt = (ps: tf.Tensor[]): tf.Tensor[] => tf.grads((...a: tf.Tensor[]) => lossAt(a))(ps);
    // Hv = d/dtheta <grad(theta), v>.
    const hv = tf.tidy(() => tf.grads((...a: tf.Tensor[]) => tf.addN(gradAt(a).map((g, i) => tf.sum(tf.mul(g, v[names[i]])))) as tf.Scalar)(names.map((n) => params[n])));
    const eps = 1e-3;
    const fd = tf.tidy(() => {
      const shifted = (s: number) => gradAt(names.map((n) => tf.add(params[n], tf.mul(v[n], s))));
      const plus = shifted(eps);
      const minus = shifted(-eps);
      return plus.map((g, i) => tf.div(tf.sub(g, minus[i]), 2 * eps));
    });
    const flat = (ts: tf.Tensor[]) => Float64Array.from(ts.flatMap((t) => Array.from(t.dataSync())));
    const [a, b] = [flat(hv), flat(fd)];
    const err = relError(a, b);
    assert.ok(b.some((q) => Math.abs(q) > 1e-2), 'a non-trivial Hessian-vector product');
    assert.ok(err < 2e-2, `relative error ${err.toExponential(2)}`);
    tf.dispose([x, y, ...hv, ...fd, ...Object.values(params), ...Object.values(v)]);
  });
}
