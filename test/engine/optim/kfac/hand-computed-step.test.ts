// One K-FAC update checked against the same update computed by hand in float64 from the factors
// the optimizer holds, the minibatch's gradient, loss and exact curvature (GGN) products. Each test
// names the mutation of engine/src/optim/kfac it exists to catch (issue 10, item 3); each of those
// mutations was applied on purpose and made the test fail.
//   - L2 term eta: the damping is lambda + eta and the gradient is grad + eta theta;
//   - pi-adjusted factored damping, through the optimizer (not only piAdjustedDamping);
//   - rho's prediction: M(delta) - M(0) with F + eta I, WITHOUT lambda (kfac-jax
//     include_damping_in_quad_change=False: `A = A_no_diag + l2_reg * R`, the damped A only when
//     that flag is set; tf-kfac's default likewise);
//   - KL clipping: min(1, sqrt(klClip / (lr^2 |grad^T Delta|))) (Ba et al. 2017; tf-kfac
//     `_update_clip_coeff`).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { solve } from '../../../../engine/src/linalg';
import { applyUpdates, disposeState, type Params } from '../../../../engine/src/optim';
import { kfac, type KfacOptions, type KfacState } from '../../../../engine/src/optim/kfac';
import { initBackend } from '../../../../engine/src/tf/backend';
import { disposeTree, flatten, handExtras, linearThenMap, relativeError, type HandExtras } from './helpers';

const IN = 3;
const HID = 4;
const OUT = 3;
const B = 10;
const NAMES = ['w', 'b'];
// The layer's gradient stacked as V = [W; b]: (IN + 1) x HID, row-major, i.e. flatten(grads, NAMES).
const KA = IN + 1;

before(async () => {
  await initBackend('cpu');
});

/** A minibatch of the linear layer + fixed map model; `xScale` makes tr A / dim A far from tr G / dim G. */
function problem(xScale: number): { params: Params; hand: HandExtras; dispose(): void } {
  const m = tf.randomNormal([HID, OUT], 0, 1, 'float32', 11) as tf.Tensor2D;
  const model = linearThenMap(IN, HID, OUT, m, { tanh: true });
  const params = model.init(7);
  const x = tf.tidy(() => tf.mul(tf.randomNormal([B, IN], 0, 1, 'float32', 12), xScale));
  const y = tf.randomNormal([B, OUT], 0, 1, 'float32', 13);
  const hand = handExtras(model, params, x, y, 14);
  return { params, hand, dispose: () => (hand.dispose(), disposeTree(params), tf.dispose([m, x, y])) };
}

/** One update from a fresh state (burn-in 0, synchronous inverses); the factors are copied out. */
function firstUpdate(p: { params: Params; hand: HandExtras }, options: Partial<KfacOptions>) {
  const tx = kfac({ burnIn: 0, asyncInverses: false, minDamping: 0, ...options });
  const r = tx.update(p.hand.grads, tx.init(p.params), p.params, p.hand.extras);
  const layer = r.state.layers.fc;
  const out = { update: flatten(r.updates, NAMES), updates: r.updates, stats: r.stats!, a: layer.a.slice(), g: layer.g.slice() };
  return { ...out, state: r.state as KfacState };
}

/** The matrix of U -> L U R + d U on ka x HID matrices (row-major unknowns), dense. */
function sandwich(l: Float64Array, r: Float64Array, d: number, ka = KA): Float64Array {
  const n = ka * HID;
  const k = new Float64Array(n * n);
  for (let i = 0; i < ka; i++)
    for (let j = 0; j < HID; j++)
      for (let p = 0; p < ka; p++)
        for (let q = 0; q < HID; q++) k[(i * HID + j) * n + p * HID + q] = l[i * ka + p] * r[q * HID + j] + (i === p && j === q ? d : 0);
  return k;
}

