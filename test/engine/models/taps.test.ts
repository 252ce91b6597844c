// Layer taps, the contract K-FAC and KFC rely on: the tapped inputs are the previous layer's
// activations, the gradient with respect to a zero perturbation of a pre-activation is the
// derivative of the loss with respect to that pre-activation (checked by finite differences),
// and the weight gradient is inputs^T x pre-activation gradients summed over the batch (and,
// for convolutions, over the output locations, with extractPatches' patches as inputs).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  activate,
  disposeGradientsResult,
  extractPatches,
  lossAndGradients,
  makeModel,
  perExampleLoss,
  pool2x2,
  type ActivationName,
  type Relu2Model,
  type Model,
} from '../../../engine/src/models';
import type { Params } from '../../../engine/src/optim/types';
import { assertClose, labels, normals, useBackend, values } from './helpers';

before(() => useBackend('cpu'));

/** The summed loss with `delta` added at one entry of one layer's pre-activation. */
function perturbedLoss(m: Model, params: Params, x: tf.Tensor, y: tf.Tensor, layer: string, entry: number, delta: number): number {
  return tf.tidy(() => {
    const l = m.layers.find((q) => q.name === layer)!;
    const shape = [x.shape[0], ...l.outputShape];
    const p = new Float32Array(shape.reduce((a, b) => a * b, 1));
    p[entry] = delta;
    const out = m.forward(params, x, { perturb: { [layer]: tf.tensor(p, shape) } }).output;
    return tf.sum(perExampleLoss(m.loss, out, y)).dataSync()[0];
  });
}

/** Central finite differences of the summed loss at the given pre-activation entries. */
function finiteDifferences(m: Model, params: Params, x: tf.Tensor, y: tf.Tensor, layer: string, entries: number[], h = 1e-2): number[] {
  return entries.map((e) => (perturbedLoss(m, params, x, y, layer, e, h) - perturbedLoss(m, params, x, y, layer, e, -h)) / (2 * h));
}

/** a^T g (a: n x p, g: n x q, row-major) in float64. */
function atb(a: ArrayLike<number>, g: ArrayLike<number>, n: number, p: number, q: number): Float64Array {
  const out = new Float64Array(p * q);
  for (let r = 0; r < n; r++) for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) out[i * q + j] += a[r * p + i] * g[r * q + j];
  return out;
}

function columnSums(g: ArrayLike<number>, n: number, q: number): Float64Array {
  const out = new Float64Array(q);
  for (let r = 0; r < n; r++) for (let j = 0; j < q; j++) out[j] += g[r * q + j];
  return out;
}

function spread(count: number, size: number): number[] {
  return Array.from({ length: count }, (_, k) => Math.floor(((k + 0.5) * size) / count));
}

