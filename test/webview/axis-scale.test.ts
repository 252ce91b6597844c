import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { autoLogX, autoLogY, decades, isLearningRate, isLossLike, resolveScale, xSample } from '../../webview/src/model/axis-scale.js';
import { RunSeries } from '../../webview/src/model/series-store.js';

/** An NQM run as the engine logs it: 200 log-spaced steps from 1 to 10^6, the expected loss. */
function nqmRun(id: string, b = 64): RunSeries {
  const s = new RunSeries(id);
  const steps = Array.from({ length: 200 }, (_, i) => Math.round(10 ** ((6 * i) / 199)));
  s.appendColumns({ step: steps, examples: steps.map((k) => k * b), loss: steps.map((k) => 5 / (1 + k / 300) + 0.004), learningRate: steps.map(() => 0.01 * b) }, steps.length);
  return s;
}

function uniformRun(id: string, n: number): RunSeries {
  const s = new RunSeries(id);
  s.appendColumns({ step: Array.from({ length: n }, (_, i) => i + 1), loss: Array.from({ length: n }, (_, i) => 2.3 - i / n) }, n);
  return s;
}

const samples = (runs: RunSeries[], key = 'step') => runs.map((r) => xSample(r, key)!);

describe('default axis scales', () => {
  test('log-spaced steps over 6 decades: log x; the same steps on a linear axis would crowd the left edge', () => {
    const runs = [nqmRun('a', 4), nqmRun('b', 1024)];
    assert.equal(autoLogX(samples(runs)), true);
    assert.equal(autoLogX(samples(runs, 'examples')), true, 'examples seen as well');
  });

  test('rows logged every step up to 10^5 span 5 decades but read best on a linear axis', () => {
    assert.equal(autoLogX(samples([uniformRun('u', 100_000)])), false);
  });

  test('3 decades or less: linear, however the points are spaced', () => {
    const s = new RunSeries('s');
    const steps = Array.from({ length: 50 }, (_, i) => Math.round(10 ** ((3 * i) / 49)));
    s.appendColumns({ step: steps, loss: steps.map(() => 1) }, 50);
    assert.equal(decades(1, 1000), 3);
    assert.equal(autoLogX(samples([s])), false);
    assert.equal(autoLogX([]), false, 'no data: linear');
  });

  test('a step-0 row does not prevent log x (the axis leaves it out); negative x does', () => {
    const s = new RunSeries('s');
    const steps = [0, ...Array.from({ length: 100 }, (_, i) => Math.round(10 ** ((6 * i) / 99)))];
    s.appendColumns({ step: steps, loss: steps.map(() => 1) }, steps.length);
    assert.equal(autoLogX(samples([s])), true);
    const n = new RunSeries('n');
    n.appendColumns({ step: [-5, ...steps], loss: [1, ...steps.map(() => 1)] }, steps.length + 1);
    assert.equal(autoLogX(samples([n])), false);
  });

  test('log y for loss-like metrics over more than 2 decades and for swept learning rates; never with zero or negative values, never for accuracy', () => {
    const a = nqmRun('a');
    assert.equal(autoLogY('loss', [a.extent('loss')!]), true, `loss spans ${decades(a.extent('loss')!.minPositive, a.extent('loss')!.max).toFixed(1)} decades`);
    const ext = (min: number, max: number) => ({ min, max, minPositive: min > 0 ? min : 1e-3, finite: 10 });
    assert.equal(autoLogY('val_loss', [ext(0.5, 2), ext(0.001, 1)]), true, 'pooled over runs');
    assert.equal(autoLogY('loss', [ext(0.5, 20)]), false, '1.6 decades');
    assert.equal(autoLogY('loss', [ext(0, 100)]), false, 'a zero would vanish');
    assert.equal(autoLogY('loss', [ext(-1, 100)]), false);
    assert.equal(autoLogY('accuracy', [ext(1e-4, 1)]), false);
    assert.equal(autoLogY('gradNorm', [ext(1e-4, 1)]), false, 'not loss-like');
    assert.equal(autoLogY('learningRate', [ext(1e-4, 1e-4), ext(0.01, 0.01), ext(1.9, 1.9)]), true, 'a sweep of constant learning rates, 4 decades apart');
    assert.equal(autoLogY('learningRate', [ext(1e-4, 0.1)]), false, 'one run warming up over 3 decades: linear');
    assert.equal(autoLogY('lr', [ext(1e-4, 0.1), ext(1e-3, 0.5)]), false, 'two warm-ups to similar rates');
    assert.ok(isLossLike('train/loss') && isLossLike('test_error') && !isLossLike('loss_acc') && !isLossLike('epoch') && !isLossLike('lr'));
    assert.ok(isLearningRate('lr') && isLearningRate('learning_rate') && isLearningRate('optimizer/lr') && !isLearningRate('loss'));
  });

  test('the user\'s choice wins over the automatic one', () => {
    let asked = 0;
    const auto = () => (asked++, true);
    assert.equal(resolveScale('linear', auto), false);
    assert.equal(resolveScale('log', auto), true);
    assert.equal(asked, 0, 'not even computed');
    assert.equal(resolveScale('auto', auto), true);
  });
});