const plus = (m: Float64Array, n: number, d: number): Float64Array => {
  const out = m.slice();
  for (let i = 0; i < n; i++) out[i * n + i] += d;
  return out;
};
const traceOf = (m: Float64Array, n: number): number => Array.from({ length: n }, (_, i) => m[i * n + i]).reduce((s, v) => s + v, 0);
const dotf = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
const l2Grad = (grad: Float64Array, theta: Float64Array, eta: number): Float64Array => grad.map((g, i) => g + eta * theta[i]);

test('L2 term eta: exact inverses use (A (x) G + (lambda + eta) I)^-1 on grad + eta theta [guards: lambda - eta, and a dropped or negated eta theta]', () => {
  const p = problem(1);
  const lambda = 0.5;
  const eta = 0.3;
  const lr = 0.7;
  const r = firstUpdate(p, { learningRate: lr, momentum: 0, damping: lambda, l2: eta, exactInverses: true, adaptDamping: false });
  const theta = flatten(p.params, NAMES);
  const grad = flatten(p.hand.grads, NAMES);
  const byHand = (damping: number, v: Float64Array) => Array.from(solve(sandwich(r.a, r.g, damping), KA * HID, v), (u) => -lr * u);
  const expected = byHand(lambda + eta, l2Grad(grad, theta, eta));
  const err = relativeError(r.update, expected);
  assert.ok(err < 1e-4, `update vs hand computation: relative error ${err}`);
  // No previous update: the reported momentum is 0 (a mutation survivor reported 1) and alpha = lr.
  assert.deepEqual([r.stats.mu, r.stats.alpha], [0, lr]);
  // The test can tell the mutants apart: each moves the update by far more than the tolerance.
  assert.ok(relativeError(byHand(lambda - eta, l2Grad(grad, theta, eta)), expected) > 1e-2, 'lambda - eta indistinguishable');
  assert.ok(relativeError(byHand(lambda + eta, grad), expected) > 1e-2, 'without eta theta indistinguishable');
  disposeTree(r.updates);
  disposeState(r.state);
  p.dispose();
});

test('pi-adjusted damping through the optimizer: (A + pi gamma I)^-1 V (G + gamma/pi I)^-1, gamma = sqrt(lambda + eta), pi = sqrt((tr A/dim A)/(tr G/dim G)) [guards: the split in damping.ts and its use in inverses.ts]', () => {
  const p = problem(4);
  const lambda = 0.4;
  const eta = 0.1;
  const lr = 0.5;
  const r = firstUpdate(p, { learningRate: lr, momentum: 0, damping: lambda, l2: eta, exactInverses: false, adaptDamping: false });
  const theta = flatten(p.params, NAMES);
  const v = l2Grad(flatten(p.hand.grads, NAMES), theta, eta);
  const pi = Math.sqrt(traceOf(r.a, KA) / KA / (traceOf(r.g, HID) / HID));
  // pi far from 1, or a swapped or unsquare-rooted split would give nearly the same numbers.
  assert.ok(pi > 2, `pi = ${pi}: the fixture no longer separates the factors' scales`);
  const byHand = (dA: number, dG: number) => Array.from(solve(sandwich(plus(r.a, KA, dA), plus(r.g, HID, dG), 0), KA * HID, v), (u) => -lr * u);
  const gamma = Math.sqrt(lambda + eta);
  const expected = byHand(pi * gamma, gamma / pi);
  const err = relativeError(r.update, expected);
  assert.ok(err < 1e-4, `update vs hand computation: relative error ${err}`);
  assert.ok(relativeError(byHand(gamma / pi, pi * gamma), expected) > 1e-2, 'swapped split indistinguishable');
  assert.ok(relativeError(byHand(gamma, gamma), expected) > 1e-2, 'pi = 1 indistinguishable');
  disposeTree(r.updates);
  disposeState(r.state);
  p.dispose();
});