describe('dense layers (MLP with tanh, softplus and sigmoid hidden layers)', () => {
  for (const task of ['classification', 'regression'] as const) {
    test(`${task}: taps, pre-activation gradients (finite differences) and dL/dW = a^T g`, () => {
      const B = 4;
      const acts: ActivationName[] = ['tanh', 'softplus', 'sigmoid'];
      const m = makeModel({ type: 'mlp', widths: [6, 5, 4], activation: acts, task, init: 'glorot-normal' }, { inputShape: [3], outputSize: 3 });
      const params = m.init(11);
      const x = tf.tensor2d(normals(B * 3, 1), [B, 3]);
      const y = task === 'classification' ? tf.tensor1d(labels(B, 3, 2), 'int32') : tf.tensor2d(normals(B * 3, 3), [B, 3]);

      // 1. Taps: inputs are the previous layer's activations (the data for the first layer),
      //    pre-activations are a W + b, and the output is the last (linear) pre-activation.
      const fwd = m.forward(params, x, { tap: true });
      let a = values(x);
      m.layers.forEach((l, i) => {
        const t = fwd.taps![l.name];
        assertClose(t.inputs.dataSync(), a, `${l.name} inputs = previous activations`, 1e-6, 1e-7);
        const s = tf.tidy(() => tf.add(tf.matMul(t.inputs as tf.Tensor2D, params[l.weight] as tf.Tensor2D), params[l.bias!]));
        assertClose(t.preactivations.dataSync(), s.dataSync(), `${l.name} pre-activation`, 1e-6, 1e-7);
        const next = i < acts.length ? tf.tidy(() => activate(acts[i], s)) : s.clone();
        a = values(next);
        tf.dispose([s, next]);
      });
      assertClose(fwd.output.dataSync(), a, 'output = the last pre-activation', 1e-6, 1e-7);

      // 2. One pass gives the loss, the parameter gradients and the layer statistics.
      const r = lossAndGradients(m, params, x, (out) => perExampleLoss(m.loss, out, y), { taps: true });
      const direct = tf.tidy(() => {
        const names = Object.keys(m.paramShapes);
        const gs = tf.grads((...ps: tf.Tensor[]) => {
          const p: Params = {};
          names.forEach((n, i) => (p[n] = ps[i]));
          return tf.mean(perExampleLoss(m.loss, m.forward(p, x).output, y));
        })(names.map((n) => params[n]));
        return Object.fromEntries(names.map((n, i) => [n, gs[i]]));
      });
      for (const n of Object.keys(m.paramShapes)) assertClose(r.grads[n].dataSync(), direct[n].dataSync(), `grads[${n}] = plain backprop`, 1e-5, 1e-7);
      assert.equal(r.loss.dataSync()[0], tf.tidy(() => tf.mean(perExampleLoss(m.loss, fwd.output, y)).dataSync()[0]));

      for (const l of m.layers) {
        const tap = r.layerStats![l.name];
        assert.deepEqual([tap.kind, tap.weight, tap.bias], ['dense', l.weight, l.bias]);
        assertClose(tap.inputs.dataSync(), fwd.taps![l.name].inputs.dataSync(), `${l.name} tap inputs`, 0, 0);
        // 3. outputGrads = d(summed loss)/d(pre-activation), entry by entry (finite differences).
        const g = values(tap.outputGrads);
        const entries = Array.from({ length: g.length }, (_, k) => k);
        const fd = finiteDifferences(m, params, x, y, l.name, entries);
        assertClose(g, fd, `${l.name}: gradient at the perturbation vs finite differences`, 2e-2, 2e-3);
        assert.ok(g.some((v) => Math.abs(v) > 1e-2), `${l.name}: non-trivial gradients`);
        // 4. The K-FAC identity: dL/dW = a^T g / B (mean loss), dL/db = sum_rows(g) / B.
        const [inn, out] = m.paramShapes[l.weight];
        const w = atb(tap.inputs.dataSync(), g, B, inn, out).map((v) => v / B);
        assertClose(r.grads[l.weight].dataSync(), w, `${l.name}: dL/dW = a^T g / B`, 1e-5, 1e-7);
        assertClose(r.grads[l.bias!].dataSync(), columnSums(g, B, out).map((v) => v / B), `${l.name}: dL/db = sum g / B`, 1e-5, 1e-7);
      }
      disposeGradientsResult(r);
      tf.dispose([x, y, fwd.output, ...Object.values(fwd.taps!).flatMap((t) => [t.inputs, t.preactivations]), ...Object.values(params), ...Object.values(direct)]);
    });
  }

  test('autoencoder (sigmoid cross-entropy): the same identities through the linear code layer', () => {
    const B = 3;
    const m = makeModel({ type: 'autoencoder', widths: [5, 2, 5], loss: 'sigmoid-cross-entropy', init: 'sparse(3)' }, { inputShape: [6] });
    const params = m.init(4);
    const x = tf.tensor2d(Float32Array.from(normals(B * 6, 9), (v) => 1 / (1 + Math.exp(-v))), [B, 6]);
    const r = lossAndGradients(m, params, x, (out) => perExampleLoss(m.loss, out, x), { taps: true });
    for (const l of m.layers) {
      const g = values(r.layerStats![l.name].outputGrads);
      const entries = spread(8, g.length);
      const fd = finiteDifferences(m, params, x, x, l.name, entries);
      assertClose(entries.map((e) => g[e]), fd, `${l.name} vs finite differences`, 2e-2, 2e-3);
      const [inn, out] = m.paramShapes[l.weight];
      assertClose(r.grads[l.weight].dataSync(), atb(r.layerStats![l.name].inputs.dataSync(), g, B, inn, out).map((v) => v / B), `${l.name}: a^T g / B`, 1e-5, 1e-7);
    }
    disposeGradientsResult(r);
    tf.dispose([x, ...Object.values(params)]);
  });
});

test('taps without parameter gradients (K-FAC\'s sampled pass) are the same taps, with no gradients', () => {
  const B = 3;
  const m = makeModel({ type: 'autoencoder', widths: [5, 2, 5] }, { inputShape: [6] });
  const params = m.init(4);
  const x = tf.tensor2d(normals(B * 6, 3), [B, 6]);
  const full = lossAndGradients(m, params, x, (out) => perExampleLoss(m.loss, out, x), { taps: true });
  const only = lossAndGradients(m, params, x, (out) => perExampleLoss(m.loss, out, x), { taps: true, paramGrads: false });
  assert.deepEqual(Object.keys(only.grads), []);
  assert.equal(only.loss.dataSync()[0], full.loss.dataSync()[0]);
  for (const l of m.layers) {
    assert.deepEqual(values(only.layerStats![l.name].outputGrads), values(full.layerStats![l.name].outputGrads), l.name);
    assert.deepEqual(values(only.layerStats![l.name].inputs), values(full.layerStats![l.name].inputs), l.name);
  }
  assert.throws(() => lossAndGradients(m, params, x, (out) => perExampleLoss(m.loss, out, x), { paramGrads: false }), /paramGrads false needs taps/);
  disposeGradientsResult(full);
  disposeGradientsResult(only);
  tf.dispose([x, ...Object.values(params)]);
});

