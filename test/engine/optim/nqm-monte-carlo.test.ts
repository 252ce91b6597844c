// Issue 4's check: a Monte-Carlo NQM run through the real tfjs optimizer transforms (SGD, heavy-ball
// momentum, SGD preconditioned by P = H^-p, and SGD wrapped in the EMA of iterates, science-spec
// 1.5 test 2) agrees with the analytic expected loss of engine/src/nqm/dynamics.ts within 5% at
// every logged step. The loss is measured where the training loop evaluates: evaluationParams
// (the averaged iterate for the EMA wrapper).
//
// Unbinned NQM, d = 1000, h_i = 1/i, c = h, theta_0 ~ N(0, I); 256 seeds as one [256, d] tensor;
// g = h * theta + sqrt(c / B) * N(0, 1) with the normals from the seeded Rng.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { chain, disposeState, emaOfParams, evaluationParams, momentum, scaleByDiagonal, sgd, takeStep, type GradientTransformation, type Params, type State } from '../../../engine/src/optim';
import { lossCurve } from '../../../engine/src/nqm/dynamics';
import { buildProblem, preconditioner } from '../../../engine/src/nqm/model';
import type { NqmOptimizer } from '../../../engine/src/nqm/types';
import { Rng } from '../../../engine/src/util/random';

const problem = buildProblem({ dim: 1000, exponent: 1, bins: 0, noise: { power: 1, scale: 1 }, initVariance: 1, target: 0.01 });
const D = problem.spec.dim;
const SEEDS = 256;
const B = 8;
// As in the pure-TS Monte-Carlo test: 2000 steps reach the slowest coordinate's time scale at lr 0.5.
const T = 2000;
const LOG_STEPS = [...new Set([0, ...Array.from({ length: 41 }, (_, k) => Math.round(T ** (k / 40)))])];
const TOL = 0.05;

interface Case {
  model: NqmOptimizer;
  make: () => GradientTransformation<State>;
}

const cases: Record<string, Case> = {
  sgd: { model: { kind: 'sgd', lr: 0.5, precondition: 0 }, make: () => sgd(0.5) },
  // NQM momentum v <- m v - lr g; x <- x + v is traceMomentum(m) then scaleByLearningRate(lr).
  momentum: { model: { kind: 'momentum', lr: 0.1, momentum: 0.9, precondition: 0 }, make: () => momentum(0.1, 0.9) },
  'preconditioned sgd (p = 0.5)': {
    model: { kind: 'sgd', lr: 0.3, precondition: 0.5 },
    make: () => chain(scaleByDiagonal({ theta: preconditioner(problem.h, 0.5) }), sgd(0.3)),
  },
  // theta~_{t+1} = g theta~_t + (1 - g) theta_{t+1} on top of SGD (issue 10, item 5). Guards the EMA
  // formula in optim/transforms.ts emaOfParams: decay and 1 - decay swapped, or the loss read on
  // the raw iterate instead of the average (both applied on purpose and caught). Averaging theta_t
  // instead of theta_{t+1} moves the curve by ~2% at step 1 (~1.5 standard errors with 256 seeds),
  // below this test's resolution: transforms.test.ts's emaOfParams test catches that one.
  'ema of iterates (decay 0.9) over sgd': { model: { kind: 'ema', lr: 0.5, decay: 0.9, precondition: 0 }, make: () => chain(sgd(0.5), emaOfParams(0.9)) },
};

let backend = 'cpu';
before(async () => {
  // wasm runs these elementwise ops ~10x faster than the pure-JS cpu backend; fall back to cpu.
  try {
    if (await tf.setBackend('wasm')) backend = 'wasm';
  } catch {
    /* cpu */
  }
  if (backend !== 'wasm') await tf.setBackend('cpu');
  await tf.ready();
});

interface Simulation {
  mean: number[];
  stdErr: number[];
}

