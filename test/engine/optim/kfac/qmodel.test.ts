// The exact quadratic model of science-spec 3.4: alpha and mu minimise
// M(a, m) = g.(a Delta + m delta0) + 1/2 (a Delta + m delta0)^T (F + lambda I)(a Delta + m delta0)
// (checked with the curvature products on a tiny nonlinear model, against a grid and the
// stationarity conditions), mu = 0 on the first step, d^T F d through the output space equals
// d^T (curvature product d), and parameters of no registered layer move by alpha (-grad) + mu delta0.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { applyUpdates, disposeState, type Params } from '../../../../engine/src/optim';
import { kfac, modelChange, quadraticTerms, solveQuadraticModel, type QuadraticTerms } from '../../../../engine/src/optim/kfac';
import { initBackend } from '../../../../engine/src/tf/backend';
import { disposeTree, handExtras, linearThenMap, type HandExtras } from './helpers';

before(async () => {
  await initBackend('cpu');
});

const dot = (a: Params, b: Params): number => tf.tidy(() => tf.addN(Object.keys(a).map((k) => tf.sum(tf.mul(a[k], b[k])))).dataSync()[0]);
const combine = (a: Params, sa: number, b: Params | null, sb: number): Params =>
  tf.tidy(() => Object.fromEntries(Object.keys(a).map((k) => [k, b ? tf.add(tf.mul(a[k], sa), tf.mul(b[k], sb)) : tf.mul(a[k], sa)])));

test('solver: the 2x2 solution is the minimum of M on a fine grid; no momentum gives the 1-D minimiser', () => {
  const t: QuadraticTerms = { fisher: [3, -1.2, 2], gram: [2, 0.3, 1.5], grad: [-4, 1.5] };
  const lambda = 0.7;
  const s = solveQuadraticModel(t, lambda, 0, true);
  const m0 = modelChange(t, lambda, s.alpha, s.mu);
  let best = Infinity;
  for (let a = -3; a <= 3; a += 0.01) for (let m = -3; m <= 3; m += 0.01) best = Math.min(best, modelChange(t, lambda, a, m));
  assert.ok(m0 <= best + 1e-12, `M at the solution ${m0} > grid minimum ${best}`);
  assert.ok(Math.abs(s.dampedChange - m0) < 1e-12);
  // At the optimum M(delta) - M(0) = 1/2 [alpha mu].[g.Delta g.delta0].
  assert.ok(Math.abs(m0 - 0.5 * (s.alpha * t.grad[0] + s.mu * t.grad[1])) < 1e-12);
  // rho's prediction leaves lambda out (tf-kfac default).
  assert.ok(Math.abs(s.change - modelChange(t, 0, s.alpha, s.mu)) < 1e-12);
  const first = solveQuadraticModel(t, lambda, 0, false);
  assert.equal(first.mu, 0);
  assert.ok(Math.abs(first.alpha - 4 / (3 + lambda * 2)) < 1e-12);
});

test('solver: Delta and delta0 parallel to within 1e-12 of c00 c11 (at any scale) fall back to mu = 0 [mutation survivor: qmodel.ts 1e-12 * c00 -> 1e-12 / c00]', () => {
  // c00 = c11 = 1e6 and det = c00 c11 - c01^2 = 0.5: relative to c00 c11 = 1e12 that is 5e-13,
  // numerically parallel, so the 2 x 2 solve is skipped (a 1e-12 threshold not scaled by c00 c11
  // would take it and return a huge mu).
  const c01 = Math.sqrt(1e12 - 0.5);
  const t: QuadraticTerms = { fisher: [1e6, c01, 1e6], gram: [0, 0, 0], grad: [-2, 3] };
  const s = solveQuadraticModel(t, 0, 0, true);
  assert.equal(s.mu, 0);
  assert.ok(Math.abs(s.alpha - 2e-6) < 1e-18, `alpha ${s.alpha}`);
  // Clearly independent directions at the same scale do take the 2 x 2 solve.
  assert.notEqual(solveQuadraticModel({ ...t, fisher: [1e6, 5e5, 1e6] }, 0, 0, true).mu, 0);
});

function tinyProblem(batchSeed: number, params: Params): HandExtras & { model: ReturnType<typeof linearThenMap>; dispose(): void } {
  const m = tf.randomNormal([4, 3], 0, 1, 'float32', 9) as tf.Tensor2D;
  const model = linearThenMap(3, 4, 3, m, { tanh: true, unregistered: true });
  const x = tf.randomNormal([10, 3], 0, 1, 'float32', batchSeed);
  const y = tf.randomNormal([10, 3], 0, 1, 'float32', batchSeed + 100);
  const hand = handExtras(model, params, x, y, batchSeed + 200);
  return { ...hand, model, dispose: () => (hand.dispose(), tf.dispose([m, x, y])) };
}