test("rho: the prediction is M(delta) - M(0) with F + eta I, without lambda (kfac-jax, tf-kfac), and the actual change includes eta/2 |theta|^2 [guards: lambda added to rho's model; the L2 part of h]", () => {
  const p = problem(1);
  const lambda = 2;
  const eta = 0.2;
  const lr = 0.6;
  const r = firstUpdate(p, { learningRate: lr, momentum: 0, damping: lambda, l2: eta, exactInverses: true, adaptDamping: true, adaptEvery: 1, dampingDecay: 0.9 });
  const theta = flatten(p.params, NAMES);
  const g = l2Grad(flatten(p.hand.grads, NAMES), theta, eta);
  const d = r.update;
  const fd = flatten(p.hand.curvature(r.updates), NAMES);
  const model = (damping: number) => dotf(g, d) + 0.5 * (dotf(d, fd) + damping * dotf(d, d));
  const predicted = model(eta);
  const q = r.stats.qmodel_change;
  assert.ok(Math.abs(q - predicted) < 1e-4 * Math.abs(predicted), `qmodel_change ${q} vs hand ${predicted}`);
  assert.ok(Math.abs(model(lambda + eta) - predicted) > 0.05 * Math.abs(predicted), 'lambda in the model indistinguishable');
  // actual = h(theta + delta) + eta/2 |theta + delta|^2 - h(theta) - eta/2 |theta|^2
  const moved = applyUpdates(p.params, r.updates);
  const h1 = p.hand.extras.lossAt!(moved);
  const thetaNew = flatten(moved, NAMES);
  disposeTree(moved);
  const actual = h1 + (eta / 2) * dotf(thetaNew, thetaNew) - p.hand.extras.loss! - (eta / 2) * dotf(theta, theta);
  const rho = actual / predicted;
  assert.ok(Math.abs(r.stats.rho - rho) < 1e-3 * Math.abs(rho), `rho ${r.stats.rho} vs hand ${rho}`);
  // The Levenberg-Marquardt rule on that rho (adaptEvery 1: factor 0.9).
  const expectedLambda = rho > 0.75 ? lambda * 0.9 : rho < 0.25 ? lambda / 0.9 : lambda;
  assert.ok(Math.abs(r.stats.damping - expectedLambda) < 1e-12, `damping ${r.stats.damping} vs ${expectedLambda} (rho ${rho})`);
  disposeTree(r.updates);
  disposeState(r.state);
  p.dispose();
});

test('KL clipping scales the step by min(1, sqrt(klClip / (lr^2 |grad . Delta|))) [guards: lr^2 changed to lr, the min with 1]', () => {
  const p = problem(1);
  const lr = 0.3;
  const base = { learningRate: lr, momentum: 0, damping: 0.5, exactInverses: true, adaptDamping: false };
  const free = firstUpdate(p, base);
  const g = flatten(p.hand.grads, NAMES);
  // |grad . Delta| with Delta = update / lr (the unclipped step).
  const v = Math.abs(dotf(g, free.update)) / lr;
  // A constraint that binds: the clip is sqrt(0.1) by the formula, sqrt(0.1 lr) with lr for lr^2.
  const kl = 0.1 * lr * lr * v;
  const clipped = firstUpdate(p, { ...base, klClip: kl });
  const expected = Math.sqrt(kl / (lr * lr * v));
  assert.ok(Math.abs(clipped.stats.kl_clip - expected) < 1e-4 * expected, `kl_clip ${clipped.stats.kl_clip} vs ${expected}`);
  assert.ok(Math.abs(Math.sqrt(kl / (lr * v)) - expected) > 0.1 * expected, 'lr instead of lr^2 indistinguishable');
  const err = relativeError(clipped.update, Array.from(free.update, (u) => u * expected));
  assert.ok(err < 1e-4, `clipped update vs clip * unclipped: relative error ${err}`);
  // A loose constraint does not scale the step up.
  const loose = firstUpdate(p, { ...base, klClip: 100 * lr * lr * v });
  assert.equal(loose.stats.kl_clip, 1);
  assert.ok(relativeError(loose.update, free.update) < 1e-6);
  for (const r of [free, clipped, loose]) {
    disposeTree(r.updates);
    disposeState(r.state);
  }
  p.dispose();
});

