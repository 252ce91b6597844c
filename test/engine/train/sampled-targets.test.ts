// K-FAC's statistics use targets SAMPLED from the model (true Fisher), not the training labels
// (empirical Fisher): checked directly on what the training loop hands an optimizer that asks for
// layerStats 'sampled' (train/loop.ts -> train/inputs/layer-stats.ts), on data whose labels are far
// from anything the model predicts, so that the labels would show at once.
// Guards (each applied on purpose and caught): the provider passing the true targets instead of
// sampledTarget(...); one seed for every step (stepSeed ignoring the step); the main pass's taps
// (needs.layerStats === true path) served for 'sampled'.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../../engine/src/data/dataset';
import type { GradientTransformation, State } from '../../../engine/src/optim';
import { initBackend } from '../../../engine/src/tf/backend';
import { train } from '../../../engine/src/train';
import { tinyMlp } from './tiny-model';

const DIM = 4;
const N = 256;
const STEPS = 20;
const BATCH = 32;

before(async () => {
  await initBackend('cpu');
});

function dataset(task: 'classification' | 'regression', outputs: number): Dataset {
  const x = Float32Array.from({ length: N * DIM }, (_, i) => Math.sin(i * 12.9898) * 1.5);
  if (task === 'classification') return { x, y: new Int32Array(N), n: N, xShape: [DIM], yShape: [], numClasses: outputs };
  // Regression targets 10 away from any prediction of the freshly initialised model.
  return { x, y: new Float32Array(N * outputs).fill(10), n: N, xShape: [DIM], yShape: [outputs] };
}

/** Records, for every step, the last layer's output gradients and its outputs (from its tap and the parameters). */
function recorder(steps: { grads: number[][]; outputs: number[][] }[]): GradientTransformation<State> {
  return {
    name: 'sampled-taps-probe',
    needs: { layerStats: 'sampled' },
    init: () => null,
    update: (grads, state, params, extras) => {
      const tap = extras.layerStats!.fc2;
      const out = tf.tidy(() => tf.add(tf.matMul(tap.inputs as tf.Tensor2D, params['fc2/w'] as tf.Tensor2D), params['fc2/b']));
      steps.push({ grads: tap.outputGrads.arraySync() as number[][], outputs: out.arraySync() as number[][] });
      out.dispose();
      return { updates: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.zerosLike(g)])), state };
    },
  };
}

async function record(task: 'classification' | 'regression', outputs: number) {
  const steps: { grads: number[][]; outputs: number[][] }[] = [];
  await train({ model: tinyMlp(DIM, [6], outputs, task), train: dataset(task, outputs), optimizer: recorder(steps), batchSize: BATCH, seed: 5, budget: { maxSteps: STEPS } });
  assert.equal(steps.length, STEPS);
  return steps;
}

test('squared error: the sampled output gradients are output - (output + N(0, I)) = -noise: mean 0, variance 1, fresh every step, whatever the labels', async () => {
  const steps = await record('regression', 2);
  const all = steps.flatMap((s) => s.grads.flat());
  const n = all.length;
  const mean = all.reduce((a, b) => a + b, 0) / n;
  const meanSq = all.reduce((a, b) => a + b * b, 0) / n;
  // Monte-Carlo bounds (4 sigma): the labels (10 away) would give a mean near -10.
  assert.ok(Math.abs(mean) < 4 / Math.sqrt(n), `mean output gradient ${mean} over ${n} draws (labels would give about -10)`);
  assert.ok(Math.abs(meanSq - 1) < 4 * Math.sqrt(2 / n), `mean square ${meanSq}, expected 1`);
  // Fresh noise every step: consecutive steps' draws are uncorrelated (one seed for every step
  // would repeat them, a correlation near 1).
  const pairs = steps.slice(1).flatMap((s, k) => s.grads.flat().map((g, i) => g * steps[k].grads.flat()[i]));
  const corr = pairs.reduce((a, b) => a + b, 0) / pairs.length;
  assert.ok(Math.abs(corr) < 4 / Math.sqrt(pairs.length), `correlation of consecutive steps' draws ${corr}`);
});

test('softmax cross-entropy: the sampled classes follow softmax(output) (frequency = mean probability per class), not the labels', async () => {
  const K = 3;
  const steps = await record('classification', K);
  const sums = new Array<number>(K).fill(0);
  const variance = new Array<number>(K).fill(0);
  let rows = 0;
  for (const s of steps) {
    s.outputs.forEach((z, i) => {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const total = e.reduce((a, b) => a + b, 0);
      const p = e.map((v) => v / total);
      // outputGrads = p - onehot(sampled class): each row sums to 0 with one entry p_c - 1.
      const g = s.grads[i];
      assert.ok(Math.abs(g.reduce((a, b) => a + b, 0)) < 1e-5, 'a row of output gradients does not sum to 0');
      for (let c = 0; c < K; c++) {
        sums[c] += g[c];
        variance[c] += p[c] * (1 - p[c]);
      }
      rows++;
    });
  }
  assert.equal(rows, STEPS * BATCH);
  // sum_rows (p_c - onehot_c) has mean 0 and variance sum p_c (1 - p_c); every label is 0, which
  // would give about -2/3 of the rows for class 0.
  for (let c = 0; c < K; c++) assert.ok(Math.abs(sums[c]) < 4 * Math.sqrt(variance[c]), `class ${c}: sum of (p - onehot) = ${sums[c]}, 4 sigma = ${4 * Math.sqrt(variance[c])}`);
});
