// Experiment files with a neural problem: validation (JSON paths, lines, problem-specific keys),
// resolution (grids, defaults) and the sweep plan. NQM files are covered by experiment.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadExperiment, parseExperiment } from '../../../engine/src/experiment/load';
import { ExperimentError, type ExperimentIssue } from '../../../engine/src/experiment/validate';
import { bestOfCell, gridPoints, planSweep, stepLimitFor } from '../../../engine/src/sweep/plan';

const ROOT = path.resolve(__dirname, '../../..');

function neural(): Record<string, unknown> {
  return {
    name: 'neural-case',
    problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 4, trainSize: 64, testSize: 32 }, model: { type: 'mlp', widths: [8] } },
    target: { metric: 'testAccuracy', value: 0.9, evalEvery: 5 },
    budget: { maxSteps: 100 },
    batchSizes: [8, 32],
    optimizers: [
      { type: 'sgd', learningRate: { logspace: [-2, 0, 3] } },
      { type: 'momentum', learningRate: [0.01, 0.1], momentum: [0.5, 0.9] },
      { label: 'Adam fast', type: 'adam', learningRate: 0.001, beta2: [0.99, 0.999], eps: 1e-7, clipNorm: 1 },
    ],
  };
}

function issuesOf(json: unknown): { text: string; issues: ExperimentIssue[] } {
  const text = JSON.stringify(json, null, 2);
  try {
    parseExperiment(text, 'case.optlab.json');
  } catch (err) {
    if (err instanceof ExperimentError) return { text, issues: err.issues };
    throw err;
  }
  return { text, issues: [] };
}

const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('neural experiment files', () => {
  test('resolve with grids, defaults and labels', () => {
    const r = parseExperiment(JSON.stringify(neural()));
    assert.equal(r.problem.type, 'classification');
    assert.deepEqual(r.target, { metric: 'testAccuracy', value: 0.9, evalEvery: 5, evalSize: 1000 });
    assert.deepEqual(r.budget, { maxSteps: 100 });
    assert.equal(r.backend, 'auto');
    assert.deepEqual(r.optimizers.map((o) => o.label), ['SGD', 'Momentum', 'Adam fast']);
    assert.deepEqual(r.optimizers[0].grids, { learningRate: [0.01, 0.1, 1] });
    assert.deepEqual(r.optimizers[1].grids, { learningRate: [0.01, 0.1], momentum: [0.5, 0.9] });
    assert.deepEqual(r.optimizers[2].grids, { learningRate: [0.001], beta2: [0.99, 0.999] });
    assert.deepEqual(r.optimizers[2].fixed, { eps: 1e-7, clipNorm: 1 });
  });

  test('the shipped neural examples load', () => {
    for (const f of ['quick-critical-batch.optlab.json', 'mnist-critical-batch.optlab.json']) {
      const r = loadExperiment(path.join(ROOT, 'examples', f));
      assert.equal(r.problem.type, 'classification', f);
      assert.deepEqual(r.optimizers.map((o) => o.type), ['sgd', 'momentum', 'adam', 'kfac'], f);
    }
    const curvature: [string, string, string[]][] = [
      ['kfac-autoencoder.optlab.json', 'autoencoder', ['kfac', 'momentum', 'adam']],
      ['kfc-convnet.optlab.json', 'classification', ['kfac', 'momentum']],
      ['ngd-overparameterized.optlab.json', 'regression', ['ngd', 'ngd', 'sgd']],
    ];
    for (const [f, problem, types] of curvature) {
      const r = loadExperiment(path.join(ROOT, 'examples', f));
      assert.equal(r.problem.type, problem, f);
      assert.deepEqual(r.optimizers.map((o) => o.type), types, f);
      assert.equal(r.batchSizes.length, 1, `${f}: one batch size (a comparison)`);
    }
  });

  test('curvature optimizers: K-FAC without a learning rate is one trial per damping value; NGD needs a learning rate', () => {
    const exp = neural() as Record<string, unknown>;
    exp.optimizers = [
      { label: 'K-FAC', type: 'kfac', damping: [1, 10], inverseEvery: 5, statsFraction: 0.25 },
      { type: 'ngd', method: 'cg', learningRate: 1, damping: 0, cgIterations: 20 },
    ];
    const r = parseExperiment(JSON.stringify(exp));
    assert.deepEqual(r.optimizers.map((o) => o.label), ['K-FAC', 'NGD']);
    assert.deepEqual(r.optimizers[0].grids, { damping: [1, 10] });
    assert.deepEqual(r.optimizers[0].fixed, { inverseEvery: 5, statsFraction: 0.25 });
    assert.deepEqual(r.optimizers[1].grids, { learningRate: [1], damping: [0] });
    assert.deepEqual(r.optimizers[1].fixed, { method: 'cg', cgIterations: 20 });
    exp.optimizers = [{ type: 'ngd', damping: 1 }, { type: 'kfac', damping: -1, beta1: 0.9 }];
    const { issues } = issuesOf(exp);
    assert.ok(issues.some((i) => i.path === '/optimizers/0' && /missing required key 'learningRate'/.test(i.message)), JSON.stringify(issues));
    assert.ok(issues.some((i) => i.path.startsWith('/optimizers/1')), JSON.stringify(issues));
    exp.optimizers = [{ type: 'kfac' }, { type: 'kfac', damping: 10 }];
    assert.ok(issuesOf(exp).issues.some((i) => i.path === '/optimizers/1' && /K-FAC/.test(i.message)), 'two K-FAC entries with the same (default) label');
  });

  test('an unknown key inside a neural optimizer names its path, line and the allowed keys', () => {
    const json = neural();
    (json.optimizers as Record<string, unknown>[])[2].betta1 = 0.9;
    const { text, issues } = issuesOf(json);
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.equal(issues[0].path, '/optimizers/2/betta1');
    assert.match(issues[0].message, /^unknown key 'betta1' \(allowed: label, type, learningRate, beta1, beta2, eps, weightDecay, clipNorm, ema, schedule\) - did you mean 'beta1'\?/);
    assert.equal(issues[0].line, lineOf(text, '"betta1"'));
  });

  test('optimizer types and target metrics follow the problem type', () => {
    const json = neural();
    (json.optimizers as Record<string, unknown>[])[0].type = 'ema';
    (json.target as Record<string, unknown>).metric = 'loss';
    const { issues } = issuesOf(json);
    assert.deepEqual(
      issues.map((i) => [i.path, i.message]),
      [
        ['/target/metric', "expected one of 'trainLoss', 'testLoss', 'accuracy', 'testAccuracy', got 'loss'"],
        ['/optimizers/0/type', "expected one of 'sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'kfac', 'ngd', got 'ema'"],
      ],
    );
  });

  test('problem-specific top-level keys: budget is required, logPoints is the NQM\'s', () => {
    const { budget: _b, ...json } = neural();
    const { issues } = issuesOf({ ...json, logPoints: 50 });
    assert.deepEqual(
      issues.map((i) => i.path).sort(),
      ['', '/logPoints'],
    );
    assert.match(issues.find((i) => i.path === '')!.message, /missing required key 'budget'/);
    const nqm = { name: 'n', problem: { type: 'nqm' }, target: { metric: 'loss', value: 0.01 }, batchSizes: [4], optimizers: [{ type: 'sgd' }], budget: { maxSteps: 3 } };
    const nqmIssues = issuesOf(nqm).issues;
    assert.deepEqual(nqmIssues.map((i) => [i.path, i.message]), [['/budget', "'budget' applies only to neural problems (classification, regression, autoencoder)"]]);
    const unknown = issuesOf({ ...neural(), budgett: 1 }).issues;
    assert.match(unknown[0].message, /^unknown key 'budgett' \(allowed: \$schema, name, description, problem, target, batchSizes, optimizers, seed, seeds, budget, backend, logEvery, checkpointEvery\) - did you mean 'budget'\?/);
  });

  test('dataset options are checked with their JSON path; semantic checks of grids and targets', () => {
    const json = neural();
    ((json.problem as Record<string, unknown>).data as Record<string, unknown>).trainsize = 10;
    (json.optimizers as Record<string, unknown>[])[1].momentum = [0.5, 1.5];
    delete (json.optimizers as Record<string, unknown>[])[0].learningRate;
    (json.problem as Record<string, unknown>).type = 'regression';
    const { issues } = issuesOf(json);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    assert.match(byPath['/problem/data/trainsize'], /unknown option 'trainsize' \(did you mean 'trainSize'\?\)/);
    assert.equal(byPath['/optimizers/1/momentum/1'], 'momentum must be in [0, 1), got 1.5');
    assert.match(byPath['/optimizers/0'], /missing required key 'learningRate'/);
    assert.match(byPath['/target/metric'], /needs a classification problem, not regression/);
  });
});

