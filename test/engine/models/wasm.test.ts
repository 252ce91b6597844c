// Convolutional training on the wasm backend, which has no Conv2DBackpropFilter kernel: 'auto'
// takes the im2col route there, its loss and gradients match the native route on cpu, and SGD
// steps run and reduce the loss; second derivatives agree too. (The native route cannot compute
// the filter gradient on wasm.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lossAndGradients, makeModel, perExampleLoss, resolveConvRoute, type Model } from '../../../engine/src/models';
import type { Params } from '../../../engine/src/optim/types';
import { assertClose, labels, normals, relError, useBackend } from './helpers';

const B = 16;
const spec = { type: 'cnn', conv: [{ filters: 4, kernelSize: 3 }, { filters: 8, kernelSize: 3, strides: 2 }], widths: [16] };
const ctx = { inputShape: [8, 8, 1], outputSize: 4 };
const xData = normals(B * 64, 21);
const yData = labels(B, 4, 22);

/** A Hessian-vector product (double backprop) of the mean loss, v = a fixed seeded direction. */
function hvp(m: Model, params: Params): Float32Array {
  return tf.tidy(() => {
    const names = Object.keys(m.paramShapes);
    const x = tf.tensor4d(xData, [B, 8, 8, 1]);
    const y = tf.tensor1d(yData, 'int32');
    const v = names.map((n, i) => tf.tensor(normals(params[n].size, 30 + i), params[n].shape));
    const grad = (ps: tf.Tensor[]) =>
      tf.grads((...a: tf.Tensor[]) => tf.mean(perExampleLoss(m.loss, m.forward(Object.fromEntries(names.map((n, i) => [n, a[i]])), x).output, y)))(ps);
    const hv = tf.grads((...a: tf.Tensor[]) => tf.addN(grad(a).map((g, i) => tf.sum(tf.mul(g, v[i])))) as tf.Scalar)(names.map((n) => params[n]));
    return Float32Array.from(hv.flatMap((t) => Array.from(t.dataSync())));
  });
}

function run(m: Model, params: Params): { loss: number; grads: Record<string, Float32Array> } {
  const x = tf.tensor4d(xData, [B, 8, 8, 1]);
  const y = tf.tensor1d(yData, 'int32');
  const r = lossAndGradients(m, params, x, (o) => perExampleLoss(m.loss, o, y));
  const out = { loss: r.loss.dataSync()[0], grads: Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, g.dataSync() as Float32Array])) };
  tf.dispose([x, y, r.loss, ...Object.values(r.grads)]);
  return out;
}

test('wasm: the CNN trains through the im2col route and agrees with the native route on cpu', async () => {
  await useBackend('cpu');
  const m = makeModel(spec, ctx);
  const p = m.init(5);
  const init = Object.fromEntries(Object.entries(p).map(([k, t]) => [k, { data: t.dataSync().slice(), shape: t.shape }]));
  const reference = run(m, p);
  const referenceHvp = hvp(m, p);
  tf.dispose(Object.values(p));

  await useBackend('wasm');
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined, 'this is the defect the route works around');
  assert.equal(resolveConvRoute('auto'), 'im2col');
  let params: Params = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
  const first = run(m, params);
  assertClose([first.loss], [reference.loss], 'loss: wasm/im2col vs cpu/native', 1e-5, 1e-6);
  for (const k of Object.keys(reference.grads)) assertClose(first.grads[k], reference.grads[k], `grads[${k}]: wasm/im2col vs cpu/native`, 1e-3, 1e-5);
  // Second order too (curvature-vector products): double backprop through im2col, pooling and
  // the cross-entropy on wasm.
  const wasmHvp = hvp(m, params);
  assert.ok(relError(wasmHvp, referenceHvp) < 1e-3, `HVP wasm/im2col vs cpu/native: relative error ${relError(wasmHvp, referenceHvp)}`);

  // The native route fails on wasm exactly where expected: the filter gradient.
  const native = makeModel({ ...spec, convRoute: 'native' }, ctx);
  assert.throws(() => run(native, params), /Conv2DBackpropFilter/);

  // SGD steps run and reduce the loss.
  const losses: number[] = [];
  const x = tf.tensor4d(xData, [B, 8, 8, 1]);
  const y = tf.tensor1d(yData, 'int32');
  for (let step = 0; step < 15; step++) {
    const r = lossAndGradients(m, params, x, (o) => perExampleLoss(m.loss, o, y));
    losses.push(r.loss.dataSync()[0]);
    const next = tf.tidy(() => Object.fromEntries(Object.entries(params).map(([k, w]) => [k, tf.sub(w, tf.mul(r.grads[k], 0.1))])));
    tf.dispose([r.loss, ...Object.values(r.grads), ...Object.values(params)]);
    params = next;
  }
  tf.dispose([x, y, ...Object.values(params)]);
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses[losses.length - 1] < 0.7 * losses[0], `loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}`);
});
