// Tensor memory: 500 steps of every optimizer on a small noisy quadratic, with the tensor count
// checked after every step. A leak of one tensor per step anywhere in the chain fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  chain,
  disposeState,
  evaluationParams,
  makeOptimizer,
  scaleByDiagonal,
  serializeState,
  sgd,
  takeStep,
  type GradientTransformation,
  type Params,
  type State,
} from '../../../engine/src/optim';

const STEPS = 500;

const optimizers: Record<string, () => GradientTransformation<State>> = {
  sgd: () => makeOptimizer({ type: 'sgd', learningRate: 0.05 }),
  momentum: () => makeOptimizer({ type: 'momentum', learningRate: 0.05, momentum: 0.9 }),
  nesterov: () => makeOptimizer({ type: 'nesterov', learningRate: 0.05, momentum: 0.9 }),
  adam: () => makeOptimizer({ type: 'adam', learningRate: 0.01 }),
  adamw: () => makeOptimizer({ type: 'adamw', learningRate: 0.01, weightDecay: 0.01 }),
  rmsprop: () => makeOptimizer({ type: 'rmsprop', learningRate: 0.01 }),
  'rmsprop + momentum': () => makeOptimizer({ type: 'rmsprop', learningRate: 0.01, momentum: 0.9 }),
  'adam + clip + L2 + EMA + warmup-cosine': () =>
    makeOptimizer({ type: 'adam', learningRate: 0.01, clipNorm: 1, weightDecay: 1e-3, ema: 0.99, schedule: { warmupSteps: 50, decay: 'cosine', decaySteps: 400 } }),
  'nesterov + clip + EMA + piecewise': () =>
    makeOptimizer({ type: 'nesterov', learningRate: 0.05, clipNorm: 5, ema: 0.9, schedule: { decay: 'piecewise', boundaries: [100, 300], factors: [1, 0.3, 0.1] } }),
  'preconditioned sgd': () => chain(scaleByDiagonal({ w: [0.5, 0.5, 0.5, 0.5], b: [1, 2, 3, 4] }), sgd(0.05)),
};

/** Curvature of the quadratic per parameter element. */
const curvature = { w: tf.linspace(0.1, 2, 32).reshape([8, 4]), b: tf.tensor1d([0.5, 1, 1.5, 2]) };

function gradsAt(params: Params, k: number): Params {
  return tf.tidy(() => ({
    w: tf.add(tf.mul(curvature.w, params.w), tf.randomNormal([8, 4], 0, 0.1, 'float32', k)),
    b: tf.add(tf.mul(curvature.b, params.b), tf.randomNormal([4], 0, 0.1, 'float32', 10000 + k)),
  }));
}

for (const [name, make] of Object.entries(optimizers)) {
  test(`${name}: ${STEPS} steps keep tf.memory().numTensors flat`, () => {
    const baseline = tf.memory().numTensors;
    const tx = make();
    let params: Params = { w: tf.ones([8, 4]), b: tf.ones([4]) };
    let state = tx.init(params);
    let flat = -1;
    let last: Record<string, number> = {};
    for (let k = 0; k < STEPS; k++) {
      const grads = gradsAt(params, k);
      // Stats (device reads) on every 10th step, as a loop that logs every 10 steps would.
      const r = takeStep(tx, params, state, grads, { stats: k % 10 === 0 });
      tf.dispose([...Object.values(grads), ...Object.values(params)]);
      params = r.params;
      state = r.state;
      if (k % 10 === 0) last = r.stats;
      // Evaluating on the averaged params borrows tensors: nothing to free, nothing leaked.
      evaluationParams(tx, state, params);
      const n = tf.memory().numTensors;
      if (k === 0) flat = n;
      else assert.equal(n, flat, `${name}: ${n - flat} more tensors after step ${k + 1} than after step 1`);
    }
    // The run did something sensible (finite and smaller than at the start).
    const norm = tf.tidy(() => tf.norm(params.w).dataSync()[0]);
    assert.ok(Number.isFinite(norm) && norm < Math.sqrt(32), `${name}: |w| = ${norm}`);
    assert.ok(Object.values(last).every(Number.isFinite) && Object.keys(last).length >= 3, `${name}: stats ${JSON.stringify(last)}`);
    // Serializing reads but does not allocate.
    serializeState(state);
    assert.equal(tf.memory().numTensors, flat);
    disposeState(state);
    disposeState(params);
    assert.equal(tf.memory().numTensors, baseline, `${name}: tensors left after disposing state and params`);
  });
}