describe('sweep plan', () => {
  test('grid points vary the first option slowest; trials run by batch size, round-robin over cells, largest learning rate first', () => {
    assert.deepEqual(gridPoints({ learningRate: [1, 2], momentum: [0.5, 0.9] }), [
      { learningRate: 1, momentum: 0.5 },
      { learningRate: 1, momentum: 0.9 },
      { learningRate: 2, momentum: 0.5 },
      { learningRate: 2, momentum: 0.9 },
    ]);
    const plan = planSweep(parseExperiment(JSON.stringify(neural())));
    assert.equal(plan.cells.length, 6);
    assert.equal(plan.trials.length, 2 * 3 + 2 * 4 + 2 * 2);
    // Batch size 8 first (cells 0, 2, 4), each cell's largest learning rate first.
    assert.deepEqual(plan.order.slice(0, 3).map((t) => [plan.trials[t].cell, plan.trials[t].gridIndex]), [[0, 2], [2, 2], [4, 0]]);
    assert.ok(plan.order.slice(0, 9).every((t) => plan.trials[t].batchSize === 8));
    assert.deepEqual(plan.order.filter((t) => plan.trials[t].cell === 0).map((t) => plan.trials[t].hyperparameters.learningRate), [1, 0.1, 0.01]);
    assert.equal(plan.trials[plan.cells[2].trials[1]].label, 'Momentum B=8 lr=0.01 m=0.9');
    assert.deepEqual(plan.trials[plan.cells[4].trials[1]].optimizerSpec, { type: 'adam', eps: 1e-7, clipNorm: 1, learningRate: 0.001, beta2: 0.999 });
  });

  test('the best trial has the fewest steps, ties going to the earlier grid point; limits never cut a possible winner', () => {
    const plan = planSweep(parseExperiment(JSON.stringify(neural())));
    const [a, b, c] = plan.cells[0].trials;
    assert.equal(bestOfCell(plan, 0, new Map([[a, null], [b, null]])), null);
    assert.equal(bestOfCell(plan, 0, new Map([[a, 40], [b, 30], [c, 30]])), b);
    assert.equal(bestOfCell(plan, 0, new Map([[c, 30], [b, 30]])), b);
    // Against an incumbent at 30 steps: an earlier grid point may tie, a later one must beat it.
    assert.equal(stepLimitFor(plan, a, b, 30, 100), 30);
    assert.equal(stepLimitFor(plan, c, b, 30, 100), 29);
    assert.equal(stepLimitFor(plan, c, null, null, 100), 100);
  });
});