describe('conv layers (the default CNN, both convolution routes)', () => {
  for (const convRoute of ['native', 'im2col'] as const) {
    test(`${convRoute}: conv taps, finite differences and dL/dW = patches^T g summed over locations`, () => {
      const B = 2;
      const m = makeModel({ type: 'cnn', convRoute, widths: [6], conv: [{ filters: 3, kernelSize: 3 }, { filters: 4, kernelSize: 2, strides: 2, padding: 'valid' }] }, { inputShape: [9, 9, 2], outputSize: 3 });
      const params = m.init(5);
      const x = tf.tensor4d(normals(B * 162, 4), [B, 9, 9, 2]);
      const y = tf.tensor1d(labels(B, 3, 5), 'int32');
      const r = lossAndGradients(m, params, x, (out) => perExampleLoss(m.loss, out, y), { taps: true });
      const fwd = m.forward(params, x, { tap: true });
      // conv2's input is the pooled relu of conv1's pre-activation.
      tf.tidy(() => {
        const a1 = pool2x2(tf.relu(fwd.taps!.conv1.preactivations) as tf.Tensor4D, 'max');
        assertClose(fwd.taps!.conv2.inputs.dataSync(), a1.dataSync(), 'conv2 inputs = maxpool(relu(conv1))', 0, 0);
        assertClose(fwd.taps!.conv1.inputs.dataSync(), x.dataSync(), 'conv1 inputs = the data', 0, 0);
      });
      for (const l of m.layers.filter((q) => q.kind === 'conv2d')) {
        const tap = r.layerStats![l.name];
        assert.deepEqual(tap.conv, l.conv);
        assert.deepEqual(tap.inputs.shape, [B, ...l.inputShape]);
        assert.deepEqual(tap.outputGrads.shape, [B, ...l.outputShape]);
        const g = values(tap.outputGrads);
        const entries = spread(12, g.length);
        const fd = finiteDifferences(m, params, x, y, l.name, entries);
        assertClose(entries.map((e) => g[e]), fd, `${l.name}: gradient at the perturbation vs finite differences`, 2e-2, 2e-3);
        // KFC's identity: with the patches of the layer's input (extractPatches, the filter's order),
        // dL/dW' = sum over examples and locations of patch^T g, / B.
        const [kh, kw, cin, cout] = m.paramShapes[l.weight];
        const patches = extractPatches(tap.inputs as tf.Tensor4D, l.conv!.kernelSize, l.conv!.strides, l.conv!.padding);
        const rows = B * l.outputShape[0] * l.outputShape[1];
        const want = atb(patches.dataSync(), g, rows, kh * kw * cin, cout).map((v) => v / B);
        assertClose(r.grads[l.weight].dataSync(), want, `${l.name}: dL/dW = patches^T g / B`, 1e-4, 1e-6);
        assertClose(r.grads[l.bias!].dataSync(), columnSums(g, rows, cout).map((v) => v / B), `${l.name}: dL/db`, 1e-4, 1e-6);
        patches.dispose();
      }
      disposeGradientsResult(r);
      tf.dispose([x, y, fwd.output, ...Object.values(fwd.taps!).flatMap((t) => [t.inputs, t.preactivations]), ...Object.values(params)]);
    });
  }
});

test('relu2: the tap gradient is (u - y) a_r / sqrt(m) 1{w_r^T x > 0} per example', () => {
  const m = makeModel({ type: 'relu2', width: 16, signSeed: 3 }, { inputShape: [3] });
  const signs = (m as Relu2Model).signs;
  const params = m.init(2);
  const B = 5;
  const x = tf.tensor2d(normals(B * 3, 6), [B, 3]);
  const y = tf.tensor2d(normals(B, 7), [B, 1]);
  const r = lossAndGradients(m, params, x, (out) => perExampleLoss(m.loss, out, y), { taps: true });
  const tap = r.layerStats!.hidden;
  assert.equal(tap.bias, undefined);
  const [u, yy, s] = tf.tidy(() => [m.forward(params, x).output.dataSync(), y.dataSync(), tf.matMul(x, params['hidden/w'] as tf.Tensor2D).dataSync()]);
  const want = new Float64Array(B * 16);
  for (let i = 0; i < B; i++) for (let k = 0; k < 16; k++) want[i * 16 + k] = s[i * 16 + k] > 0 ? ((u[i] - yy[i]) * signs[k]) / 4 : 0;
  assertClose(tap.outputGrads.dataSync(), want, 'hand formula', 1e-5, 1e-7);
  assertClose(tap.inputs.dataSync(), x.dataSync(), 'inputs = x', 0, 0);
  disposeGradientsResult(r);
  tf.dispose([x, y, ...Object.values(params)]);
});
