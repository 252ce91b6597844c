// The 2-layer ReLU regression net of science-spec section 6: f(x) = (1/sqrt(m)) sum_r a_r
// relu(w_r^T x), fixed a_r in {-1, +1}, w_r ~ N(0, nu^2 I).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Relu2Model, infiniteWidthGram, lossAndGradients, makeModel } from '../../../engine/src/models';
import { assertClose, normals, useBackend } from './helpers';

before(() => useBackend('cpu'));

test('the output matches a hand computation', () => {
  const m = new Relu2Model({ inputSize: 2, width: 4, signSeed: 1 });
  const a = Array.from(m.signs);
  assert.ok(a.every((s) => s === 1 || s === -1), `signs ${a}`);
  // Columns w_1..w_4 = (1, 0.5), (-1, 1), (0.5, -2), (2, -1).
  const w = tf.tensor2d([
    [1, -1, 0.5, 2],
    [0.5, 1, -2, -1],
  ]);
  const x = tf.tensor2d([
    [0.6, 0.8],
    [1, 0],
  ]);
  const u = tf.tidy(() => m.forward({ 'hidden/w': w }, x).output.dataSync());
  // x1: w^T x = 1.0, 0.2, -1.3 (relu 0), 0.4;  x2: 1, -1 (relu 0), 0.5, 2;  1/sqrt(4) = 0.5.
  const want = [0.5 * (a[0] * 1.0 + a[1] * 0.2 + a[3] * 0.4), 0.5 * (a[0] * 1 + a[2] * 0.5 + a[3] * 2)];
  assertClose(u, want, 'f(x)', 1e-6, 1e-7);
  tf.dispose([w, x]);
});

test('signs are fixed by signSeed (not by init), balanced in expectation; init is N(0, nu^2)', () => {
  const m1 = new Relu2Model({ inputSize: 3, width: 4000, nu: 0.5 });
  const m2 = new Relu2Model({ inputSize: 3, width: 4000, nu: 0.5 });
  const m3 = new Relu2Model({ inputSize: 3, width: 4000, nu: 0.5, signSeed: 9 });
  assert.deepEqual(m1.signs, m2.signs);
  assert.notDeepEqual(m1.signs, m3.signs);
  const plus = m1.signs.filter((s) => s === 1).length;
  assert.ok(Math.abs(plus - 2000) < 150, `${plus} of 4000 are +1`);
  const p = m1.init(1);
  const w = Array.from(p['hidden/w'].dataSync());
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - 0.5) < 0.01, `std ${std}`);
  tf.dispose(Object.values(p));
});

test('the Gram matrix J J^T from the layer taps approaches the infinite-width Gram G^inf at large m', () => {
  const n = 6;
  const d = 4;
  const xs = normals(n * d, 31);
  for (let i = 0; i < n; i++) {
    const norm = Math.hypot(...xs.subarray(i * d, (i + 1) * d));
    for (let k = 0; k < d; k++) xs[i * d + k] /= norm;
  }
  const gInf = infiniteWidthGram(xs, n, d);
  // Unit inputs: G^inf_ii = 1/2, and the off-diagonal entries follow x_i^T x_j (pi - arccos)/(2 pi).
  for (let i = 0; i < n; i++) assert.ok(Math.abs(gInf[i * n + i] - 0.5) < 1e-6, 'G^inf_ii = 1/2');
  const m = makeModel({ type: 'relu2', width: 8192 }, { inputShape: [d] });
  const params = m.init(3);
  const x = tf.tensor2d(xs, [n, d]);
  // Per-example gradients of u_i: taps with the "loss" sum_i u_i give g_i = du_i/ds_i, and
  // du_i/dW = x_i g_i^T, so (J J^T)_ij = (x_i^T x_j)(g_i^T g_j).
  const r = lossAndGradients(m, params, x, (out) => tf.reshape(out, [n]), { taps: true });
  const g = r.layerStats!.hidden.outputGrads.dataSync();
  const width = 8192;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let xx = 0;
      for (let k = 0; k < d; k++) xx += xs[i * d + k] * xs[j * d + k];
      let gg = 0;
      for (let q = 0; q < width; q++) gg += g[i * width + q] * g[j * width + q];
      gram[i * n + j] = xx * gg;
    }
  }
  let worst = 0;
  for (let k = 0; k < n * n; k++) worst = Math.max(worst, Math.abs(gram[k] - gInf[k]));
  assert.ok(worst < 0.03, `max |J J^T - G^inf| = ${worst}`);
  assert.ok(gInf.some((v, k) => k % (n + 1) !== 0 && Math.abs(v) > 0.05), 'the check covers non-trivial off-diagonal entries');
  tf.dispose([x, r.loss, ...Object.values(r.grads), r.layerStats!.hidden.inputs, r.layerStats!.hidden.outputGrads, ...Object.values(params)]);
});
