// The providers of optimizer inputs (engine/src/train/inputs): one per need the optimizers can
// declare, all of them at once in one step without leaking tensors, and the subsets they share.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gaussianClusters } from '../../../engine/src/data/synthetic';
import { chain, NEED_NAMES, sgd, type Extras, type GradientTransformation, type Needs, type State } from '../../../engine/src/optim';
import { DESCRIPTORS } from '../../../engine/src/optim/registry';
import { initBackend } from '../../../engine/src/tf/backend';
import { train } from '../../../engine/src/train';
import { PROVIDERS } from '../../../engine/src/train/inputs';
import { tinyMlp } from './tiny-model';

const data = gaussianClusters({ classes: 3, dim: 6, separation: 3, std: 1, trainSize: 128, testSize: 32, seed: 3 });

before(async () => {
  await initBackend('cpu');
});

/** A transform that asks for `needs`, hands the extras to `check` and changes nothing. */
function probe(needs: Needs, check: (extras: Extras) => void): GradientTransformation<State> {
  return {
    name: 'probe',
    needs,
    init: () => null,
    update: (grads, state, _params, extras) => {
      check(extras);
      return { updates: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.zerosLike(g)])), state };
    },
  };
}

describe('loop inputs', () => {
  test('every need has exactly one provider, and every need a registered optimizer declares is one', () => {
    assert.deepEqual(Object.keys(PROVIDERS).sort(), [...NEED_NAMES].sort());
    for (const d of DESCRIPTORS) for (const need of d.needs) assert.ok(need in PROVIDERS, `${d.type} declares ${need}, which no provider fills`);
  });

  test('all needs at once: each is provided, subsets are honoured, and the tensor count stays flat', async () => {
    const counts: number[] = [];
    let steps = 0;
    const needs: Needs = { loss: true, lossAt: true, step: true, jvp: true, vjp: true, curvatureProduct: true, outputSpace: true, outputSpaceFraction: 0.5, layerStats: 'sampled', layerStatsFraction: 0.25 };
    const tx = chain(
      probe(needs, (extras) => {
        for (const need of NEED_NAMES) assert.ok(extras[need] !== undefined, `${need} not provided`);
        assert.equal(extras.step, steps++);
        // The output space covers the first half of the 16 rows; the sampled taps the first quarter.
        assert.equal(extras.outputSpace!.output.shape[0], 8);
        assert.equal(extras.layerStats!.fc1.inputs.shape[0], 4);
      }),
      sgd(0.1),
    );
    await train({ model: tinyMlp(6, [8], 3), train: data.train, optimizer: tx, batchSize: 16, seed: 1, budget: { maxSteps: 5 }, onMetrics: () => counts.push(tf.memory().numTensors) });
    assert.equal(steps, 5);
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensor count moved: ${counts.join(', ')}`);
  });
});
