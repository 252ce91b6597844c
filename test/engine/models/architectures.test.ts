// Shapes, parameter counts and layer registration of every model family, and the factory's
// errors for bad specs.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ModelSpecError, PAPER_AUTOENCODER_WIDTHS, SequentialModel, autoencoder, makeModel, type Model, type StageSpec } from '../../../engine/src/models';
import { useBackend } from './helpers';

before(() => useBackend('cpu'));

const count = (m: Model): number => Object.values(m.paramShapes).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);

/** Builds params, runs a tapped forward on a batch of 3, checks output and tap shapes, disposes. */
function checkForward(m: Model, batch = 3): void {
  const before = tf.memory().numTensors;
  const params = m.init(0);
  assert.deepEqual(Object.keys(params), Object.keys(m.paramShapes), 'init creates exactly the declared parameters');
  for (const [name, shape] of Object.entries(m.paramShapes)) assert.deepEqual(params[name].shape, shape, name);
  const x = tf.randomNormal([batch, ...m.inputShape]);
  const r = m.forward(params, x, { tap: true });
  assert.deepEqual(r.output.shape, [batch, m.outputSize]);
  for (const l of m.layers) {
    assert.deepEqual(r.taps![l.name].inputs.shape, [batch, ...l.inputShape], `${l.name} inputs`);
    assert.deepEqual(r.taps![l.name].preactivations.shape, [batch, ...l.outputShape], `${l.name} pre-activations`);
  }
  assert.deepEqual(Object.keys(r.taps!), m.layers.map((l) => l.name));
  tf.dispose([x, r.output, ...Object.values(params), ...Object.values(r.taps!).flatMap((t) => [t.inputs, t.preactivations])]);
  assert.equal(tf.memory().numTensors, before, 'forward leaves nothing behind once its results are disposed');
}

describe('shapes and parameter counts', () => {
  test('mlp 64-128-10 (the default width) and 3-5-4-2 with per-layer activations', () => {
    const m = makeModel({ type: 'mlp' }, { inputShape: [64], outputSize: 10 });
    assert.equal(count(m), 64 * 128 + 128 + 128 * 10 + 10);
    assert.deepEqual(m.layers.map((l) => [l.name, l.kind, l.weight, l.bias, l.activation]), [
      ['dense1', 'dense', 'dense1/w', 'dense1/b', 'relu'],
      ['output', 'dense', 'output/w', 'output/b', 'linear'],
    ]);
    assert.equal(m.task, 'classification');
    assert.equal(m.loss, 'softmax-cross-entropy');
    checkForward(m);

    const m2 = makeModel({ type: 'mlp', widths: [5, 4], activation: ['tanh', 'softplus'], task: 'regression' }, { inputShape: [3], outputSize: 2 });
    assert.equal(count(m2), 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2);
    assert.deepEqual(m2.layers.map((l) => l.activation), ['tanh', 'softplus', 'linear']);
    assert.deepEqual(m2.paramShapes['dense2/w'], [5, 4]);
    assert.equal(m2.loss, 'squared-error');
    checkForward(m2);
  });

  test('mlp flattens image inputs and accepts [batch, ...shape] or flat rows', () => {
    const m = makeModel({ type: 'mlp', widths: [4], activation: 'sigmoid' }, { inputShape: [2, 3, 1], outputSize: 2 });
    assert.deepEqual(m.inputShape, [6]);
    const p = m.init(1);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 2, 3, 1]);
      const a = m.forward(p, x).output.dataSync();
      const b = m.forward(p, tf.reshape(x, [2, 6])).output.dataSync();
      assert.deepEqual(Array.from(a), Array.from(b));
    });
    tf.dispose(Object.values(p));
  });

  test('autoencoder: the E3 default 64-32-8-32-64 (tanh, linear code) and the paper shape', () => {
    const m = makeModel({ type: 'autoencoder' }, { inputShape: [64] });
    assert.equal(count(m), 64 * 32 + 32 + 32 * 8 + 8 + 8 * 32 + 32 + 32 * 64 + 64);
    assert.deepEqual(m.layers.map((l) => `${l.name}:${l.activation}:${l.outputShape[0]}`), ['encoder1:tanh:32', 'code:linear:8', 'decoder1:tanh:32', 'output:linear:64']);
    assert.equal(m.task, 'reconstruction');
    assert.equal(m.outputSize, 64);
    checkForward(m);
    // 784-1000-500-250-30-250-500-1000-784: about 2.8M parameters (constructed, not initialized).
    const paper = autoencoder({ inputShape: [784], widths: [...PAPER_AUTOENCODER_WIDTHS], loss: 'sigmoid-cross-entropy' });
    assert.equal(count(paper), 2837314);
    assert.equal(paper.layers.find((l) => l.name === 'code')!.outputShape[0], 30);
    assert.equal(paper.loss, 'sigmoid-cross-entropy');
  });

  test('cnn: the default 8x8 net (conv-relu-maxpool x2, dense) and a strided net without pooling', () => {
    const m = makeModel({ type: 'cnn' }, { inputShape: [64], outputSize: 10 }); // flat 64 read as 8x8x1
    assert.deepEqual(m.inputShape, [8, 8, 1]);
    assert.equal(count(m), 3 * 3 * 1 * 8 + 8 + (3 * 3 * 8 * 16 + 16) + (2 * 2 * 16 * 10 + 10));
    const conv2 = m.layers[1];
    assert.deepEqual(conv2, {
      name: 'conv2',
      kind: 'conv2d',
      weight: 'conv2/w',
      bias: 'conv2/b',
      activation: 'relu',
      conv: { kernelSize: [3, 3], strides: [1, 1], padding: 'same' },
      inputShape: [4, 4, 8],
      outputShape: [4, 4, 16],
    });
    checkForward(m);

    const s = makeModel(
      { type: 'cnn', conv: [{ filters: 4, kernelSize: 3, strides: 2 }, { filters: 6, kernelSize: 2, strides: 2, padding: 'valid' }], pool: 'none', widths: [12] },
      { inputShape: [9, 9, 2], outputSize: 3 },
    );
    assert.deepEqual(s.layers.map((l) => l.outputShape), [[5, 5, 4], [2, 2, 6], [12], [3]]);
    assert.deepEqual(s.layers[1].conv, { kernelSize: [2, 2], strides: [2, 2], padding: 'valid' });
    assert.equal(count(s), 3 * 3 * 2 * 4 + 4 + (2 * 2 * 4 * 6 + 6) + (24 * 12 + 12) + (12 * 3 + 3));
    checkForward(s, 2);
  });

  test('relu2: one trainable [d, m] layer without bias, one output', () => {
    const m = makeModel({ type: 'relu2', width: 64 }, { inputShape: [8], outputSize: 1 });
    assert.deepEqual(m.paramShapes, { 'hidden/w': [8, 64] });
    assert.deepEqual(m.layers, [{ name: 'hidden', kind: 'dense', weight: 'hidden/w', activation: 'relu', inputShape: [8], outputShape: [64] }]);
    assert.equal(m.loss, 'squared-error');
    checkForward(m);
  });
});

