// The natural-gradient optimizer against independent computations:
//  - 'exact' = the P x P damped solve -eta (GGN + lambda I)^-1 grad (push-through identity), for
//    softmax cross-entropy (H_L not a multiple of I);
//  - for squared error, section 6's form -eta J^T (J J^T + c I)^-1 (u - y) with c = batch * lambda,
//    J built here by per-output gradients; its stats (Gram eigenvalues, residual);
//  - 'cg' run to convergence agrees with 'exact';
//  - options, needs, a flat tensor count over many steps, and state that serialises and resumes.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { solve, symmetricEigenvalues } from '../../../../engine/src/linalg';
import { Relu2Model } from '../../../../engine/src/models/relu2';
import { deserializeState, disposeState, serializeState, takeStep, type Extras, type Params } from '../../../../engine/src/optim';
import { naturalGradient, type NaturalGradientOptions } from '../../../../engine/src/optim/natural-gradient';
import { initBackend } from '../../../../engine/src/tf/backend';
import { ggnProduct } from '../../../../engine/src/train/output-space';
import { batchFor, disposeTree, flatten, gaussian, ggnMatrix, minibatch, relativeError, tinyMlp, type Minibatch } from './helpers';

before(async () => {
  await initBackend('cpu');
});

function extrasOf(mb: Minibatch, stats = true): Extras {
  return { outputSpace: mb.space, curvatureProduct: (v: Params) => ggnProduct(mb.space, v), stats };
}

/** One update of a fresh optimizer on the minibatch: flattened updates and stats. */
function oneUpdate(mb: Minibatch, options: NaturalGradientOptions): { update: Float64Array; stats: Record<string, number> } {
  const tx = naturalGradient(options);
  const state = tx.init(mb.params);
  const r = tx.update(mb.grads, state, mb.params, extrasOf(mb));
  const update = flatten(r.updates, mb.layout);
  disposeTree(r.updates);
  disposeState(r.state);
  return { update, stats: r.stats ?? {} };
}

function softmaxProblem(seed = 3, batch = 6): Minibatch & { all(): void } {
  const model = tinyMlp('softmax-cross-entropy');
  const params = model.init(seed);
  const { x, y } = batchFor(model, batch, seed);
  const mb = minibatch(model, params, x, y);
  return { ...mb, all: () => (mb.dispose(), tf.dispose([x, y, ...Object.values(params)])) };
}

/** Section 6's net, small: n unit inputs in R^4, m = 64. */
function relu2Problem(n = 8): Minibatch & { all(): void; model: Relu2Model } {
  const d = 4;
  const model = new Relu2Model({ inputSize: d, width: 64, nu: 1, signSeed: 2 });
  const params = model.init(4);
  const raw = gaussian(n * d, 21);
  for (let i = 0; i < n; i++) {
    const row = raw.subarray(i * d, (i + 1) * d);
    const len = Math.hypot(...row);
    for (let k = 0; k < d; k++) row[k] /= len;
  }
  const x = tf.tensor2d(raw, [n, d]);
  const y = tf.tensor2d(gaussian(n, 22), [n, 1]);
  const mb = minibatch(model, params, x, y);
  return { ...mb, model, all: () => (mb.dispose(), tf.dispose([x, y, ...Object.values(params)])) };
}

