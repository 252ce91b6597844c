// Forward-mode Jacobian-vector products (Model.jvp, the R-operator): for every architecture and
// activation, the tangent equals the double-vjp J v (train/output-space.ts's fallback) to float32
// rounding and central finite differences of the output, and the output equals forward()'s.
// Tangents are validated against the parameters, absent ones are zero, outputSpace routes J v
// through model.jvp when the model has one (and falls back otherwise), and nothing leaks.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, makeModel, SequentialModel, type Model } from '../../../engine/src/models';
import type { Params } from '../../../engine/src/optim/types';
import { jvpByDoubleVjp, outputSpace } from '../../../engine/src/train/output-space';
import { labels, normals, relError, useBackend } from './helpers';

before(() => useBackend('cpu'));

const B = 4;

type Case = [string, () => Model];
const cases: Case[] = [
  ...ACTIVATIONS.map((a): Case => [`mlp (${a})`, () => makeModel({ type: 'mlp', widths: [6, 5], activation: a }, { inputShape: [5], outputSize: 3 })]),
  ['mlp (tanh, sigmoid, softplus, relu per layer), regression', () => makeModel({ type: 'mlp', widths: [6, 5, 5, 4], activation: ['tanh', 'sigmoid', 'softplus', 'relu'], task: 'regression' }, { inputShape: [5], outputSize: 2 })],
  ['mlp without hidden layers (linear model)', () => makeModel({ type: 'mlp', widths: [] }, { inputShape: [2, 3], outputSize: 3 })],
  ['autoencoder (tanh, linear code)', () => makeModel({ type: 'autoencoder', widths: [5, 2, 5] }, { inputShape: [6] })],
  ['autoencoder (sigmoid, softplus code), sigmoid cross-entropy', () => makeModel({ type: 'autoencoder', widths: [5, 3, 5], activation: 'sigmoid', codeActivation: 'softplus', loss: 'sigmoid-cross-entropy' }, { inputShape: [6] })],
  ['cnn, native route (relu, max pooling, odd sizes)', () => makeModel({ type: 'cnn', convRoute: 'native', conv: [{ filters: 3 }, { filters: 4 }], widths: [5] }, { inputShape: [7, 7, 2], outputSize: 3 })],
  ['cnn, im2col route (relu, max pooling, odd sizes)', () => makeModel({ type: 'cnn', convRoute: 'im2col', conv: [{ filters: 3 }, { filters: 4 }], widths: [5] }, { inputShape: [7, 7, 2], outputSize: 3 })],
  ['cnn, im2col route (tanh, avg pooling, valid padding)', () => makeModel({ type: 'cnn', convRoute: 'im2col', activation: 'tanh', pool: 'avg', conv: [{ filters: 3, padding: 'valid' }, { filters: 2, kernelSize: 2 }] }, { inputShape: [8, 8, 1], outputSize: 2 })],
  ['cnn, native route (softplus, avg pooling)', () => makeModel({ type: 'cnn', convRoute: 'native', activation: 'softplus', pool: 'avg', conv: [{ filters: 3 }] }, { inputShape: [6, 6, 2], outputSize: 2 })],
  ['cnn, strided, no pooling (sigmoid)', () => makeModel({ type: 'cnn', activation: 'sigmoid', pool: 'none', conv: [{ filters: 3, strides: 2 }, { filters: 2, kernelSize: [2, 3], strides: [1, 2], padding: 'valid' }] }, { inputShape: [7, 6, 1], outputSize: 2 })],
  [
    'sequential without biases (conv, max pool, flatten, dense)',
    () =>
      new SequentialModel({
        name: 'no-bias',
        task: 'regression',
        loss: 'squared-error',
        inputShape: [6, 6, 1],
        stages: [
          { kind: 'conv2d', name: 'c', filters: 2, kernelSize: [3, 3], strides: [1, 1], padding: 'same', activation: 'tanh', bias: false },
          { kind: 'pool', type: 'max' },
          { kind: 'flatten' },
          { kind: 'dense', name: 'd', units: 3, activation: 'sigmoid', bias: false },
          { kind: 'dense', name: 'out', units: 2, activation: 'linear' },
        ],
        init: { type: 'glorot-uniform' },
        defaultInit: { type: 'glorot-uniform' },
      }),
  ],
  ['relu2 (fixed output layer)', () => makeModel({ type: 'relu2', width: 16 }, { inputShape: [5], outputSize: 1 })],
];

/** The model's initial parameters with seeded noise added (biases off zero). */
function paramsOf(m: Model, seed: number): Params {
  const init = m.init(seed);
  const out = tf.tidy(() => Object.fromEntries(Object.entries(init).map(([n, p], i) => [n, tf.add(p, tf.tensor(normals(p.size, seed * 100 + i, 0.1), p.shape))])));
  tf.dispose(Object.values(init));
  return out;
}

