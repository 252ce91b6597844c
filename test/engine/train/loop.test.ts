// The training loop on a tiny problem (Gaussian clusters, a tiny MLP defined in tiny-model.ts):
// reaching a target, divergence, determinism, checkpoint/resume equivalence, a flat tensor count,
// and the extras that optimizers' needs ask for (taps, pre-activation gradients, loss evaluator,
// curvature and Hessian products).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { gaussianClusters } from '../../../engine/src/data/synthetic';
import { chain, makeOptimizer, sgd, type GradientTransformation, type Params, type State } from '../../../engine/src/optim';
import type { MetricRow } from '../../../engine/src/store/types';
import { initBackend } from '../../../engine/src/tf/backend';
import { train, type TrainOptions } from '../../../engine/src/train';
import { tinyMlp } from './tiny-model';

const data = gaussianClusters({ classes: 3, dim: 6, separation: 3, std: 1, trainSize: 384, testSize: 192, seed: 3 });

let tmp: string;
before(async () => {
  await initBackend('cpu'); // with the engine's gradient corrections, as the engine runs
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-train-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function base(over: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model: tinyMlp(6, [8], 3),
    train: data.train,
    test: data.test,
    optimizer: makeOptimizer({ type: 'sgd', learningRate: 0.2 }),
    batchSize: 16,
    seed: 7,
    budget: { maxSteps: 300 },
    ...over,
  };
}

function withoutWallTime(rows: MetricRow[]): MetricRow[] {
  return rows.map(({ wallTime: _w, ...r }) => r);
}

describe('training loop', () => {
  test('a target relative to the initial loss equals the absolute target it resolves to', async () => {
    const rel = await train(base({ target: { metric: 'trainLoss', value: 0.3, evalEvery: 5, relativeToInitial: true } }));
    assert.equal(rel.status, 'reached');
    assert.ok(rel.initialEvaluation! > 0.5, `initial loss ${rel.initialEvaluation}`);
    assert.ok(Math.abs(rel.targetValue! - 0.3 * rel.initialEvaluation!) < 1e-12);
    const abs = await train(base({ target: { metric: 'trainLoss', value: rel.targetValue!, evalEvery: 5 } }));
    assert.equal(abs.stepsToTarget, rel.stepsToTarget);
    assert.equal(abs.targetValue, rel.targetValue);
    await assert.rejects(train(base({ target: { metric: 'testAccuracy', value: 0.5, evalEvery: 5, relativeToInitial: true } })), /relativeToInitial applies to loss metrics/);
  });

  test('reaches a reachable target and reports the first evaluated step that meets it', async () => {
    const rows: MetricRow[] = [];
    const r = await train(base({ target: { metric: 'testAccuracy', value: 0.9, evalEvery: 5 }, onMetrics: (row) => rows.push(row) }));
    assert.equal(r.status, 'reached');
    assert.ok(r.stepsToTarget !== null && r.stepsToTarget > 0 && r.stepsToTarget <= 300, String(r.stepsToTarget));
    assert.equal(r.stepsToTarget % 5, 0);
    assert.equal(r.steps, r.stepsToTarget);
    const evals = rows.filter((row) => typeof row.testAccuracy === 'number');
    const last = evals[evals.length - 1];
    assert.equal(last.step, r.stepsToTarget);
    assert.ok((last.testAccuracy as number) >= 0.9);
    for (const e of evals.slice(0, -1)) assert.ok((e.testAccuracy as number) < 0.9, `eval at ${e.step} already met the target`);
    // Every step is logged with the documented columns.
    assert.equal(rows.length, r.steps);
    for (const key of ['step', 'examples', 'wallTime', 'loss', 'accuracy', 'learningRate', 'grad/global_norm', 'update/global_norm']) assert.ok(key in rows[0], key);
    assert.equal(rows[0].learningRate, 0.2);
    assert.equal(rows[rows.length - 1].examples, r.stepsToTarget * 16);
  });

  test('a relative resolution evaluates at geometrically spaced early steps', async () => {
    const rows: MetricRow[] = [];
    await train(base({ budget: { maxSteps: 30 }, target: { metric: 'trainLoss', value: 1e-9, evalEvery: 20, relativeResolution: 0.25 }, onMetrics: (row) => rows.push(row) }));
    const evalSteps = rows.filter((row) => 'trainLoss' in row).map((row) => row.step);
    assert.deepEqual(evalSteps, [1, 2, 3, 4, 5, 7, 9, 12, 15, 19, 20, 24, 30]);
  });

  test('an unreachable target ends at the budget; a step limit from outside stops earlier', async () => {
    const r = await train(base({ budget: { maxSteps: 25 }, target: { metric: 'trainLoss', value: 1e-6, evalEvery: 10 } }));
    assert.equal(r.status, 'budget');
    assert.equal(r.stepsToTarget, null);
    assert.equal(r.steps, 25);
    assert.equal(r.evaluations, 2);
    assert.equal(r.stoppedByLimit, false);
    const limited = await train(base({ budget: { maxSteps: 25 }, stepLimit: () => 12, target: { metric: 'trainLoss', value: 1e-6, evalEvery: 10 } }));
    assert.deepEqual([limited.status, limited.steps, limited.stoppedByLimit], ['budget', 12, true]);
  });

  test('a huge learning rate diverges', async () => {
    const r = await train(base({ optimizer: makeOptimizer({ type: 'sgd', learningRate: 1e4 }), target: { metric: 'testAccuracy', value: 0.99, evalEvery: 5 } }));
    assert.equal(r.status, 'diverged');
    assert.equal(r.stepsToTarget, null);
    assert.ok(r.steps < 300, `diverged only at ${r.steps}`);
    assert.match(r.divergence ?? '', /at step \d+/);
  });

  test('an explicit divergence threshold applies to the minibatch loss', async () => {
    const r = await train(base({ budget: { maxSteps: 50, divergeAbove: 0.01 } }));
    assert.equal(r.status, 'diverged');
    assert.equal(r.steps, 1);
    assert.match(r.divergence!, /> 0\.01000 at step 1/);
  });

  test('cancellation stops between steps', async () => {
    const controller = new AbortController();
    let seen = 0;
    const r = await train(base({ signal: controller.signal, onMetrics: () => ++seen === 7 && controller.abort() }));
    assert.deepEqual([r.status, r.steps], ['cancelled', 7]);
  });

  test('same seed, same metrics; another seed, other metrics', async () => {
    const run = async (seed: number) => {
      const rows: MetricRow[] = [];
      await train(base({ seed, optimizer: makeOptimizer({ type: 'adam', learningRate: 0.01 }), budget: { maxSteps: 40 }, target: { metric: 'testLoss', value: 1e-6, evalEvery: 10 }, onMetrics: (row) => rows.push(row) }));
      return withoutWallTime(rows);
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    assert.equal(a.length, 40);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  for (const spec of [{ type: 'adam', learningRate: 0.01 }, { type: 'momentum', learningRate: 0.05, momentum: 0.9, ema: 0.9 }]) {
    test(`checkpoint and resume continue identically (${spec.type})`, async () => {
      const common = { optimizer: makeOptimizer(spec), target: { metric: 'testLoss' as const, value: 1e-6, evalEvery: 7 } };
      const full: MetricRow[] = [];
      const straight = await train(base({ ...common, budget: { maxSteps: 40 }, onMetrics: (row) => full.push(row), returnParams: true }));
      const dir = fs.mkdtempSync(path.join(tmp, 'ckpt-'));
      const parts: MetricRow[] = [];
      const first = await train(base({ ...common, budget: { maxSteps: 18 }, onMetrics: (row) => parts.push(row), checkpoint: { dir, atEnd: true } }));
      assert.equal(first.steps, 18);
      assert.ok(fs.existsSync(path.join(dir, 'checkpoint.json')));
      const resumed = await train(base({ ...common, optimizer: makeOptimizer(spec), budget: { maxSteps: 40 }, onMetrics: (row) => parts.push(row), resumeFrom: dir, returnParams: true }));
      assert.equal(resumed.resumedFrom, 18);
      assert.equal(resumed.steps, 40);
      assert.equal(resumed.evaluations, straight.evaluations);
      assert.deepEqual(withoutWallTime(parts), withoutWallTime(full));
      for (const name of Object.keys(straight.params!)) {
        assert.deepEqual(Array.from(resumed.params![name].dataSync()), Array.from(straight.params![name].dataSync()), name);
      }
      tf.dispose([...Object.values(straight.params!), ...Object.values(resumed.params!)]);
    });
  }

  test('a checkpoint of another seed or batch size is refused', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'ckpt-'));
    await train(base({ budget: { maxSteps: 3 }, checkpoint: { dir, atEnd: true } }));
    await assert.rejects(train(base({ seed: 8, resumeFrom: dir })), /seed 7 and batch size 16, not seed 8/);
  });

  test('the tensor count stays flat over many steps, and returns to where it was', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const optimizer = makeOptimizer({ type: 'adam', learningRate: 0.01, ema: 0.9, clipNorm: 1 });
    await train(base({ optimizer, budget: { maxSteps: 150 }, target: { metric: 'testLoss', value: 1e-6, evalEvery: 10 }, onMetrics: () => counts.push(tf.memory().numTensors) }));
    assert.equal(counts.length, 150);
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensor count moved: ${[...new Set(counts)].join(', ')}`);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('what the optimizer needs', () => {
  /** A transform that records the extras it is given (then hands the gradient on). */
  function probe(needs: GradientTransformation['needs'], check: (grads: Params, params: Params, extras: Parameters<GradientTransformation['update']>[3]) => void): GradientTransformation<State> {
    return {
      name: 'probe',
      needs,
      init: () => null,
      update: (grads, state, params, extras) => {
        check(grads, params, extras);
        return { updates: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.clone(g)])), state };
      },
    };
  }

  test('loss, step, lossAt and layer taps with pre-activation gradients of the summed loss', async () => {
    let calls = 0;
    const counts: number[] = [];
    const tx = chain(
      probe({ loss: true, step: true, lossAt: true, layerStats: true }, (grads, params, extras) => {
        assert.equal(extras.step, calls);
        calls++;
        assert.ok(Number.isFinite(extras.loss));
        assert.ok(Math.abs(extras.lossAt!(params) - extras.loss!) < 1e-5);
        const taps = extras.layerStats!;
        assert.deepEqual(Object.keys(taps), ['fc1', 'fc2']);
        assert.deepEqual(taps.fc1.inputs.shape, [16, 6]);
        assert.deepEqual(taps.fc1.outputGrads.shape, [16, 8]);
        assert.deepEqual(taps.fc2.inputs.shape, [16, 8]);
        assert.deepEqual(taps.fc2.outputGrads.shape, [16, 3]);
        // dL/dW = a^T g / B for a dense layer, g the per-example (summed-loss) pre-activation gradients.
        for (const name of ['fc1', 'fc2']) {
          const t = taps[name];
          const fromTaps = tf.tidy(() => tf.div(tf.matMul(t.inputs, t.outputGrads, true, false), 16));
          const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(fromTaps, grads[t.weight]))).dataSync()[0]);
          fromTaps.dispose();
          assert.ok(diff < 1e-5, `${name}: taps disagree with the weight gradient by ${diff}`);
        }
      }),
      sgd(0.1),
    );
    await train(base({ optimizer: tx, budget: { maxSteps: 6 }, onMetrics: () => counts.push(tf.memory().numTensors) }));
    assert.equal(calls, 6);
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensor count moved: ${counts.join(', ')}`);
  });

  test('sampled targets give other pre-activation gradients, the same inputs', async () => {
    const seen: number[] = [];
    const tx = chain(
      probe({ layerStats: 'sampled' }, (_g, _p, extras) => {
        seen.push(tf.tidy(() => tf.sum(tf.abs(extras.layerStats!.fc2.outputGrads)).dataSync()[0]));
      }),
      sgd(0.1),
    );
    await train(base({ optimizer: tx, budget: { maxSteps: 3 } }));
    assert.equal(seen.length, 3);
    assert.ok(seen.every((s) => s > 0 && Number.isFinite(s)));
  });

  test('curvature (GGN) products equal Hessian products on a linear model, and are symmetric', async () => {
    let checked = 0;
    const tx = chain(
      probe({ curvatureProduct: true, jvp: true }, (grads, _params, extras) => {
        const v: Params = Object.fromEntries(Object.entries(grads).map(([k, g], i) => [k, tf.randomNormal(g.shape, 0, 1, 'float32', 11 + i)]));
        const w: Params = Object.fromEntries(Object.entries(grads).map(([k, g], i) => [k, tf.randomNormal(g.shape, 0, 1, 'float32', 31 + i)]));
        const gv = extras.curvatureProduct!(v);
        const hv = extras.jvp!(v);
        const gw = extras.curvatureProduct!(w);
        for (const k of Object.keys(grads)) {
          const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(gv[k], hv[k]))).dataSync()[0]);
          const scale = tf.tidy(() => tf.max(tf.abs(hv[k])).dataSync()[0]);
          assert.ok(diff <= 1e-4 * Math.max(1, scale), `${k}: GGN v and H v differ by ${diff} (scale ${scale})`);
        }
        const dot = (a: Params, b: Params) => tf.tidy(() => tf.addN(Object.keys(a).map((k) => tf.sum(tf.mul(a[k], b[k])))).dataSync()[0]);
        const wGv = dot(w, gv);
        const vGw = dot(v, gw);
        assert.ok(Math.abs(wGv - vGw) <= 1e-4 * Math.max(1, Math.abs(wGv)), `w.Gv ${wGv} != v.Gw ${vGw}`);
        tf.dispose([...Object.values(v), ...Object.values(w), ...Object.values(gv), ...Object.values(hv), ...Object.values(gw)]);
        checked++;
      }),
      sgd(0.1),
    );
    await train(base({ model: tinyMlp(6, [], 3), optimizer: tx, budget: { maxSteps: 2 } }));
    assert.equal(checked, 2);
  });

  test('output-space products: <u, J v> = <J^T u, v>, and J^T H_L J v is the curvature product', async () => {
    let checked = 0;
    const tx = chain(
      probe({ outputSpace: true, curvatureProduct: true }, (grads, _params, extras) => {
        const s = extras.outputSpace!;
        const v: Params = Object.fromEntries(Object.entries(grads).map(([k, g], i) => [k, tf.randomNormal(g.shape, 0, 1, 'float32', 5 + i)]));
        const u = tf.randomNormal(s.output.shape, 0, 1, 'float32', 77);
        const jv = s.jvp(v);
        const jtu = s.vjp(u);
        assert.deepEqual(jv.shape, s.output.shape);
        assert.deepEqual(s.lossGrad.shape, s.output.shape);
        const dot = (a: Params, b: Params) => tf.tidy(() => tf.addN(Object.keys(a).map((k) => tf.sum(tf.mul(a[k], b[k])))).dataSync()[0]);
        const left = tf.tidy(() => tf.sum(tf.mul(u, jv)).dataSync()[0]);
        const right = dot(jtu, v);
        assert.ok(Math.abs(left - right) <= 1e-4 * Math.max(1, Math.abs(left)), `<u,Jv> ${left} != <J^T u,v> ${right}`);
        const hjv = s.curvature(jv);
        const quad = tf.tidy(() => tf.sum(tf.mul(jv, hjv)).dataSync()[0]);
        const gv = extras.curvatureProduct!(v);
        const vGv = dot(v, gv);
        assert.ok(quad > 0 && Math.abs(quad - vGv) <= 1e-4 * Math.max(1, quad), `(Jv)^T H (Jv) ${quad} != v^T G v ${vGv}`);
        tf.dispose([u, jv, hjv, ...Object.values(v), ...Object.values(jtu), ...Object.values(gv)]);
        checked++;
      }),
      sgd(0.1),
    );
    await train(base({ model: tinyMlp(6, [5], 3), optimizer: tx, budget: { maxSteps: 2 } }));
    assert.equal(checked, 2);
  });
});
