// What the engine concluded from a session reaches the critical-batch panel from the store: the
// NQM prediction of a neural sweep (it also crosses the protocol with experimentFinished) and the
// engine's own fits, kept per experiment file beside the runs and sent in the panel's criticalBatch
// message.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEngineEvent, ProtocolError } from '../../engine/src/protocol/engine-messages';
import { criticalBatchReport } from '../../engine/src/analysis/critical-batch-report';
import type { CriticalBatchReport } from '../../engine/src/analysis/report-types';
import { RecentRows } from '../../extension/src/engine/recent-rows';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore } from '../../engine/src/store';
import type { RunRecord } from '../../engine/src/store/types';
import { loadCriticalBatch, type PanelDataSource } from '../../extension/src/panels/panel-data';
import { RunIndex } from '../../extension/src/store/run-index';

/** The NQM's prediction for SGD: steps halve with the batch size until B_crit = 64. */
const prediction: CriticalBatchReport[] = [
  criticalBatchReport('SGD', { type: 'sgd', precondition: 0 }, [4, 16, 64, 256, 1024].map((b) => ({ batchSize: b, steps: Math.round(1000 * (1 + 64 / b)), learningRate: 0.01, lowerBound: NaN }))),
];

describe('NQM prediction overlay for neural sweeps', () => {
  test('experimentFinished carries the prediction through the protocol, validated at the boundary', () => {
    const base = { type: 'experimentFinished', requestId: 'q1', experiment: 'mnist', runs: [], criticalBatchSize: [], findings: [] };
    const parsed = parseEngineEvent(JSON.parse(JSON.stringify({ ...base, prediction })));
    assert.equal(parsed.type, 'experimentFinished');
    if (parsed.type === 'experimentFinished') assert.deepEqual(parsed.prediction, JSON.parse(JSON.stringify(prediction)));
    assert.equal((parseEngineEvent(base) as { prediction?: unknown }).prediction, undefined, 'an NQM study has none');
    assert.throws(() => parseEngineEvent({ ...base, prediction: { SGD: 1 } }), ProtocolError);
  });

  test('the store keeps the latest result per file (paths normalised) and a sweep without a prediction has none', () => {
    const store = new RunStore(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-result-')));
    store.writeExperimentResult({ name: 'mnist', file: '/ws/mnist.optlab.json' }, ['r1'], { criticalBatchSize: [], findings: [], prediction });
    // NaN (the lower bound of a neural point) survives the store, as in run.json.
    assert.deepEqual(store.readExperimentResult({ file: '/ws/./mnist.optlab.json' })?.result.prediction, prediction);
    assert.equal(store.readExperimentResult({ file: '/ws/other.optlab.json' }), undefined);
    store.writeExperimentResult({ name: 'mnist', file: '/ws/mnist.optlab.json' }, ['r2'], { criticalBatchSize: [], findings: [] });
    assert.equal(store.readExperimentResult({ file: '/ws/mnist.optlab.json' })?.result.prediction, undefined);
    fs.rmSync(store.root, { recursive: true, force: true });
  });

  test("the critical-batch panel's message includes the file's prediction, and nothing when there is none", async () => {
    const store = new RunStore(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-result-')));
    const index = new RunIndex('/nonexistent/optlab-store');
    const source: PanelDataSource = {
      runs: index,
      recent: new RecentRows(),
      runsOfExperiment: async () => [],
      readText: () => '{ "name": "mnist", "optimizers": [{ "label": "SGD", "type": "sgd" }] }',
      resultOf: (file) => store.readExperimentResult({ file }),
      log: () => undefined,
    };
    assert.equal('prediction' in (await loadCriticalBatch('/ws/mnist.optlab.json', source)).message, false);
    store.writeExperimentResult({ name: 'mnist', file: '/ws/mnist.optlab.json' }, [], { criticalBatchSize: [], findings: [], prediction });
    const data = await loadCriticalBatch('/ws/mnist.optlab.json', source);
    assert.deepEqual(data.message.prediction, prediction);
    index.dispose();
    fs.rmSync(store.root, { recursive: true, force: true });
  });

  test("the panel plots the engine's recorded fits when the latest results are its session's runs, and fits them itself when they mix sessions", async () => {
    const run = (id: string, batchSize: number, steps: number, createdAt: string): RunRecord => ({
      schemaVersion: 1, id, experiment: { name: 'mnist', file: '/ws/mnist.optlab.json' }, label: 'SGD', optimizer: 'sgd', batchSize, spec: { type: 'sgd' }, config: {},
      hyperparameters: { learningRate: 0.1 }, engine: { version: 'x', backend: 'cpu', node: 'v20' }, status: 'completed', createdAt, summary: { stepsToTarget: steps },
    });
    const runs = [run('a', 16, 400, '2026-12-07T00:00:00.000Z'), run('b', 64, 150, '2026-12-07T00:00:01.000Z')];
    // A recorded fit that differs from a local one in a way a test can see (its warnings).
    const engineFit = { ...criticalBatchReport('SGD', { type: 'sgd', precondition: 0 }, [{ batchSize: 16, steps: 400, learningRate: 0.1, lowerBound: NaN }, { batchSize: 64, steps: 150, learningRate: 0.1, lowerBound: NaN }]), warnings: ['recorded by the engine'] };
    let recorded = { schemaVersion: 1 as const, experiment: { name: 'mnist' }, finishedAt: '', runIds: ['a', 'b'], result: { criticalBatchSize: [engineFit], findings: [] } as Record<string, unknown> };
    const source: PanelDataSource = {
      runs: new RunIndex('/nonexistent/optlab-store'),
      recent: new RecentRows(),
      runsOfExperiment: async () => runs,
      readText: () => '{ "name": "mnist", "optimizers": [{ "label": "SGD", "type": "sgd" }] }',
      resultOf: () => recorded,
      log: () => undefined,
    };
    assert.deepEqual((await loadCriticalBatch('/ws/mnist.optlab.json', source)).message.reports[0].warnings, ['recorded by the engine']);
    // Run b is from another session: the points mix sessions, so the panel fits them itself.
    recorded = { ...recorded, runIds: ['a'] };
    const mixed = (await loadCriticalBatch('/ws/mnist.optlab.json', source)).message.reports[0];
    assert.notDeepEqual(mixed.warnings, ['recorded by the engine']);
    assert.deepEqual(mixed.points.map((p) => p.steps), [400, 150]);
    source.runs.dispose();
  });
});