test('through the transform: alpha, mu minimise the exact model; first step mu = 0; the unregistered offset follows alpha (-grad) + mu delta0', () => {
  const lambda = 0.5;
  const tx = kfac({ damping: lambda, burnIn: 0, adaptDamping: false, asyncInverses: false });
  const init = linearThenMap(3, 4, 3, tf.zeros([4, 3]) as tf.Tensor2D, { unregistered: true }).init(1);
  let state = tx.init(init);

  // Step 1: mu = 0 and alpha minimises M along Delta.
  const p1 = tinyProblem(1, init);
  const r1 = tx.update(p1.grads, state, init, p1.extras);
  state = r1.state;
  assert.equal(r1.stats!.mu, 0);
  const a1 = r1.stats!.alpha;
  const d1 = combine(r1.updates, 1 / a1, null, 0);
  const fd1 = p1.curvature(d1);
  const dCd = dot(d1, fd1) + lambda * dot(d1, d1);
  const expectedAlpha = -dot(p1.grads, d1) / dCd;
  assert.ok(Math.abs(a1 - expectedAlpha) < 1e-3 * Math.abs(expectedAlpha), `alpha ${a1} vs 1-D minimiser ${expectedAlpha}`);
  // The offset c is in no registered layer: Delta_c = -grad_c.
  const cErr = tf.tidy(() => tf.max(tf.abs(tf.add(r1.updates.c, tf.mul(p1.grads.c, a1)))).dataSync()[0]);
  assert.ok(cErr < 1e-6, `unregistered parameter: ${cErr}`);
  const params2 = applyUpdates(init, r1.updates);
  disposeTree(fd1);
  p1.dispose();

  // Step 2 on another minibatch: a 2-D model in (Delta, delta0).
  const p2 = tinyProblem(2, params2);
  const r2 = tx.update(p2.grads, state, params2, p2.extras);
  state = r2.state;
  const { alpha, mu } = r2.stats as { alpha: number; mu: number };
  assert.ok(mu !== 0 && Number.isFinite(mu));
  const delta0 = r1.updates;
  const big = combine(r2.updates, 1 / alpha, delta0, -mu / alpha); // Delta = (delta - mu delta0) / alpha
  const fb = p2.curvature(big);
  const f0 = p2.curvature(delta0);
  const c00 = dot(big, fb) + lambda * dot(big, big);
  const c01 = dot(big, f0) + lambda * dot(big, delta0);
  const c11 = dot(delta0, f0) + lambda * dot(delta0, delta0);
  const g0 = dot(p2.grads, big);
  const g1 = dot(p2.grads, delta0);
  const M = (a: number, m: number) => a * g0 + m * g1 + 0.5 * (a * a * c00 + 2 * a * m * c01 + m * m * c11);
  // Stationary: C [alpha; mu] + g = 0 (relative to the size of the terms).
  const r0 = c00 * alpha + c01 * mu + g0;
  const r1s = c01 * alpha + c11 * mu + g1;
  assert.ok(Math.abs(r0) < 2e-3 * (Math.abs(c00 * alpha) + Math.abs(g0)), `dM/dalpha = ${r0}`);
  assert.ok(Math.abs(r1s) < 2e-3 * (Math.abs(c11 * mu) + Math.abs(g1)), `dM/dmu = ${r1s}`);
  const at = M(alpha, mu);
  for (const da of [-0.3, -0.05, 0.05, 0.3]) for (const dm of [-0.3, -0.05, 0, 0.05, 0.3]) assert.ok(at <= M(alpha * (1 + da), mu + dm * Math.abs(mu) + dm * 1e-3) + 1e-9);
  const cErr2 = tf.tidy(() => tf.max(tf.abs(tf.sub(r2.updates.c, tf.add(tf.mul(p2.grads.c, -alpha), tf.mul(delta0.c, mu))))).dataSync()[0]);
  assert.ok(cErr2 < 1e-6, `unregistered parameter, step 2: ${cErr2}`);
  tf.dispose([...Object.values(big), ...Object.values(fb), ...Object.values(f0), ...Object.values(d1)]);
  p2.dispose();
  disposeTree(r1.updates);
  disposeTree(r2.updates);
  disposeTree(params2);
  disposeTree(init);
  disposeState(state);
});

test("the model's d^T F d through the output space equals d^T (curvature product d)", () => {
  const init = linearThenMap(3, 4, 3, tf.zeros([4, 3]) as tf.Tensor2D, { unregistered: true }).init(3);
  const p = tinyProblem(5, init);
  const d = Object.fromEntries(Object.entries(init).map(([k, v], i) => [k, tf.randomNormal(v.shape, 0, 1, 'float32', 40 + i)]));
  const d0 = Object.fromEntries(Object.entries(init).map(([k, v], i) => [k, tf.randomNormal(v.shape, 0, 1, 'float32', 60 + i)]));
  const t = quadraticTerms(p.extras.outputSpace!, p.grads, d, d0);
  const fd = p.curvature(d);
  const fd0 = p.curvature(d0);
  const expected = [dot(d, fd), dot(d, fd0), dot(d0, fd0)];
  t.fisher.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-4 * Math.abs(expected[0]), `fisher[${i}] ${v} vs ${expected[i]}`));
  assert.ok(Math.abs(t.gram[1] - dot(d, d0)) < 1e-4 && Math.abs(t.grad[1] - dot(p.grads, d0)) < 1e-5);
  tf.dispose([...Object.values(d), ...Object.values(d0), ...Object.values(fd), ...Object.values(fd0)]);
  p.dispose();
  disposeTree(init);
});
