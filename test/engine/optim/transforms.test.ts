// Every first-order transform against hand-computed values: 3 steps on a 2-element parameter
// x0 = [1, -2] with the fixed gradients g1 = [0.5, -1], g2 = [1.5, 2], g3 = [-0.25, 0.5].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  addDecayedWeights,
  adam,
  adamw,
  chain,
  clipByGlobalNorm,
  emaOfParams,
  evaluationParams,
  identity,
  momentum,
  requireExtras,
  rmsprop,
  scale,
  scaleByAdam,
  scaleByDiagonal,
  scaleByLearningRate,
  scaleByRms,
  schedules,
  sgd,
  stateTensors,
  takeStep,
  trackGlobalNorm,
  traceMomentum,
  type GradientTransformation,
  type Params,
} from '../../../engine/src/optim';
import { G, X0, add, assertClose, assertIterates, mul, run, sq, sub } from './helpers';

const [g1, g2, g3] = G;

test('sgd: x <- x - lr g', () => {
  // lr 0.1: x1 = [1 - 0.05, -2 + 0.1]; x2 = x1 - [0.15, 0.2]; x3 = x2 - [-0.025, 0.05]
  assertIterates(run(sgd(0.1)), [
    [0.95, -1.9],
    [0.8, -2.1],
    [0.825, -2.15],
  ], 'sgd');
});

test('heavy-ball momentum: v <- m v + g; x <- x - lr v (= the NQM form v <- m v - lr g; x <- x + v)', () => {
  // m 0.9, lr 0.1
  // v1 = g1 = [0.5, -1]                                   x1 = [1 - 0.05, -2 + 0.1]       = [0.95, -1.9]
  // v2 = 0.9 [0.5, -1] + [1.5, 2]    = [1.95, 1.1]        x2 = [0.95 - 0.195, -1.9 - 0.11] = [0.755, -2.01]
  // v3 = 0.9 [1.95, 1.1] + g3        = [1.505, 1.49]      x3 = [0.755 - 0.1505, -2.01 - 0.149] = [0.6045, -2.159]
  const expected = [
    [0.95, -1.9],
    [0.755, -2.01],
    [0.6045, -2.159],
  ];
  assertIterates(run(momentum(0.1, 0.9)), expected, 'momentum');
  // The NQM's velocity form, step by step: v' <- 0.9 v' - 0.1 g; x <- x + v'.
  let x = X0;
  let v = [0, 0];
  G.forEach((g, k) => {
    v = sub(mul(v, 0.9), mul(g, 0.1));
    x = add(x, v);
    assertClose(x, expected[k], `NQM form x${k + 1}`);
  });
});

test('Nesterov momentum: v <- m v + g; x <- x - lr (g + m v)', () => {
  // m 0.9, lr 0.1; v as for heavy ball
  // u1 = g1 + 0.9 [0.5, -1]   = [0.95, -1.9]     x1 = [1 - 0.095, -2 + 0.19]          = [0.905, -1.81]
  // u2 = g2 + 0.9 [1.95, 1.1] = [3.255, 2.99]    x2 = [0.905 - 0.3255, -1.81 - 0.299] = [0.5795, -2.109]
  // u3 = g3 + 0.9 [1.505, 1.49] = [1.1045, 1.841] x3 = [0.5795 - 0.11045, -2.109 - 0.1841] = [0.46905, -2.2931]
  assertIterates(run(momentum(0.1, 0.9, { nesterov: true })), [
    [0.905, -1.81],
    [0.5795, -2.109],
    [0.46905, -2.2931],
  ], 'nesterov');
});

/** Adam's scaled direction u_t for the gradients G, written out (lr 0.1, b1 0.9, b2 0.999, eps 1e-8). */
function adamDirections(grads: number[][]): number[][] {
  const [a, b, c] = grads;
  // step 1: m1 = 0.1 g1, v1 = 0.001 g1^2; bias corrections 1 - 0.9 = 0.1, 1 - 0.999 = 0.001
  const m1 = mul(a, 0.1);
  const v1 = mul(sq(a), 0.001);
  const u1 = m1.map((m, i) => m / 0.1 / (Math.sqrt(v1[i] / 0.001) + 1e-8));
  // step 2: corrections 1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999
  const m2 = add(mul(m1, 0.9), mul(b, 0.1));
  const v2 = add(mul(v1, 0.999), mul(sq(b), 0.001));
  const u2 = m2.map((m, i) => m / 0.19 / (Math.sqrt(v2[i] / 0.001999) + 1e-8));
  // step 3: corrections 1 - 0.9^3 = 0.271, 1 - 0.999^3 = 0.002997001
  const m3 = add(mul(m2, 0.9), mul(c, 0.1));
  const v3 = add(mul(v2, 0.999), mul(sq(c), 0.001));
  const u3 = m3.map((m, i) => m / 0.271 / (Math.sqrt(v3[i] / 0.002997001) + 1e-8));
  return [u1, u2, u3];
}