describe('makeModel: errors name the option', () => {
  const ctx = { inputShape: [8], outputSize: 3 };
  const fails = (spec: unknown, path: string, message: RegExp, context: { inputShape: number[]; outputSize?: number } = ctx) => {
    assert.throws(
      () => makeModel(spec, context),
      (err: unknown) => {
        assert.ok(err instanceof ModelSpecError, `a ModelSpecError, got ${String(err)}`);
        assert.equal(err.path, path);
        assert.match(err.message, message);
        return true;
      },
    );
  };

  test('type and unknown options, with suggestions', () => {
    fails({ widths: [3] }, 'type', /needs a type \(one of mlp, cnn, relu2, autoencoder\)/);
    fails({ type: 'mpl' }, 'type', /unknown model type "mpl".*Did you mean "mlp"\?/);
    fails({ type: 'mlp', widht: [3] }, 'widht', /model "mlp": unknown option "widht" \(allowed: .*\)\. Did you mean "widths"\?/);
    fails({ type: 'mlp', convRoute: 'im2col' }, 'convRoute', /option "convRoute" does not apply \(it is an option of cnn, not mlp\)/);
    fails({ type: 'relu2', init: 'zeros' }, 'init', /option "init" does not apply/);
    fails({ type: 'cnn', conv: [{ filters: 2, stride: 2 }] }, 'conv[0].stride', /unknown option "conv\[0\]\.stride".*Did you mean "strides"\?/, { inputShape: [4, 4, 1], outputSize: 2 });
  });

  test('values', () => {
    fails({ type: 'mlp', widths: [3, 0] }, 'widths', /widths must be a list of positive integers, got \[3,0\]/);
    fails({ type: 'mlp', activation: 'gelu' }, 'activation', /activation must be one of "relu", "tanh", "softplus", "sigmoid", "linear", got "gelu"/);
    fails({ type: 'mlp', widths: [3, 3], activation: ['tanh', 'rleu'] }, 'activation[1]', /activation\[1\] must be one of .*Did you mean "relu"\?/);
    fails({ type: 'mlp', widths: [3, 3], activation: ['tanh'] }, '', /1 activations for 2 hidden layers/);
    fails({ type: 'mlp', init: 'he_normal' }, 'init', /unknown initializer "he_normal".*Did you mean "he-normal"\?/);
    fails({ type: 'mlp', init: 'scaled(tiny)' }, 'init', /argument must be a finite number/);
    fails({ type: 'mlp', init: { type: 'sparse', n: 3 } }, 'init', /initializer "sparse": unknown option "n" \(allowed: k, scale\)/);
    fails({ type: 'mlp', task: 'regression', loss: 'softmax-cross-entropy' }, 'loss', /needs task "classification"/);
    fails({ type: 'mlp' }, 'outputSize', /needs the output size/, { inputShape: [8] });
    fails({ type: 'cnn', convRoute: 'fast' }, 'convRoute', /convRoute must be one of "native", "im2col", "auto", got "fast"/, { inputShape: [4, 4, 1], outputSize: 2 });
    fails({ type: 'cnn', conv: [{ filters: 2, kernelSize: 0 }] }, 'conv[0].kernelSize', /conv\[0\]\.kernelSize must be a positive integer or a pair/, { inputShape: [4, 4, 1], outputSize: 2 });
    fails({ type: 'cnn', conv: [{ filters: 2, kernelSize: 5, padding: 'valid' }] }, '', /a 5x5 kernel does not fit its 4x4 input/, { inputShape: [4, 4, 1], outputSize: 2 });
    fails({ type: 'cnn' }, 'imageShape', /cannot read an input of shape \[10\] as an image; give imageShape/, { inputShape: [10], outputSize: 2 });
    fails({ type: 'cnn', imageShape: [3, 3, 2] }, 'imageShape', /holds 18 values but the input has 16/, { inputShape: [16], outputSize: 2 });
    fails({ type: 'relu2', width: 10.5 }, 'width', /width must be an integer/, { inputShape: [8], outputSize: 1 });
    fails({ type: 'relu2' }, 'outputSize', /one output, not 3/);
    fails({ type: 'autoencoder' }, 'outputSize', /outputs its input's size 8, not 3/);
    fails({ type: 'autoencoder', widths: [] }, 'widths', /widths must not be empty/);
  });

  test('SequentialModel checks its stages', () => {
    const make = (stages: StageSpec[], inputShape = [4]) =>
      new SequentialModel({ name: 'net', task: 'regression', loss: 'squared-error', inputShape, stages, init: { type: 'zeros' }, defaultInit: { type: 'zeros' } });
    const dense = (name: string, units = 2): StageSpec => ({ kind: 'dense', name, units, activation: 'linear' });
    assert.throws(() => make([dense('a'), dense('a')]), /net: duplicate layer name "a"/);
    assert.throws(() => make([{ kind: 'conv2d', name: 'c', filters: 2, kernelSize: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu' }, dense('d')], [4, 4, 1]), /dense layer "d" needs a flat input, got \[4, 4, 2\] \(add a flatten stage\)/);
    assert.throws(() => make([{ kind: 'conv2d', name: 'c', filters: 2, kernelSize: [3, 0], strides: [1, 1], padding: 'same', activation: 'relu' }, { kind: 'flatten' }], [4, 4, 1]), /kernel sizes and strides of "c" must be a positive integer, got 0/);
    assert.throws(() => make([{ kind: 'flatten' }]), /no dense or conv layer/);
    const nobias = make([{ kind: 'dense', name: 'a', units: 3, activation: 'tanh', bias: false }]);
    assert.deepEqual(nobias.paramShapes, { 'a/w': [4, 3] });
    assert.equal(nobias.layers[0].bias, undefined);
  });

  test('forward rejects inputs, parameters and perturbations that do not fit', () => {
    const m = makeModel({ type: 'mlp', widths: [4] }, ctx);
    const p = m.init(0);
    tf.tidy(() => {
      assert.throws(() => m.forward(p, tf.zeros([2, 7])), /input of shape \[2, 7\] does not hold examples of shape \[8\]/);
      assert.throws(() => m.forward({ 'dense1/w': p['dense1/w'] }, tf.zeros([2, 8])), /parameter "dense1\/b" is missing/);
      assert.throws(() => m.forward({ ...p, 'output/w': tf.zeros([3, 4]) }, tf.zeros([2, 8])), /"output\/w" has shape \[3, 4\], expected \[4, 3\]/);
      assert.throws(() => m.forward(p, tf.zeros([2, 8]), { perturb: { dense2: tf.zeros([2, 4]) } }), /no registered layer "dense2" \(layers: dense1, output\)/);
      assert.throws(() => m.forward(p, tf.zeros([2, 8]), { perturb: { dense1: tf.zeros([4]) } }), /perturb\["dense1"\] has shape \[4\], expected the pre-activation's \[2, 4\]/);
    });
    tf.dispose(Object.values(p));
  });
});