describe('exact natural gradient', () => {
  test('softmax cross-entropy: equals -eta (GGN + lambda I)^-1 grad solved in parameter space', () => {
    const mb = softmaxProblem();
    const lambda = 1e-2;
    const eta = 0.7;
    const p = mb.layout.total;
    const a = ggnMatrix(mb);
    for (let i = 0; i < p; i++) a[i * p + i] += lambda;
    const expected = solve(a, p, flatten(mb.grads, mb.layout)).map((v) => -eta * v);
    const { update, stats } = oneUpdate(mb, { method: 'exact', damping: lambda, learningRate: eta });
    const err = relativeError(update, expected);
    assert.ok(err < 1e-4, `relative error ${err}`);
    assert.equal(stats.learning_rate, eta);
    assert.equal(stats.residual, undefined, 'no residual for cross-entropy');
    assert.ok(stats.gram_lambda_max > 0 && stats.gram_condition >= 1);
    // The undamped system is singular for softmax (H_L kills the all-ones direction).
    assert.throws(() => oneUpdate(mb, { method: 'exact', damping: 0 }), /singular.*damping > 0/);
    mb.all();
  });

  test('squared error: section 6 update -eta J^T (J J^T + c I)^-1 (u - y) with c = batch * lambda, and its stats', () => {
    const n = 8;
    const mb = relu2Problem(n);
    const p = mb.layout.total;
    // J row by row from the gradients of each output (independent of outputSpace).
    const names = mb.layout.names;
    const jac = new Float64Array(n * p);
    for (let i = 0; i < n; i++) {
      const g = tf.tidy(() => {
        const gs = tf.grads((...ps: tf.Tensor[]) => tf.slice(mb.model.forward({ [names[0]]: ps[0] }, mb.x).output, [i, 0], [1, 1]).sum())([mb.params[names[0]]]);
        return gs[0].reshape([-1]);
      });
      jac.set(g.dataSync(), i * p);
      g.dispose();
    }
    const u = mb.output.dataSync();
    const yv = mb.target.dataSync();
    const r = Float64Array.from(u, (v, i) => v - yv[i]);
    const gram = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let k = 0; k < p; k++) gram[a * n + b] += jac[a * p + k] * jac[b * p + k];
    const eig = symmetricEigenvalues(gram, n);
    for (const lambda of [1e-3, 0]) {
      const eta = 0.5;
      const c = n * lambda;
      const k = gram.slice();
      for (let i = 0; i < n; i++) k[i * n + i] += c;
      const s = solve(k, n, r);
      const expected = new Float64Array(p);
      for (let a = 0; a < n; a++) for (let q = 0; q < p; q++) expected[q] -= eta * jac[a * p + q] * s[a];
      const { update, stats } = oneUpdate(mb, { method: 'exact', damping: lambda, learningRate: eta });
      const err = relativeError(update, expected);
      assert.ok(err < 1e-4, `lambda ${lambda}: relative error ${err}`);
      const residual = r.reduce((acc, v) => acc + v * v, 0);
      assert.ok(Math.abs(stats.residual - residual) < 1e-5 * residual, `residual ${stats.residual} vs ${residual}`);
      assert.ok(Math.abs(stats.gram_lambda_min - eig[0]) < 1e-4 * eig[n - 1], `lambda_min ${stats.gram_lambda_min} vs ${eig[0]}`);
      assert.ok(Math.abs(stats.gram_lambda_max - eig[n - 1]) < 1e-4 * eig[n - 1], `lambda_max ${stats.gram_lambda_max} vs ${eig[n - 1]}`);
      assert.ok(Math.abs(stats.gram_condition - eig[n - 1] / eig[0]) < 1e-3 * (eig[n - 1] / eig[0]));
    }
    // A wrong correspondence (c = lambda, not batch * lambda) would give a visibly different step.
    const lambda = 1e-2;
    const wrong = gram.slice();
    for (let i = 0; i < n; i++) wrong[i * n + i] += lambda;
    const sw = solve(wrong, n, r);
    const wrongStep = new Float64Array(p);
    for (let a = 0; a < n; a++) for (let q = 0; q < p; q++) wrongStep[q] -= jac[a * p + q] * sw[a];
    const { update } = oneUpdate(mb, { method: 'exact', damping: lambda, learningRate: 1 });
    assert.ok(relativeError(update, wrongStep) > 1e-2, 'c = lambda would be indistinguishable');
    mb.all();
  });
});

