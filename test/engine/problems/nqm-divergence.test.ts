// An NQM run whose every grid point diverges (lr 1e9) is recorded 'diverged', not 'completed';
// a run whose grid points only settle above the target stays 'completed' (not reached).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseExperiment } from '../../../engine/src/experiment/load';
import { buildProblem, REFERENCE_NQM } from '../../../engine/src/nqm/model';
import { optimizeBatch } from '../../../engine/src/nqm/search';
import { runNqmExperiment } from '../../../engine/src/problems/nqm/run';
import { RunStore } from '../../../engine/src/store';

const problem = buildProblem({ ...REFERENCE_NQM, dim: 100, bins: 20 });

test('optimizeBatch counts the grid points whose loss grows without bound', () => {
  const r = optimizeBatch(problem, 'sgd', 0, 8, { learningRates: [1e9, 3, 0.01, 1e-12] });
  assert.equal(r.evaluated, 4);
  // lr 1e9 and 3 exceed 2/h_1 = 2: divergent; 0.01 reaches the target; 1e-12 never moves enough.
  assert.equal(r.diverged, 2);
  assert.equal(r.reached, 1);
  const momentum = optimizeBatch(problem, 'momentum', 0, 8, { learningRates: [1e9], momenta: [0, 0.9] });
  assert.deepEqual([momentum.steps, momentum.diverged], [null, 2]);
});

test('lr 1e9: every run diverged, recorded so; a grid that only stalls stays completed, not reached', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-nqm-diverged-'));
  try {
    const store = new RunStore(tmp);
    const exp = parseExperiment(JSON.stringify({
      name: 'diverges',
      problem: { type: 'nqm', dim: 100, bins: 20 },
      target: { metric: 'loss', value: 0.01 },
      batchSizes: [4, 64],
      optimizers: [
        { label: 'huge', type: 'sgd', learningRate: 1e9 },
        { label: 'tiny', type: 'sgd', learningRate: [1e9, 1e-12] },
        { label: 'fine', type: 'sgd', learningRate: [1e9, 0.01] },
      ],
    }));
    const result = await runNqmExperiment(exp, store, { workers: 1 });
    const byLabel = (label: string) => result.runs.filter((r) => r.label === label);
    for (const run of byLabel('huge')) {
      assert.equal(run.status, 'diverged');
      assert.equal(run.stepsToTarget, null);
      assert.match(run.detail ?? '', /diverged/);
      const record = store.get(run.id);
      assert.equal(record.status, 'diverged');
      assert.equal(record.summary.gridPointsDiverged, 1);
    }
    for (const run of byLabel('tiny')) {
      assert.deepEqual([run.status, run.stepsToTarget, store.get(run.id).status], ['completed', null, 'completed']);
    }
    for (const run of byLabel('fine')) {
      assert.equal(store.get(run.id).status, 'completed');
      assert.ok(run.stepsToTarget !== null && run.stepsToTarget > 0);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