test('Adam with bias correction', () => {
  const [u1, u2, u3] = adamDirections(G);
  const x1 = sub(X0, mul(u1, 0.1));
  const x2 = sub(x1, mul(u2, 0.1));
  const x3 = sub(x2, mul(u3, 0.1));
  // With bias correction the first step is lr * sign(g1) (up to eps): x1 = [0.9, -1.9].
  assertClose(x1, [0.9, -1.9], 'hand arithmetic of step 1', 1e-7);
  const trace = run(adam(0.1, 0.9, 0.999, 1e-8));
  assertIterates(trace, [x1, x2, x3], 'adam');
  // Without bias correction step 1 would be 0.1 * 0.1 g / (sqrt(0.001) |g|) = 0.0316 sign(g): far off.
  assert.ok(Math.abs(trace.xs[0][0] - (1 - 0.0316)) > 0.05);
  // The chain's state: [grad norm, Adam {count, mu, nu}, lr {count}, update norm].
  const [, adamState, lrState] = trace.state as [null, { count: number }, { count: number }, null];
  assert.equal(adamState.count, 3);
  assert.equal(lrState.count, 3);
});

test('AdamW: decoupled weight decay x <- x - lr (adam(g) + wd x), unlike Adam with L2', () => {
  // lr 0.1, wd 0.01: the decay does not enter Adam's moments, so u_t are Adam's directions for G.
  const [u1, u2, u3] = adamDirections(G);
  const x1 = sub(X0, mul(add(u1, mul(X0, 0.01)), 0.1)); // [1 - 0.1 - 0.001, -2 + 0.1 + 0.002] = [0.899, -1.898]
  const x2 = sub(x1, mul(add(u2, mul(x1, 0.01)), 0.1));
  const x3 = sub(x2, mul(add(u3, mul(x2, 0.01)), 0.1));
  assertClose(x1, [0.899, -1.898], 'hand arithmetic of step 1', 1e-7);
  const decoupled = run(adamw(0.1, 0.9, 0.999, 1e-8, 0.01));
  assertIterates(decoupled, [x1, x2, x3], 'adamw');

  // Adam with L2 (PyTorch Adam's weight_decay): the decay goes through the moments, g' = g + 0.01 x.
  const xs: number[][] = [];
  let x = X0;
  let m = [0, 0];
  let v = [0, 0];
  G.forEach((g, k) => {
    const t = k + 1;
    const gp = add(g, mul(x, 0.01));
    m = add(mul(m, 0.9), mul(gp, 0.1));
    v = add(mul(v, 0.999), mul(sq(gp), 0.001));
    const u = m.map((mi, i) => mi / (1 - 0.9 ** t) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8));
    x = sub(x, mul(u, 0.1));
    xs.push(x);
  });
  const coupled = run(adam(0.1, 0.9, 0.999, 1e-8, { weightDecay: 0.01 }));
  assertIterates(coupled, xs, 'adam + L2');
  assert.ok(Math.abs(coupled.xs[2][0] - decoupled.xs[2][0]) > 1e-4, 'coupled and decoupled decay must differ');
});

