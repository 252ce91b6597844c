// The problem registry: each problem.type of an experiment file goes to the kind that lists it,
// the runner runs an experiment through that kind, and an unknown type is an error that names the
// type and the kinds the engine knows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseExperiment } from '../../../engine/src/experiment/load';
import { NEURAL_PROBLEM_TYPES, type ResolvedExperiment } from '../../../engine/src/experiment/types';
import { PROBLEM_KINDS, UnknownProblemError, problemKindOf, type ProblemKind } from '../../../engine/src/problems';
import { nqmProblem } from '../../../engine/src/problems/nqm';
import { NQM_BACKEND } from '../../../engine/src/problems/nqm/run';
import { supervisedProblem } from '../../../engine/src/problems/supervised';
import { findingsFor, runExperiment } from '../../../engine/src/runner';
import { RunStore } from '../../../engine/src/store';

const NQM_FILE = {
  name: 'tiny-nqm',
  problem: { type: 'nqm', dim: 100, bins: 10 },
  target: { metric: 'loss', value: 0.05 },
  batchSizes: [4, 64],
  optimizers: [{ type: 'sgd', learningRate: { logspace: [-3, 0.5, 12] } }],
  logPoints: 8,
};

describe('problem registry', () => {
  test('dispatches each problem type to its kind', () => {
    assert.equal(problemKindOf('nqm'), nqmProblem);
    for (const type of NEURAL_PROBLEM_TYPES) assert.equal(problemKindOf(type), supervisedProblem);
    assert.deepEqual(PROBLEM_KINDS.map((k) => k.kind), ['nqm', 'supervised']);
  });

  test('a kind added to a registry is found by its problem types', () => {
    const game: ProblemKind<null> = { kind: 'game', problemTypes: ['bilinear-game'], metrics: [], plan: () => null, run: () => Promise.reject(new Error('not run here')), findings: () => [] };
    assert.equal(problemKindOf('bilinear-game', [...PROBLEM_KINDS, game]), game);
    assert.throws(() => problemKindOf('bilinear-game'), UnknownProblemError);
  });

  test('an unknown problem type names the type and the known kinds', () => {
    assert.throws(
      () => problemKindOf('sequence'),
      (err: unknown) => {
        assert.ok(err instanceof UnknownProblemError);
        assert.match(err.message, /unknown problem type 'sequence'/);
        assert.match(err.message, /nqm \(nqm\)/);
        assert.match(err.message, /supervised \(classification, regression, autoencoder\)/);
        return true;
      },
    );
  });

  test('runExperiment rejects an experiment of an unknown type before creating any run', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-problems-'));
    try {
      const store = new RunStore(tmp);
      const exp = { ...parseExperiment(JSON.stringify(NQM_FILE)), problem: { type: 'game' } } as unknown as ResolvedExperiment;
      await assert.rejects(runExperiment(exp, store), /unknown problem type 'game'.*nqm.*supervised/);
      assert.deepEqual(store.list(), []);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('runExperiment runs an NQM experiment through the nqm kind', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-problems-'));
    try {
      const store = new RunStore(tmp);
      const exp = parseExperiment(JSON.stringify(NQM_FILE));
      const plan = nqmProblem.plan(exp);
      assert.deepEqual(plan.tasks.map((t) => t.batchSize), [4, 64]);
      const result = await runExperiment(exp, store, { workers: 1 });
      assert.equal(result.runs.length, 2);
      for (const run of result.runs) assert.equal(store.get(run.id).engine.backend, NQM_BACKEND);
      assert.deepEqual(result.criticalBatchSize.map((r) => r.optimizer), ['SGD']);
      assert.deepEqual(findingsFor(exp, result), nqmProblem.findings(result));
      // What the engine concluded is recorded beside the runs, for the editor to read.
      const recorded = store.readExperimentResult({ name: exp.name });
      assert.ok(recorded, 'the experiment result is in the store');
      assert.deepEqual(recorded.runIds, result.runs.map((r) => r.id));
      assert.deepEqual(recorded.result.criticalBatchSize, result.criticalBatchSize);
      assert.deepEqual(recorded.result.findings, findingsFor(exp, result));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("every kind's metric metadata is complete and names each metric once", () => {
    for (const kind of PROBLEM_KINDS) {
      const names = kind.metrics.map((m) => m.key);
      assert.equal(new Set(names).size, names.length, `${kind.kind}: duplicate metric names`);
      assert.ok(names.includes('loss'), `${kind.kind}: no loss metric`);
      for (const m of kind.metrics) {
        assert.ok(m.label && m.group, `${kind.kind}/${m.key}: label and group`);
        assert.ok(['loss', 'accuracy', 'learning-rate', 'multiplicative', 'plain'].includes(m.kind), `${kind.kind}/${m.key}: kind ${m.kind}`);
        for (const line of m.referenceLines ?? []) assert.ok(Number.isFinite(line.value) && line.label);
      }
    }
  });
});