describe('CG natural gradient', () => {
  test('run to convergence, it agrees with the exact one (softmax and squared error)', () => {
    for (const [what, make, lambda] of [
      ['softmax MLP 3-4-3', () => softmaxProblem(8), 1e-2],
      ['relu2 4-64', () => relu2Problem(8), 1e-3],
    ] as const) {
      const mb = make();
      const exact = oneUpdate(mb, { method: 'exact', damping: lambda, learningRate: 0.5 });
      const cg = oneUpdate(mb, { method: 'cg', damping: lambda, learningRate: 0.5, cgIterations: 300, cgTolerance: 1e-6 });
      const err = relativeError(cg.update, exact.update);
      console.log(`${what}: CG ${cg.stats.cg_iterations} iterations, residual ${cg.stats.cg_residual.toExponential(2)}, relative difference from exact ${err.toExponential(2)}`);
      assert.ok(err < 2e-3, `${what}: CG vs exact relative difference ${err}`);
      assert.ok(cg.stats.cg_residual <= 1e-6 || cg.stats.cg_iterations === 300);
      // Stopped early, CG is a worse solve: the stats say so.
      const short = oneUpdate(mb, { method: 'cg', damping: lambda, learningRate: 0.5, cgIterations: 2 });
      assert.equal(short.stats.cg_iterations, 2);
      assert.ok(short.stats.cg_residual > 1e-3, `2 iterations residual ${short.stats.cg_residual}`);
      mb.all();
    }
  });
});

describe('options, memory and state', () => {
  test('validation, defaults and needs', () => {
    assert.throws(() => naturalGradient({ learningRate: 0 }), /learningRate must be a number > 0/);
    assert.throws(() => naturalGradient({ damping: -1 }), /damping must be a finite number >= 0/);
    assert.throws(() => naturalGradient({ method: 'lbfgs' as never }), /method must be 'exact' or 'cg'/);
    assert.throws(() => naturalGradient({ cgIterations: 0 }), /cgIterations must be an integer >= 1/);
    assert.throws(() => naturalGradient({ cgTolerance: NaN }), /cgTolerance/);
    assert.deepEqual(naturalGradient().needs, { outputSpace: true });
    assert.deepEqual(naturalGradient({ method: 'cg' }).needs, { curvatureProduct: true });
    const tx = naturalGradient();
    const params = { w: tf.zeros([2]) };
    assert.throws(() => tx.update(params, tx.init(params), params, {}), /needs outputSpace/);
    tf.dispose(params.w);
  });

  for (const method of ['exact', 'cg'] as const) {
    test(`${method}: 150 steps keep tf.memory().numTensors flat`, () => {
      const model = tinyMlp('softmax-cross-entropy');
      const { x, y } = batchFor(model, 5, 1);
      const tx = naturalGradient({ method, learningRate: 0.1, damping: 1e-2, cgIterations: 10 });
      let params = model.init(1);
      let state = tx.init(params);
      let flat = -1;
      for (let k = 0; k < 150; k++) {
        const mb = minibatch(model, params, x, y);
        const r = takeStep(tx, params, state, mb.grads, extrasOf(mb, k % 3 === 0));
        mb.dispose();
        disposeTree(params);
        params = r.params;
        state = r.state;
        if (k === 0) flat = tf.memory().numTensors;
        else assert.equal(tf.memory().numTensors, flat, `step ${k}`);
      }
      disposeTree(params);
      disposeState(state);
      tf.dispose([x, y]);
    });
  }

  test('state serialises; a resumed run continues with the same schedule and updates', () => {
    const mb = softmaxProblem(2);
    const opts: NaturalGradientOptions = { learningRate: (k) => 0.5 / (1 + k), damping: 1e-2 };
    const tx = naturalGradient(opts);
    let state = tx.init(mb.params);
    for (let k = 0; k < 3; k++) {
      const r = tx.update(mb.grads, state, mb.params, extrasOf(mb));
      disposeTree(r.updates);
      state = r.state;
    }
    const restored = deserializeState<typeof state>(JSON.parse(JSON.stringify(serializeState(state))));
    assert.deepEqual(restored, { count: 3 });
    const a = tx.update(mb.grads, state, mb.params, extrasOf(mb));
    const b = naturalGradient(opts).update(mb.grads, restored, mb.params, extrasOf(mb));
    assert.equal(a.stats!.learning_rate, 0.5 / 4);
    assert.deepEqual(b.stats, a.stats);
    assert.deepEqual(flatten(b.updates, mb.layout), flatten(a.updates, mb.layout));
    disposeTree(a.updates);
    disposeTree(b.updates);
    mb.all();
  });
});