test('RMSProp, plain and with momentum (PyTorch form)', () => {
  // lr 0.01, decay 0.9, eps 1e-8: nu <- 0.9 nu + 0.1 g^2, r = g / (sqrt(nu) + 1e-8)
  const nu1 = mul(sq(g1), 0.1);
  const r1 = g1.map((g, i) => g / (Math.sqrt(nu1[i]) + 1e-8)); // = g1 / (0.316 |g1|) = [3.1623, -3.1623]
  const nu2 = add(mul(nu1, 0.9), mul(sq(g2), 0.1));
  const r2 = g2.map((g, i) => g / (Math.sqrt(nu2[i]) + 1e-8));
  const nu3 = add(mul(nu2, 0.9), mul(sq(g3), 0.1));
  const r3 = g3.map((g, i) => g / (Math.sqrt(nu3[i]) + 1e-8));
  assertClose(r1, [Math.sqrt(10), -Math.sqrt(10)], 'hand arithmetic of r1', 1e-7);

  // plain: x <- x - 0.01 r
  const p1 = sub(X0, mul(r1, 0.01));
  const p2 = sub(p1, mul(r2, 0.01));
  const p3 = sub(p2, mul(r3, 0.01));
  assertIterates(run(rmsprop(0.01, 0.9, 1e-8)), [p1, p2, p3], 'rmsprop');

  // momentum 0.9: b <- 0.9 b + r; x <- x - 0.01 b
  const b1 = r1;
  const b2 = add(mul(b1, 0.9), r2);
  const b3 = add(mul(b2, 0.9), r3);
  const x1 = sub(X0, mul(b1, 0.01));
  const x2 = sub(x1, mul(b2, 0.01));
  const x3 = sub(x2, mul(b3, 0.01));
  assertIterates(run(rmsprop(0.01, 0.9, 1e-8, { momentum: 0.9 })), [x1, x2, x3], 'rmsprop + momentum');
});

test('scaleByRms eps placement: TF1 form g / sqrt(nu + eps) with nu0 = 1, and the default g / (sqrt(nu) + eps)', () => {
  // decay 0.9, eps 0.1, initialScale 1: nu1 = 0.9 + 0.1 g1^2 = [0.925, 1]; u1 = g1 / sqrt(nu1 + 0.1)
  const nu1 = add(mul([1, 1], 0.9), mul(sq(g1), 0.1));
  assertClose(nu1, [0.925, 1], 'nu1');
  const u1 = g1.map((g, i) => g / Math.sqrt(nu1[i] + 0.1));
  const trace = run(chain(scaleByRms(0.9, 0.1, { initialScale: 1, epsInSqrt: true }), scaleByLearningRate(1)), [g1]);
  assertIterates(trace, [sub(X0, u1)], 'rms tf1');
  // The default (PyTorch, optax) form with the same large eps: nu1 = 0.1 g1^2, u1 = g1 / (sqrt(nu1) + 0.1).
  const nuDefault = mul(sq(g1), 0.1);
  const uDefault = g1.map((g, i) => g / (Math.sqrt(nuDefault[i]) + 0.1));
  assertIterates(run(chain(scaleByRms(0.9, 0.1), scaleByLearningRate(1)), [g1]), [sub(X0, uDefault)], 'rms eps outside the root');
});

test('clipByGlobalNorm rescales to the max norm and reports the pre-clip norm', () => {
  // max norm 1, then lr 0.1.
  // |g1| = sqrt(0.25 + 1) = 1.1180340 > 1: c1 = g1 / 1.1180340 = [0.4472136, -0.8944272]
  // |g2| = sqrt(2.25 + 4) = 2.5 > 1:        c2 = g2 / 2.5 = [0.6, 0.8]
  // |g3| = sqrt(0.0625 + 0.25) = 0.5590170 <= 1: unchanged
  const trace = run(chain(clipByGlobalNorm(1), scaleByLearningRate(0.1)));
  assertIterates(trace, [
    [1 - 0.04472136, -2 + 0.08944272],
    [1 - 0.04472136 - 0.06, -2 + 0.08944272 - 0.08],
    [1 - 0.04472136 - 0.06 + 0.025, -2 + 0.08944272 - 0.08 - 0.05],
  ], 'clip');
  assertClose(trace.stats.map((s) => s['clip_by_global_norm/global_norm']), [Math.sqrt(1.25), 2.5, Math.sqrt(0.3125)], 'global_norm stat');
  assert.deepEqual(trace.stats.map((s) => s['clip_by_global_norm/clipped']), [1, 1, 0]);
});

