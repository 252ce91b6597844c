// The NQM prediction of a neural sweep reaches the critical-batch panel: it crosses the engine
// protocol with experimentFinished, is kept per experiment file, and goes out in the panel's
// criticalBatch message.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEngineEvent, ProtocolError } from '../../engine/src/protocol/engine-messages';
import { criticalBatchReport } from '../../engine/src/analysis/critical-batch-report';
import type { CriticalBatchReport } from '../../engine/src/analysis/report-types';
import { RecentRows } from '../../extension/src/engine/recent-rows';
import { PredictionBook, type KeyValueStore } from '../../extension/src/model/prediction-book';
import { loadCriticalBatch, type PanelDataSource } from '../../extension/src/panels/panel-data';
import { RunIndex } from '../../extension/src/store/run-index';

class MemoryState implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  get(key: string): unknown {
    return this.data.get(key);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.parse(JSON.stringify(value)));
  }
}

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

  test('the book keeps the latest prediction per file (paths normalised) and a sweep without one clears it', async () => {
    const state = new MemoryState();
    const book = new PredictionBook(state);
    await book.record('/ws/mnist.optlab.json', prediction);
    assert.deepEqual(book.get('/ws/./mnist.optlab.json'), JSON.parse(JSON.stringify(prediction)));
    assert.equal(book.get('/ws/other.optlab.json'), undefined);
    await book.record('/ws/mnist.optlab.json', undefined);
    assert.equal(book.get('/ws/mnist.optlab.json'), undefined);
    state.data.set([...state.data.keys()][0] ?? 'optlab.prediction:/ws/mnist.optlab.json', [{ nonsense: true }]);
    assert.equal(book.get('/ws/mnist.optlab.json'), undefined, 'stored junk is no prediction');
  });

  test("the critical-batch panel's message includes the file's prediction, and nothing when there is none", async () => {
    const book = new PredictionBook(new MemoryState());
    const index = new RunIndex('/nonexistent/optlab-store');
    const source: PanelDataSource = {
      runs: index,
      recent: new RecentRows(),
      runsOfExperiment: async () => [],
      readText: () => '{ "name": "mnist", "optimizers": [{ "label": "SGD", "type": "sgd" }] }',
      predictionOf: (file) => book.get(file),
      log: () => undefined,
    };
    assert.equal('prediction' in (await loadCriticalBatch('/ws/mnist.optlab.json', source)).message, false);
    await book.record('/ws/mnist.optlab.json', prediction);
    const data = await loadCriticalBatch('/ws/mnist.optlab.json', source);
    assert.deepEqual(data.message.prediction, JSON.parse(JSON.stringify(prediction)));
    index.dispose();
  });
});