/** A seeded tangent for every parameter. */
function tangentsOf(m: Model, seed: number): Params {
  return Object.fromEntries(Object.entries(m.paramShapes).map(([n, shape], i) => [n, tf.tensor(normals(shape.reduce((a, b) => a * b, 1), seed + i), shape)]));
}

function inputOf(m: Model, seed: number): tf.Tensor {
  const d = m.inputShape.reduce((a, b) => a * b, 1);
  return tf.tensor(normals(B * d, seed), [B, ...m.inputShape]);
}

/** Central finite differences of the output along v: (f(p + eps v) - f(p - eps v)) / (2 eps). */
function finiteDifference(m: Model, params: Params, v: Params, x: tf.Tensor, eps: number): Float32Array {
  return tf.tidy(() => {
    const at = (s: number) => m.forward(Object.fromEntries(Object.entries(params).map(([n, p]) => [n, v[n] ? tf.add(p, tf.mul(v[n], s)) : p])), x).output;
    return tf.div(tf.sub(at(eps), at(-eps)), 2 * eps).dataSync() as Float32Array;
  });
}

for (const [name, make] of cases) {
  test(`${name}: jvp's tangent = double-vjp J v = finite differences; its output = forward()`, () => {
    const m = make();
    assert.equal(typeof m.jvp, 'function');
    const params = paramsOf(m, 3);
    const v = tangentsOf(m, 40);
    const x = inputOf(m, 5);
    const r = m.jvp!(params, v, x);
    const forward = m.forward(params, x).output;
    assert.deepEqual(r.output.shape, forward.shape);
    assert.deepEqual(r.tangent.shape, forward.shape);
    // The same ops on the same values: bit-identical.
    assert.deepEqual(Array.from(r.output.dataSync()), Array.from(forward.dataSync()), 'output = forward()');
    const tangent = r.tangent.dataSync();
    const reference = jvpByDoubleVjp(m, params, x, v);
    const ref = reference.dataSync();
    const scale = Math.max(...Array.from(ref, Math.abs));
    assert.ok(scale > 1e-2, `a nonzero J v (max |J v| = ${scale})`);
    const vsDoubleVjp = relError(tangent, ref);
    assert.ok(vsDoubleVjp < 2e-5, `tangent vs double-vjp: relative error ${vsDoubleVjp}`);
    const fd = finiteDifference(m, params, v, x, 1e-3);
    const vsFd = relError(tangent, fd);
    assert.ok(vsFd < 5e-3, `tangent vs finite differences: relative error ${vsFd}`);
    tf.dispose([r.output, r.tangent, forward, reference, x, ...Object.values(params), ...Object.values(v)]);
  });
}

test('jvp is linear in the tangent, partial tangents leave the other parameters fixed, an empty one gives zeros', () => {
  const m = makeModel({ type: 'cnn', convRoute: 'im2col', conv: [{ filters: 2 }], widths: [4] }, { inputShape: [5, 5, 1], outputSize: 3 });
  const params = paramsOf(m, 7);
  const x = inputOf(m, 8);
  const names = Object.keys(m.paramShapes);
  const v = tangentsOf(m, 60);
  const full = m.jvp!(params, v, x);
  // Each parameter alone: its own tangent; their sum is the full tangent.
  let sum: tf.Tensor = tf.zerosLike(full.tangent);
  for (const n of names) {
    const one = m.jvp!(params, { [n]: v[n] }, x);
    const zeros: Params = Object.fromEntries(names.map((k) => [k, k === n ? v[k] : tf.zerosLike(v[k])]));
    const ref = jvpByDoubleVjp(m, params, x, zeros);
    assert.ok(relError(one.tangent.dataSync(), ref.dataSync()) < 2e-5, `tangent along "${n}" only`);
    const next = tf.add(sum, one.tangent);
    tf.dispose([sum, one.output, one.tangent, ref, ...names.filter((k) => k !== n).map((k) => zeros[k])]);
    sum = next;
  }
  assert.ok(relError(sum.dataSync(), full.tangent.dataSync()) < 2e-5, 'the sum over parameters = the full tangent');
  const none = m.jvp!(params, {}, x);
  assert.deepEqual(none.tangent.shape, [B, 3]);
  assert.ok(Array.from(none.tangent.dataSync()).every((t) => t === 0), 'no tangent: J v = 0');
  // relu2's only parameter, absent.
  const r2 = makeModel({ type: 'relu2', width: 4 }, { inputShape: [3], outputSize: 1 });
  const p2 = r2.init(1);
  const x2 = tf.ones([2, 3]);
  const none2 = r2.jvp!(p2, {}, x2);
  assert.deepEqual(Array.from(none2.tangent.dataSync()), [0, 0]);
  tf.dispose([sum, full.output, full.tangent, none.output, none.tangent, none2.output, none2.tangent, x, x2, ...Object.values(params), ...Object.values(v), ...Object.values(p2)]);
});