test('chain order matters: clip then scale by 2, or scale by 2 then clip', () => {
  // clip -> lr 2: steps -2 c_t of norm 2 while clipped
  //   x1 = [1 - 0.8944272, -2 + 1.7888544] = [0.1055728, -0.2111456]
  //   x2 = x1 - 2 [0.6, 0.8]                = [-1.0944272, -1.8111456]
  //   x3 = x2 - 2 g3 (|g3| < 1)             = [-0.5944272, -2.8111456]
  assertIterates(run(chain(clipByGlobalNorm(1), scaleByLearningRate(2))), [
    [0.1055728, -0.2111456],
    [-1.0944272, -1.8111456],
    [-0.5944272, -2.8111456],
  ], 'clip then lr', 1e-6);
  // lr 2 -> clip: the step -2 g_t itself is clipped to norm 1
  //   -2 g1 = [-1, 2], norm 2.236 -> [-0.4472136, 0.8944272]: x1 = [0.5527864, -1.1055728]
  //   -2 g2 = [-3, -4], norm 5    -> [-0.6, -0.8]:              x2 = [-0.0472136, -1.9055728]
  //   -2 g3 = [0.5, -1], norm 1.118 -> [0.4472136, -0.8944272]: x3 = [0.4, -2.8]
  assertIterates(run(chain(scaleByLearningRate(2), clipByGlobalNorm(1))), [
    [0.5527864, -1.1055728],
    [-0.0472136, -1.9055728],
    [0.4, -2.8],
  ], 'lr then clip', 1e-6);
});

test('chain order matters: momentum then a scheduled lr (PyTorch) or lr then momentum', () => {
  const lr = schedules.piecewiseConstant([1], [0.1, 0.01]); // 0.1 at the first step, then 0.01
  // trace -> lr: v as for heavy ball; x1 = X0 - 0.1 v1; x2 = x1 - 0.01 [1.95, 1.1]; x3 = x2 - 0.01 [1.505, 1.49]
  assertIterates(run(chain(traceMomentum(0.9), scaleByLearningRate(lr))), [
    [0.95, -1.9],
    [0.9305, -1.911],
    [0.91545, -1.9259],
  ], 'trace then lr');
  // lr -> trace: w1 = -0.1 g1 = [-0.05, 0.1]; w2 = 0.9 w1 - 0.01 g2 = [-0.06, 0.07]; w3 = 0.9 w2 - 0.01 g3 = [-0.0515, 0.058]
  assertIterates(run(chain(scaleByLearningRate(lr), traceMomentum(0.9))), [
    [0.95, -1.9],
    [0.89, -1.83],
    [0.8385, -1.772],
  ], 'lr then trace');
});

test('addDecayedWeights with a mask', () => {
  // wd 0.5 on w only, lr 0.1: w1 = w0 - 0.1 (g + 0.5 w0) = [1 - 0.1, -2 + 0.2]; b1 = 3 - 0.1 * 1
  const tx = chain(addDecayedWeights(0.5, { mask: (n) => n !== 'b' }), scaleByLearningRate(0.1));
  const params: Params = { w: tf.tensor1d([1, -2]), b: tf.tensor1d([3]) };
  const grads: Params = { w: tf.tensor1d([0.5, -1]), b: tf.tensor1d([1]) };
  const r = takeStep(tx, params, tx.init(params), grads);
  assertClose(r.params.w.dataSync(), [0.9, -1.8], 'w');
  assertClose(r.params.b.dataSync(), [2.9], 'b');
  tf.dispose([...Object.values(params), ...Object.values(grads), ...Object.values(r.params)]);
});

