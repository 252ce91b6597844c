// Tensor memory: 200 forward/backward steps (with layer taps, as K-FAC runs them) and SGD
// updates keep tf.memory().numTensors flat for every model family. A leak of one tensor per step
// anywhere in forward, the taps or lossAndGradients fails.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { disposeGradientsResult, lossAndGradients, makeModel, perExampleLoss, type Model } from '../../../engine/src/models';
import type { Params } from '../../../engine/src/optim/types';
import { labels, normals, useBackend } from './helpers';

before(() => useBackend('cpu'));

const STEPS = 200;

const cases: [string, () => Model, 'classes' | 'regression'][] = [
  ['mlp (tanh, softplus)', () => makeModel({ type: 'mlp', widths: [8, 8], activation: ['tanh', 'softplus'] }, { inputShape: [6], outputSize: 3 }), 'classes'],
  ['cnn, native route', () => makeModel({ type: 'cnn', convRoute: 'native', conv: [{ filters: 2 }, { filters: 3 }] }, { inputShape: [4, 4, 1], outputSize: 3 }), 'classes'],
  ['cnn, im2col route, strided, no pooling', () => makeModel({ type: 'cnn', convRoute: 'im2col', pool: 'none', conv: [{ filters: 2, strides: 2 }] }, { inputShape: [4, 4, 1], outputSize: 3 }), 'classes'],
  ['autoencoder', () => makeModel({ type: 'autoencoder', widths: [4, 2, 4] }, { inputShape: [6] }), 'regression'],
  ['relu2', () => makeModel({ type: 'relu2', width: 16 }, { inputShape: [6] }), 'regression'],
];

for (const [name, make, kind] of cases) {
  test(`${name}: ${STEPS} tapped forward/backward steps keep the tensor count flat`, () => {
    const baseline = tf.memory().numTensors;
    const m = make();
    const B = 4;
    const d = m.inputShape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(normals(B * d, 1), [B, ...m.inputShape]);
    const y = kind === 'classes' ? tf.tensor1d(labels(B, m.outputSize, 2), 'int32') : tf.tensor2d(normals(B * m.outputSize, 3), [B, m.outputSize]);
    let params: Params = m.init(0);
    let flat = -1;
    for (let k = 0; k < STEPS; k++) {
      const r = lossAndGradients(m, params, x, (o) => perExampleLoss(m.loss, o, y), { taps: true });
      // A plain tapped forward whose results are freed by a tidy, as an evaluation would.
      tf.tidy(() => {
        const f = m.forward(params, x, { tap: true });
        return f.output.shape[0] === B ? undefined : f.output;
      });
      const next = tf.tidy(() => Object.fromEntries(Object.entries(params).map(([n, p]) => [n, tf.sub(p, tf.mul(r.grads[n], 0.01))])));
      disposeGradientsResult(r);
      tf.dispose(Object.values(params));
      params = next;
      const now = tf.memory().numTensors;
      if (k === 0) flat = now;
      else assert.equal(now, flat, `step ${k + 1}: ${now} tensors, ${flat} after the first step`);
    }
    tf.dispose([x, y, ...Object.values(params)]);
    assert.equal(tf.memory().numTensors, baseline, 'nothing left once the parameters and data are disposed');
  });
}
