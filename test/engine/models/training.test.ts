// A few full-batch SGD steps reduce the loss of every model family on a tiny dataset of the
// engine's own synthetic sets; a symmetric ('equal') initialization stays symmetric.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gaussianClusters, lowRank, type Dataset } from '../../../engine/src/data';
import { lossAndGradients, makeModel, perExampleLoss, type Model } from '../../../engine/src/models';
import type { Params } from '../../../engine/src/optim/types';
import { normals, useBackend } from './helpers';

before(() => useBackend('cpu'));

function tensors(ds: Dataset): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.tensor(ds.x, [ds.n, ...ds.xShape]);
  const y = ds.y instanceof Int32Array ? tf.tensor1d(ds.y, 'int32') : tf.tensor(ds.y, [ds.n, ...ds.yShape]);
  return { x, y };
}

/** Full-batch gradient descent; returns the loss before each step and after the last. */
function sgd(m: Model, params: Params, x: tf.Tensor, y: tf.Tensor, lr: number, steps: number): { losses: number[]; params: Params } {
  const losses: number[] = [];
  for (let k = 0; k <= steps; k++) {
    const r = lossAndGradients(m, params, x, (o) => perExampleLoss(m.loss, o, y));
    losses.push(r.loss.dataSync()[0]);
    if (k < steps) {
      const next = tf.tidy(() => Object.fromEntries(Object.entries(params).map(([n, p]) => [n, tf.sub(p, tf.mul(r.grads[n], lr))])));
      tf.dispose(Object.values(params));
      params = next;
    }
    tf.dispose([r.loss, ...Object.values(r.grads)]);
  }
  return { losses, params };
}

const cases: { name: string; data: () => Dataset; model: (ds: Dataset) => Model; lr: number; steps: number; factor: number }[] = [
  {
    name: 'mlp 8-16-3 (relu) on Gaussian clusters',
    data: () => gaussianClusters({ classes: 3, dim: 8, trainSize: 96, testSize: 0, seed: 1 }).train,
    model: (ds) => makeModel({ type: 'mlp', widths: [16] }, { inputShape: ds.xShape, outputSize: 3 }),
    lr: 0.5,
    steps: 20,
    factor: 0.3,
  },
  {
    name: 'mlp 8-16-16-2 (tanh) regression on a low-rank linear map',
    data: () => lowRank({ dim: 8, rank: 2, target: 'linear', outputDim: 2, trainSize: 96, seed: 2 }).train,
    model: (ds) => makeModel({ type: 'mlp', widths: [16, 16], activation: 'tanh', task: 'regression' }, { inputShape: ds.xShape, outputSize: 2 }),
    lr: 0.1,
    steps: 20,
    factor: 0.1,
  },
  {
    name: 'autoencoder 64-32-8-32-64 (tanh) on low-rank data (E3 shape)',
    data: () => lowRank({ dim: 64, rank: 8, trainSize: 128, seed: 3 }).train,
    model: (ds) => makeModel({ type: 'autoencoder' }, { inputShape: ds.xShape }),
    lr: 0.02,
    steps: 20,
    factor: 0.6,
  },
  {
    name: 'cnn 8x8 (conv-relu-maxpool x2) on 64-d clusters read as 8x8 images',
    data: () => gaussianClusters({ classes: 4, dim: 64, trainSize: 32, testSize: 0, seed: 4 }).train,
    model: (ds) => makeModel({ type: 'cnn' }, { inputShape: ds.xShape, outputSize: 4 }),
    lr: 0.1,
    steps: 10,
    factor: 0.5,
  },
  {
    name: 'cnn with strided convolutions (im2col route)',
    data: () => gaussianClusters({ classes: 4, dim: 64, trainSize: 32, testSize: 0, seed: 5 }).train,
    model: (ds) =>
      makeModel({ type: 'cnn', pool: 'none', convRoute: 'im2col', conv: [{ filters: 6, kernelSize: 3, strides: 2 }, { filters: 8, kernelSize: 3, strides: 2 }] }, { inputShape: ds.xShape, outputSize: 4 }),
    lr: 0.2,
    steps: 10,
    factor: 0.6,
  },
  {
    name: 'relu2 (m = 512) on unit inputs in R^4',
    data: () => {
      const n = 16;
      const x = normals(n * 4, 41);
      for (let i = 0; i < n; i++) {
        const s = Math.hypot(...x.subarray(i * 4, i * 4 + 4));
        for (let k = 0; k < 4; k++) x[i * 4 + k] /= s;
      }
      return { x, y: normals(n, 42), n, xShape: [4], yShape: [1] };
    },
    model: () => makeModel({ type: 'relu2', width: 512 }, { inputShape: [4] }),
    lr: 2,
    steps: 20,
    factor: 0.4,
  },
];

for (const c of cases) {
  test(`SGD reduces the loss: ${c.name}`, () => {
    const ds = c.data();
    const m = c.model(ds);
    const { x, y } = tensors(ds);
    const { losses, params } = sgd(m, m.init(0), x, y, c.lr, c.steps);
    tf.dispose([x, y, ...Object.values(params)]);
    assert.ok(losses.every(Number.isFinite), `finite losses: ${losses}`);
    const [first, last] = [losses[0], losses[losses.length - 1]];
    assert.ok(last < c.factor * first, `loss ${first.toFixed(4)} -> ${last.toFixed(4)} after ${c.steps} steps (want < ${c.factor}x)`);
  });
}

test("'equal' initialization: every hidden unit stays identical under SGD (the symmetry never breaks)", () => {
  const ds = gaussianClusters({ classes: 3, dim: 8, trainSize: 48, testSize: 0, seed: 6 }).train;
  const m = makeModel({ type: 'mlp', widths: [5], activation: 'tanh', init: 'equal' }, { inputShape: [8], outputSize: 3 });
  const { x, y } = tensors(ds);
  const { losses, params } = sgd(m, m.init(0), x, y, 0.5, 5);
  const w = params['dense1/w'].arraySync() as number[][];
  assert.ok(losses[5] !== losses[0], 'the parameters moved');
  for (const row of w) assert.ok(row.every((v) => Math.abs(v - row[0]) <= 1e-6 * Math.max(1, Math.abs(row[0]))), `identical hidden units: ${row}`);
  tf.dispose([x, y, ...Object.values(params)]);
});