test('scaleByDiagonal: a fixed diagonal preconditioner, broadcast over leading axes', () => {
  // P = [2, 0.5], lr 0.1: x1 = [1 - 0.1 * 2 * 0.5, -2 - 0.1 * 0.5 * -1] = [0.9, -1.95]
  //                       x2 = [0.9 - 0.3, -1.95 - 0.1] = [0.6, -2.05]; x3 = [0.6 + 0.05, -2.05 - 0.025]
  assertIterates(run(chain(scaleByDiagonal({ x: [2, 0.5] }), scaleByLearningRate(0.1))), [
    [0.9, -1.95],
    [0.6, -2.05],
    [0.65, -2.075],
  ], 'diagonal');
  // A [2]-diagonal on a [3, 2] parameter (the NQM's [seeds, d]) scales every row.
  const tx = chain(scaleByDiagonal({ x: tf.tensor1d([2, 0.5]) }), scaleByLearningRate(1));
  const params = { x: tf.zeros([3, 2]) };
  const grads = { x: tf.ones([3, 2]) };
  const r = takeStep(tx, params, tx.init(params), grads);
  assertClose(r.params.x.dataSync(), [-2, -0.5, -2, -0.5, -2, -0.5], 'broadcast');
  assert.throws(() => scaleByDiagonal({ x: [1, 2, 3] }).init({ x: params.x }), /does not broadcast to the parameter's \[3, 2\]/);
  assert.throws(() => scaleByDiagonal({ y: [1] }).init({ x: params.x }), /no parameter named "y"/);
  assert.throws(() => scaleByDiagonal({}).init({ x: params.x }), /no diagonal for parameter "x"/);
  tf.dispose([params.x, grads.x, r.params.x, ...stateTensors(r.state)]);
});

test('emaOfParams: EMA of the iterates, evaluated on the averaged params', () => {
  // SGD lr 0.1 iterates x1..x3 = [0.95, -1.9], [0.8, -2.1], [0.825, -2.15]; decay 0.8, ema0 = x0:
  // ema1 = 0.8 [1, -2] + 0.2 [0.95, -1.9]           = [0.99, -1.98]
  // ema2 = 0.8 [0.99, -1.98] + 0.2 [0.8, -2.1]       = [0.952, -2.004]
  // ema3 = 0.8 [0.952, -2.004] + 0.2 [0.825, -2.15]  = [0.9266, -2.0332]
  const tx = sgd(0.1, { ema: 0.8 });
  let params: Params = { x: tf.tensor1d(X0) };
  let state = tx.init(params);
  const emas = [
    [0.99, -1.98],
    [0.952, -2.004],
    [0.9266, -2.0332],
  ];
  const iterates = [
    [0.95, -1.9],
    [0.8, -2.1],
    [0.825, -2.15],
  ];
  assertClose(evaluationParams(tx, state, params).x.dataSync(), X0, 'ema0');
  G.forEach((g, k) => {
    const gt = { x: tf.tensor1d(g) };
    const r = takeStep(tx, params, state, gt);
    tf.dispose([params.x, gt.x]);
    params = r.params;
    state = r.state;
    assertClose(params.x.dataSync(), iterates[k], `iterate ${k + 1} (the EMA does not change the iterates)`);
    assertClose(tx.averaged!(state)!.x.dataSync(), emas[k], `ema${k + 1}`);
    assertClose(evaluationParams(tx, state, params).x.dataSync(), emas[k], `evaluationParams ${k + 1}`);
  });
  // Without an EMA, the params are evaluated.
  const plain = sgd(0.1);
  assert.equal(evaluationParams(plain, plain.init(params), params), params);
  // It must come last.
  assert.throws(() => chain(emaOfParams(0.9), scaleByLearningRate(0.1)), /ema_of_params must be the last transform/);
  assert.throws(() => chain(sgd(0.1, { ema: 0.9 }), scale(2)), /must be the last transform/);
});

test('stats: streamed scalars, prefixed by the transform name', () => {
  const trace = run(sgd(0.1));
  assert.deepEqual(Object.keys(trace.stats[0]).sort(), ['grad/global_norm', 'scale_by_learning_rate/learning_rate', 'update/global_norm']);
  const gradNorms = [Math.sqrt(1.25), 2.5, Math.sqrt(0.3125)];
  assertClose(trace.stats.map((s) => s['grad/global_norm']), gradNorms, 'grad norm');
  assertClose(trace.stats.map((s) => s['update/global_norm']), mul(gradNorms, 0.1), 'update norm');
  assert.deepEqual(trace.stats.map((s) => s['scale_by_learning_rate/learning_rate']), [0.1, 0.1, 0.1]);
  // A schedule's value is reported at each step.
  const sched = run(sgd(schedules.piecewiseConstant([1, 2], [0.3, 0.2, 0.1])));
  assert.deepEqual(sched.stats.map((s) => s['scale_by_learning_rate/learning_rate']), [0.3, 0.2, 0.1]);
  // extras.stats = false skips the ones that read the device.
  const cheap = run(sgd(0.1), G, { stats: false });
  assert.deepEqual(Object.keys(cheap.stats[0]), ['scale_by_learning_rate/learning_rate']);
  // Repeated names are numbered; nested chains prefix their own name.
  const dup = run(chain(trackGlobalNorm('n'), scale(2), trackGlobalNorm('n')), [g1]);
  assertClose([dup.stats[0]['n/global_norm'], dup.stats[0]['n_2/global_norm']], [Math.sqrt(1.25), 2 * Math.sqrt(1.25)], 'dup');
  const nested = run(chain(clipByGlobalNorm(100), sgd(0.1)), [g1]);
  assert.deepEqual(Object.keys(nested.stats[0]).sort(), [
    'clip_by_global_norm/clipped',
    'clip_by_global_norm/global_norm',
    'sgd/grad/global_norm',
    'sgd/scale_by_learning_rate/learning_rate',
    'sgd/update/global_norm',
  ]);
});

test('needs: chain takes the union; conflicting layer statistics and missing extras are errors', () => {
  const needing = (name: string, needs: GradientTransformation['needs']): GradientTransformation<null> => ({
    name,
    needs,
    init: () => null,
    update(grads, _s, _p, extras) {
      requireExtras(name, needs, extras);
      return { updates: tf.tidy(() => ({ x: tf.mul(grads.x, extras.loss ?? 1) })), state: null };
    },
  });
  assert.deepEqual(sgd(0.1).needs, {});
  const tx = chain(needing('a', { loss: true }), identity(), needing('b', { layerStats: 'sampled', jvp: true }), scaleByLearningRate(1));
  assert.deepEqual(tx.needs, { loss: true, layerStats: 'sampled', jvp: true });
  assert.deepEqual(chain(tx, needing('c', { step: true, curvatureProduct: true })).needs, {
    loss: true,
    layerStats: 'sampled',
    jvp: true,
    step: true,
    curvatureProduct: true,
  });
  assert.throws(() => chain(needing('a', { layerStats: true }), needing('b', { layerStats: 'sampled' })), /conflicting layerStats/);
  // The loop must provide what was asked for.
  const params = { x: tf.tensor1d([1, 1]) };
  const grads = { x: tf.tensor1d([1, 2]) };
  assert.throws(() => tx.update(grads, tx.init(params), params, { loss: 2 }), /b needs layerStats, jvp in extras/);
  const ok = chain(needing('a', { loss: true }), scaleByLearningRate(1));
  const r = ok.update(grads, ok.init(params), params, { loss: 3 });
  assertClose(r.updates.x.dataSync(), [-3, -6], 'loss passed through extras');
  tf.dispose([params.x, grads.x, r.updates.x]);
});

test('tensor ownership: inputs are borrowed, updates fresh, replaced state disposed', () => {
  const params = { x: tf.tensor1d([1, 2]) };
  const grads = { x: tf.tensor1d([0.5, 0.5]) };
  const transforms: GradientTransformation<never>[] = [
    identity(),
    trackGlobalNorm('n'),
    addDecayedWeights(0),
    clipByGlobalNorm(100),
    scale(1),
    emaOfParams(0.9),
    traceMomentum(0.9),
    scaleByAdam(),
    scaleByRms(),
    scaleByDiagonal({ x: 1 }),
    chain(),
    chain(identity(), identity()),
  ] as GradientTransformation<never>[];
  for (const t of transforms) {
    const state = t.init(params);
    const before = stateTensors(state);
    assert.ok(!before.includes(params.x), `${t.name}: init must not keep the params' tensors`);
    const r = t.update(grads, state, params, {});
    assert.ok(!params.x.isDisposed && !grads.x.isDisposed, `${t.name} disposed an input`);
    assert.notEqual(r.updates.x, grads.x, `${t.name} returned its input`);
    const after = new Set(stateTensors(r.state));
    for (const old of before) assert.ok(after.has(old) || old.isDisposed, `${t.name} leaked a replaced state tensor`);
    assert.ok(!after.has(r.updates.x), `${t.name}: updates alias the state`);
    tf.dispose([r.updates.x, ...after]);
  }
  tf.dispose([params.x, grads.x]);
});

test('invalid hyperparameters are errors naming them', () => {
  assert.throws(() => traceMomentum(1), /momentum must be in \[0, 1\), got 1/);
  assert.throws(() => scaleByAdam(0.9, 1.5), /beta2 must be in \[0, 1\)/);
  assert.throws(() => clipByGlobalNorm(0), /clip norm must be > 0/);
  assert.throws(() => scaleByLearningRate(NaN), /learning rate must be a finite number/);
  assert.throws(() => emaOfParams(-0.1), /EMA decay must be in \[0, 1\)/);
  const bad = scaleByLearningRate(() => Infinity);
  const p = { x: tf.tensor1d([1]) };
  assert.throws(() => bad.update(p, bad.init(p), p, {}), /learning rate schedule gave Infinity at step 0/);
  p.x.dispose();
});
