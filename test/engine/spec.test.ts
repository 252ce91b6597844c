// One spec error for every part of an experiment file: each part's error is a SpecError whose JSON
// pointer says where, and the shared checkers (did-you-mean, ranges, pointers) behave as the
// messages of each part rely on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetSpecError, validateDatasetSpec } from '../../engine/src/data';
import { parseExperiment } from '../../engine/src/experiment/load';
import { ExperimentError } from '../../engine/src/experiment/validate';
import { InitSpecError, parseInit } from '../../engine/src/models/init';
import { ModelSpecError, makeModel } from '../../engine/src/models';
import { OptimizerSpecError, makeOptimizer } from '../../engine/src/optim';
import { closestName, editDistance } from '../../engine/src/spec/did-you-mean';
import { optionPathToPointer, pointerOf } from '../../engine/src/spec/pointer';
import { describeRange, inRange } from '../../engine/src/spec/range';
import { SpecError } from '../../engine/src/spec/spec-error';
import { SetupInvalid } from '../../engine/src/sweep/messages';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  assert.fail('did not throw');
}

describe('SpecError', () => {
  test('optimizer, model, initializer and dataset errors are SpecErrors with a JSON pointer', () => {
    const opt = thrown(() => makeOptimizer({ type: 'sgd', learningRate: 0.1, schedule: { type: 'step', decaySteps: -1, factor: 0.5 } }));
    assert.ok(opt instanceof OptimizerSpecError && opt instanceof SpecError, String(opt));
    assert.equal(opt.pointer, optionPathToPointer(opt.path));
    assert.match(opt.pointer, /^\/schedule\//);
    assert.equal(opt.under('/optimizers/2'), `/optimizers/2${opt.pointer}`);

    const model = thrown(() => makeModel({ type: 'cnn', conv: [{ filters: 4, kernelSize: 3 }, { filters: 4, kernelSize: 0 }] }, { inputShape: [8, 8, 1], outputSize: 2 }));
    assert.ok(model instanceof ModelSpecError && model instanceof SpecError, String(model));
    assert.equal(model.path, 'conv[1].kernelSize');
    assert.equal(model.pointer, '/conv/1/kernelSize');

    const init = thrown(() => parseInit('he-nromal'));
    assert.ok(init instanceof InitSpecError && init instanceof SpecError);
    assert.equal(init.pointer, '');

    const data = thrown(() => validateDatasetSpec({ type: 'clusters', classes: 1 }, '/problem/data'));
    assert.ok(data instanceof DatasetSpecError && data instanceof SpecError);
    assert.equal(data.pointer, '/problem/data/classes');
    const bare = thrown(() => validateDatasetSpec({ type: 'clusters', classes: 1 }));
    assert.ok(bare instanceof DatasetSpecError);
    assert.equal(bare.pointer, '/classes');

    const setup = new SetupInvalid('/problem/model/widths', 'widths must be ...');
    assert.ok(setup instanceof SpecError);
    assert.equal(setup.path, setup.pointer);
  });

  test("an invalid experiment file is a SpecError pointing at its first problem", () => {
    const text = JSON.stringify({ name: 'x', problem: { type: 'nqm' }, target: { metric: 'loss', value: 0.01 }, batchSizes: [4], optimizers: [{ type: 'sgd', lerningRate: 0.1 }] }, null, 2);
    const err = thrown(() => parseExperiment(text, 'x.optlab.json'));
    assert.ok(err instanceof ExperimentError && err instanceof SpecError);
    assert.equal(err.pointer, '/optimizers/0/lerningRate');
    assert.match(err.message, /x\.optlab\.json:\d+:\d+ \/optimizers\/0\/lerningRate: unknown key 'lerningRate'.* - did you mean 'learningRate'\?/);
  });
});

describe('shared spec checkers', () => {
  test('editDistance and closestName', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(closestName('lerningRate', ['momentum', 'learningRate']), 'learningRate');
    assert.equal(closestName('LEARNINGRATE', ['learningRate']), 'learningRate');
    assert.equal(closestName('zzz', ['learningRate']), undefined);
    // Prefixes count as slips only when asked ('warmup' for 'warmupSteps').
    assert.equal(closestName('warmup', ['warmupSteps']), undefined);
    assert.equal(closestName('warmup', ['warmupSteps'], { prefixes: true }), 'warmupSteps');
    assert.equal(closestName('Flaten', ['flatten'], { ignoreCase: true, maxDistance: 1 }), 'flatten');
    assert.equal(closestName('Flaten', ['flatten'], { maxDistance: 1 }), undefined);
  });

  test('numeric ranges', () => {
    assert.equal(describeRange({ min: 0, minExclusive: true }), 'must be > 0');
    assert.equal(describeRange({ min: 0 }), 'must be >= 0');
    assert.equal(describeRange({ min: 0, max: 1, maxExclusive: true }), 'must be in [0, 1)');
    assert.ok(inRange(0, { min: 0, max: 1, maxExclusive: true }));
    assert.ok(!inRange(1, { min: 0, max: 1, maxExclusive: true }));
    assert.ok(!inRange(0, { min: 0, minExclusive: true }));
    assert.ok(!inRange(1.5, { integer: true }));
  });

  test('JSON pointers escape ~ and /', () => {
    assert.equal(pointerOf(['optimizers', 2, 'learningRate']), '/optimizers/2/learningRate');
    assert.equal(pointerOf(['a/b', 'c~d']), '/a~1b/c~0d');
    assert.equal(optionPathToPointer('schedule.decaySteps'), '/schedule/decaySteps');
    assert.equal(optionPathToPointer(''), '');
  });
});