/** Mean and standard error over the seeds of L = 1/2 sum_i h_i theta_i^2 at each logged step. */
function simulate(tx: GradientTransformation<State>, seed: number): Simulation {
  const rng = new Rng(seed);
  const buf64 = new Float64Array(SEEDS * D);
  const buf32 = new Float32Array(SEEDS * D);
  const normals = () => {
    rng.fillNormal(buf64);
    buf32.set(buf64);
    return tf.tensor2d(buf32, [SEEDS, D]);
  };
  const h = tf.tensor1d(Float32Array.from(problem.h));
  const halfH = tf.mul(h, 0.5);
  const noiseStd = tf.tensor1d(Float32Array.from(problem.c, (c) => Math.sqrt(c / B)));
  const initStd = Math.sqrt(problem.spec.initVariance);
  let params: Params = { theta: tf.tidy(() => tf.mul(normals(), initStd)) };
  let state = tx.init(params);
  const logged = new Set(LOG_STEPS);
  const out: Simulation = { mean: [], stdErr: [] };
  for (let k = 0; k <= T; k++) {
    if (logged.has(k)) {
      const theta = evaluationParams(tx, state, params).theta;
      const perSeed = tf.tidy(() => tf.sum(tf.mul(halfH, tf.square(theta)), 1));
      const losses = perSeed.dataSync() as Float32Array;
      perSeed.dispose();
      let s = 0;
      let s2 = 0;
      for (const l of losses) {
        s += l;
        s2 += l * l;
      }
      const mean = s / SEEDS;
      out.mean.push(mean);
      out.stdErr.push(Math.sqrt(Math.max(0, s2 / SEEDS - mean * mean) / (SEEDS - 1)));
    }
    if (k === T) break;
    const z = normals();
    const grads = tf.tidy(() => ({ theta: tf.add(tf.mul(h, params.theta), tf.mul(noiseStd, z)) }));
    z.dispose();
    const r = takeStep(tx, params, state, grads, { stats: false });
    tf.dispose([grads.theta, params.theta]);
    params = r.params;
    state = r.state;
  }
  disposeState(state);
  tf.dispose([params.theta, h, halfH, noiseStd]);
  return out;
}

function worst(sim: Simulation, model: Float64Array): { rel: number; step: number; z: number } {
  let w = { rel: 0, step: -1, z: 0 };
  LOG_STEPS.forEach((step, k) => {
    const rel = Math.abs(sim.mean[k] - model[k]) / model[k];
    const z = Math.abs(sim.mean[k] - model[k]) / sim.stdErr[k];
    if (rel > w.rel) w = { rel, step, z: Math.max(w.z, z) };
    else w.z = Math.max(w.z, z);
  });
  return w;
}

Object.entries(cases).forEach(([name, c], i) => {
  test(`tfjs Monte-Carlo NQM: ${name} matches the analytic expected loss within 5% at every logged step`, (t) => {
    const tensorsBefore = tf.memory().numTensors;
    const t0 = performance.now();
    const sim = simulate(c.make(), 20190709 + i);
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(tf.memory().numTensors, tensorsBefore, 'the simulation leaked tensors');
    const model = lossCurve(problem, c.model, B, LOG_STEPS);
    const w = worst(sim, model);
    t.diagnostic(`${backend}, ${T} steps in ${seconds.toFixed(1)} s; loss ${sim.mean[0].toFixed(1)} -> ${sim.mean[sim.mean.length - 1].toPrecision(4)} (model ${model[model.length - 1].toPrecision(4)}); worst relative error ${w.rel.toFixed(4)} at step ${w.step}; largest gap ${w.z.toFixed(2)} standard errors`);
    assert.ok(w.rel < TOL, `relative error ${w.rel.toFixed(4)} at step ${w.step}`);
    // The gap is within the simulation's own sampling error too.
    assert.ok(w.z < 5, `largest gap is ${w.z.toFixed(2)} standard errors`);
    // The check can fail: the model with the learning rate 20% off is rejected by the same data.
    const wrong = { ...c.model, lr: 1.2 * (c.model as { lr: number }).lr } as NqmOptimizer;
    const off = worst(sim, lossCurve(problem, wrong, B, LOG_STEPS));
    assert.ok(off.rel > TOL, `the wrong model is only ${off.rel.toFixed(4)} off`);
    if (c.model.kind === 'ema') {
      // The average is what was measured: plain SGD's curve (no averaging) is rejected too.
      const raw = worst(sim, lossCurve(problem, { kind: 'sgd', lr: c.model.lr, precondition: 0 }, B, LOG_STEPS));
      assert.ok(raw.rel > TOL, `plain SGD's curve is only ${raw.rel.toFixed(4)} off the EMA run`);
    }
  });
});