test('a layer without a bias: W moves by -lr (A (x) G + lambda I)^-1 grad_W with A = x^T x / B (no homogeneous coordinate), and b, now in no layer, by -lr grad_b [guards: stackGradient/unstackUpdate without a bias]', () => {
  const p = problem(1);
  const lambda = 0.5;
  const lr = 0.4;
  const tap = p.hand.extras.layerStats!.fc;
  const { bias: _bias, ...noBias } = tap;
  const extras = { ...p.hand.extras, layerStats: { fc: noBias } };
  const tx = kfac({ burnIn: 0, asyncInverses: false, minDamping: 0, learningRate: lr, momentum: 0, damping: lambda, exactInverses: true, adaptDamping: false });
  const r = tx.update(p.hand.grads, tx.init(p.params), p.params, extras);
  const layer = (r.state as KfacState).layers.fc;
  assert.equal(layer.dimA, IN, 'A has no homogeneous coordinate');
  const w = Array.from(solve(sandwich(layer.a, layer.g, lambda, IN), IN * HID, flatten(p.hand.grads, ['w'])), (u) => -lr * u);
  const err = relativeError(flatten(r.updates, ['w']), w);
  assert.ok(err < 1e-4, `W update vs hand computation: relative error ${err}`);
  const errB = relativeError(flatten(r.updates, ['b']), Array.from(flatten(p.hand.grads, ['b']), (g) => -lr * g));
  assert.ok(errB < 1e-6, `b update vs -lr grad_b: relative error ${errB}`);
  disposeTree(r.updates);
  disposeState(r.state);
  p.dispose();
});

test("adaptive mode: qmodel_change and rho's prediction are M(delta) - M(0) with F + eta I at the chosen alpha, and alpha minimises M with F + (lambda + eta) I [guards: lambda in rho's model; the qmodel_change stat]", () => {
  const p = problem(1);
  const lambda = 1.5;
  const eta = 0.1;
  const r = firstUpdate(p, { damping: lambda, l2: eta, exactInverses: true, adaptEvery: 1 });
  const theta = flatten(p.params, NAMES);
  const g = l2Grad(flatten(p.hand.grads, NAMES), theta, eta);
  const d = r.update;
  const fd = flatten(p.hand.curvature(r.updates), NAMES);
  const model = (damping: number) => dotf(g, d) + 0.5 * (dotf(d, fd) + damping * dotf(d, d));
  const predicted = model(eta);
  assert.ok(Math.abs(r.stats.qmodel_change - predicted) < 1e-4 * Math.abs(predicted), `qmodel_change ${r.stats.qmodel_change} vs hand ${predicted}`);
  assert.ok(Math.abs(model(lambda + eta) - predicted) > 0.05 * Math.abs(predicted), 'lambda in the model indistinguishable');
  // First step (no delta0): alpha minimises M along Delta with C = F + (lambda + eta) I, so the
  // damped change there is -1/2 (g . delta): M = a g.D + a^2/2 D^T C D at a* gives -a* g.D / 2.
  const damped = model(lambda + eta);
  assert.ok(Math.abs(damped - 0.5 * dotf(g, d)) < 1e-3 * Math.abs(damped), `damped change ${damped} vs -1/2 g.delta ${0.5 * dotf(g, d)}`);
  const moved = applyUpdates(p.params, r.updates);
  const thetaNew = flatten(moved, NAMES);
  const actual = p.hand.extras.lossAt!(moved) + (eta / 2) * dotf(thetaNew, thetaNew) - p.hand.extras.loss! - (eta / 2) * dotf(theta, theta);
  disposeTree(moved);
  assert.ok(Math.abs(r.stats.rho - actual / predicted) < 1e-3 * Math.abs(actual / predicted), `rho ${r.stats.rho} vs hand ${actual / predicted}`);
  disposeTree(r.updates);
  disposeState(r.state);
  p.dispose();
});