test('tangents of parameters that do not exist, or of the wrong shape, are errors', () => {
  const models = [makeModel({ type: 'mlp', widths: [3] }, { inputShape: [2], outputSize: 2 }), makeModel({ type: 'relu2', width: 4 }, { inputShape: [2], outputSize: 1 })];
  for (const m of models) {
    const params = m.init(1);
    const x = tf.ones([2, 2]);
    const before = tf.memory().numTensors;
    const stray = tf.zeros([2, 3]);
    assert.throws(() => m.jvp!(params, { 'dense9/w': stray }, x), (e: Error) => e instanceof RangeError && /tangent names no parameter "dense9\/w"/.test(e.message));
    assert.throws(() => m.jvp!(params, { toString: stray }, x), RangeError, 'inherited object keys are no parameters');
    const bad = tf.zeros([3, 2]);
    assert.throws(() => m.jvp!(params, { [m.layers[0].weight]: bad }, x), (e: Error) => e instanceof RangeError && /has shape \[3, 2\], expected \[2, (3|4)\]/.test(e.message));
    tf.dispose([stray, bad]);
    assert.equal(tf.memory().numTensors, before, 'a rejected call allocates nothing');
    tf.dispose([x, ...Object.values(params)]);
  }
});

test('outputSpace: J v by model.jvp when the model has it, the double-vjp otherwise (the same values)', () => {
  const m = makeModel({ type: 'mlp', widths: [6, 5], activation: 'tanh' }, { inputShape: [4], outputSize: 3 });
  let calls = 0;
  const counted: Model = Object.create(m, {
    jvp: {
      value: (p: Params, t: Params, x: tf.Tensor) => {
        calls++;
        return m.jvp!(p, t, x);
      },
    },
  });
  const withoutJvp: Model = Object.create(m, { jvp: { value: undefined } });
  const params = paramsOf(m, 2);
  const v = tangentsOf(m, 20);
  const x = inputOf(m, 3);
  const y = tf.tensor1d(labels(B, 3, 4), 'int32');
  const output = m.forward(params, x).output;
  const forwardMode = outputSpace(counted, params, x, y, output);
  const fallback = outputSpace(withoutJvp, params, x, y, output);
  const a = forwardMode.jvp(v);
  assert.equal(calls, 1, 'outputSpace called model.jvp');
  const b = fallback.jvp(v);
  assert.equal(calls, 1, 'the fallback does not');
  const direct = m.jvp!(params, v, x);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(direct.tangent.dataSync()), 'outputSpace.jvp = model.jvp');
  assert.ok(relError(a.dataSync(), b.dataSync()) < 2e-5);
  tf.dispose([a, b, direct.output, direct.tangent, forwardMode.lossGrad, fallback.lossGrad, output, x, y, ...Object.values(params), ...Object.values(v)]);
});

test('tensor count stays flat: model.jvp and outputSpace.jvp leave only their results', () => {
  const models = [
    makeModel({ type: 'mlp', widths: [5], activation: 'sigmoid' }, { inputShape: [4], outputSize: 3 }),
    makeModel({ type: 'cnn', convRoute: 'im2col', conv: [{ filters: 2 }], pool: 'max' }, { inputShape: [5, 5, 1], outputSize: 3 }),
    makeModel({ type: 'relu2', width: 6 }, { inputShape: [4], outputSize: 1 }),
  ];
  for (const m of models) {
    const params = paramsOf(m, 1);
    const v = tangentsOf(m, 2);
    const x = inputOf(m, 3);
    const y = m.loss === 'softmax-cross-entropy' ? tf.tensor1d(labels(B, m.outputSize, 1), 'int32') : tf.zeros([B, m.outputSize]);
    const output = m.forward(params, x).output;
    const space = outputSpace(m, params, x, y, output);
    const baseline = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = m.jvp!(params, v, x);
      const partial = m.jvp!(params, { [m.layers[0].weight]: v[m.layers[0].weight] }, x);
      assert.equal(tf.memory().numTensors, baseline + 4, `${m.name}: jvp returns exactly its two tensors`);
      tf.dispose([r.output, r.tangent, partial.output, partial.tangent]);
      const jv = space.jvp(v);
      assert.equal(tf.memory().numTensors, baseline + 1, `${m.name}: outputSpace.jvp returns one tensor`);
      jv.dispose();
      assert.equal(tf.memory().numTensors, baseline, `${m.name}: round ${i}`);
    }
    tf.dispose([space.lossGrad, output, x, y, ...Object.values(params), ...Object.values(v)]);
  }
});
