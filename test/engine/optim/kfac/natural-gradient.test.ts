// K-FAC with exact factors is the exact natural gradient when the Fisher IS a Kronecker product:
// a linear layer s = x W + b followed by a fixed map out = s M, squared error (unit Gaussian). Then
// F = A (x) M M^T exactly, with A = abar^T abar / B. The test hands K-FAC taps whose output
// gradients give G = M M^T exactly (so no sampling noise) and compares its update with F^-1 grad,
// F built densely from the engine's curvature (GGN = Fisher) products on the same batch.
// dim A = in + 1 = 4 = dim G, so a swapped Kronecker order or a transposed layout gives wrong
// numbers rather than a shape error.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { addDiagonal, solve } from '../../../../engine/src/linalg';
import { disposeState } from '../../../../engine/src/optim';
import { kfac } from '../../../../engine/src/optim/kfac';
import { initBackend } from '../../../../engine/src/tf/backend';
import { denseMatrix, disposeTree, flatten, handExtras, linearThenMap, relativeError } from './helpers';

const IN = 3;
const HID = 4;
const OUT = 5;
const B = 12;
const NAMES = ['w', 'b'];

before(async () => {
  await initBackend('cpu');
});

/** One K-FAC step with exact taps; returns the update (flat) and the dense pieces to compare with. */
function oneStep(options: Parameters<typeof kfac>[0]) {
  const m = tf.randomNormal([HID, OUT], 0, 1, 'float32', 5) as tf.Tensor2D;
  const model = linearThenMap(IN, HID, OUT, m);
  const params = model.init(1);
  const x = tf.randomNormal([B, IN], 0, 1, 'float32', 2);
  const y = tf.randomNormal([B, OUT], 0, 1, 'float32', 3);
  const hand = handExtras(model, params, x, y, 4);
  // Exact output factor: rows sqrt(B) * (column j of M)^T, so g^T g / B = M M^T.
  const exactGrads = tf.tidy(() => tf.concat([tf.mul(tf.transpose(m), Math.sqrt(B)), tf.zeros([B - OUT, HID])], 0));
  const tap = hand.extras.layerStats!.fc;
  const extras = { ...hand.extras, layerStats: { fc: { ...tap, outputGrads: exactGrads } } };
  const tx = kfac({ learningRate: 1, momentum: 0, burnIn: 0, minDamping: 0, asyncInverses: false, ...options });
  const state = tx.init(params);
  const r = tx.update(hand.grads, state, params, extras);
  const update = flatten(r.updates, NAMES);
  const grad = flatten(hand.grads, NAMES);
  const fisher = denseMatrix(hand.curvature, params, NAMES);
  disposeTree(r.updates);
  tf.dispose([m, x, y, exactGrads, ...Object.values(params)]);
  hand.dispose();
  return { update, grad, fisher, state: r.state };
}

test('exact factors, no damping: the K-FAC update is -F^-1 grad (F from curvature products)', () => {
  const { update, grad, fisher, state } = oneStep({ damping: 0 });
  const p = grad.length;
  const ng = solve(fisher, p, grad);
  const expected = Array.from(ng, (v) => -v);
  const err = relativeError(update, expected);
  assert.ok(err < 2e-3, `K-FAC vs exact natural gradient: relative error ${err}`);
  // Not trivially true: the natural gradient is far from the plain gradient here.
  assert.ok(relativeError(update, Array.from(grad, (v) => -v)) > 0.5);
  disposeState(state);
});

test('exact inverses with damping: the update is -(F + lambda I)^-1 grad', () => {
  const lambda = 0.3;
  const { update, grad, fisher } = oneStep({ damping: lambda, exactInverses: true, adaptDamping: false });
  const p = grad.length;
  const expected = Array.from(solve(addDiagonal(fisher, p, lambda), p, grad), (v) => -v);
  const err = relativeError(update, expected);
  assert.ok(err < 2e-3, `exact-inverse K-FAC vs (F + lambda I)^-1 grad: relative error ${err}`);
  // The pi-adjusted factored damping is an approximation of the same thing: close, not equal.
  const { update: factored, state } = oneStep({ damping: lambda, adaptDamping: false });
  disposeState(state);
  const approx = relativeError(factored, expected);
  assert.ok(approx > 1e-2 && approx < 1, `pi-adjusted vs exact damping: relative difference ${approx}`);
});

test('fixed mode: the update scales with the learning rate', () => {
  const { update: one } = oneStep({ damping: 0 });
  const { update: half } = oneStep({ damping: 0, learningRate: 0.5 });
  assert.ok(relativeError(half, one.map((v) => v * 0.5)) < 1e-5);
});
