// A batch size larger than the training set is an error naming its JSON path and the dataset size
// (it used to be clamped to full batch, yet labelled and fitted as the size asked for).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExperiment } from '../../../engine/src/experiment/load';
import { setupOf } from '../../../engine/src/problems/supervised/setup';
import { SetupInvalid } from '../../../engine/src/sweep/messages';
import { planSweep } from '../../../engine/src/sweep/plan';
import { SetupCheck } from '../../../engine/src/sweep/setup-check';
import { prepare } from '../../../engine/src/sweep/worker';

function experiment(batchSizes: unknown, trainSize = 60): string {
  return JSON.stringify({
    name: 'clusters',
    problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 4, trainSize, testSize: 30 }, model: { type: 'mlp', widths: [8] } },
    target: { metric: 'testAccuracy', value: 0.9 },
    budget: { maxSteps: 10 },
    batchSizes,
    optimizers: [{ label: 'SGD', type: 'sgd', learningRate: 0.1 }],
  });
}

describe('batch sizes above the dataset size', () => {
  test('the sweep setup refuses a listed size at its own pointer, naming the training-set size', () => {
    const exp = parseExperiment(experiment([4, 16, 64, 128]));
    const setup = setupOf(exp, planSweep(exp), 'cpu');
    assert.throws(
      () => prepare(setup),
      (e: unknown) => e instanceof SetupInvalid && e.path === '/batchSizes/2' && /batch size 64 is larger than the training set \(60 examples/.test(e.message),
    );
  });

  test('a powersOf2 range is refused at its "to"', () => {
    const exp = parseExperiment(experiment({ powersOf2: { from: 2, to: 7 } }, 100));
    assert.throws(() => prepare(setupOf(exp, planSweep(exp), 'cpu')), (e: unknown) => e instanceof SetupInvalid && e.path === '/batchSizes/powersOf2/to' && /batch size 128 .*100 examples/.test(e.message));
  });

  test('a batch of exactly the training set is allowed (full batch)', () => {
    const exp = parseExperiment(experiment([15, 60]));
    assert.doesNotThrow(() => prepare(setupOf(exp, planSweep(exp), 'cpu')));
  });

  test('the editor check reports it while the file is edited', async () => {
    const issues = await new SetupCheck().issues(experiment([8, 61]));
    assert.deepEqual(issues.map((i) => i.path), ['/batchSizes/1']);
    assert.match(issues[0].message, /61 is larger than the training set \(60 examples/);
  });
});
