import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore, type RunInit } from '../../engine/src/store';
import { rowsToColumns } from '../../engine/src/protocol/metric-columns';
import { RecentRows } from '../../extension/src/engine/recent-rows';
import { loadCriticalBatch, loadMetrics, loadRuns, type PanelDataSource } from '../../extension/src/panels/panel-data';
import { RunIndex } from '../../extension/src/store/run-index';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-index-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const init = (label: string, batchSize: number): RunInit => ({
  experiment: { name: 'demo', file: '/ws/demo.optlab.json' },
  label,
  optimizer: 'sgd',
  batchSize,
  spec: { type: 'sgd' },
  config: { optimizer: { type: 'sgd', precondition: 0 } },
  engine: { version: '0.1.0', backend: 'test' },
  status: 'running',
});

describe('run index and panel data', () => {
  test('the run list is cached until invalidated; invalidate notifies', () => {
    const root = path.join(tmp, 'a');
    const store = new RunStore(root, { flushIntervalMs: 0 });
    const index = new RunIndex(root);
    assert.equal(index.list().length, 0);
    const w = store.create(init('SGD', 4));
    w.close();
    assert.equal(index.list().length, 0, 'served from the cache');
    let fired = 0;
    index.onDidChange(() => fired++);
    index.invalidate();
    assert.equal(fired, 1);
    assert.equal(index.list().length, 1);
    assert.equal(index.get(w.id)?.label, 'SGD');
    assert.equal(index.get('nope'), undefined);
  });

  test('unreadable run folders are reported, not hidden', () => {
    const root = path.join(tmp, 'b');
    fs.mkdirSync(path.join(root, 'runs', 'broken-run'), { recursive: true });
    fs.writeFileSync(path.join(root, 'runs', 'broken-run', 'run.json'), '{ not json');
    const index = new RunIndex(root);
    assert.equal(index.list().length, 0);
    assert.equal(index.problems().length, 1);
    assert.match(index.problems()[0].message, /run\.json/);
  });

  test('metrics: the store\'s rows then the recent live rows it lacks; finished runs read once', () => {
    const root = path.join(tmp, 'c');
    const store = new RunStore(root, { flushIntervalMs: 1_000_000 });
    const w = store.create(init('SGD', 4));
    w.setStatus('running');
    w.append({ step: 1, loss: 1 });
    w.flush();
    w.append({ step: 2, loss: 0.5 }); // buffered: not on disk yet
    const index = new RunIndex(root);
    const recent = new RecentRows();
    recent.add(w.id, rowsToColumns([{ step: 1, loss: 1 }, { step: 2, loss: 0.5 }]), 0);
    const logs: string[] = [];
    const source: PanelDataSource = { runs: index, recent, runsOfExperiment: async () => index.list(), readText: () => undefined, log: (m) => logs.push(m) };
    const record = index.get(w.id)!;
    assert.deepEqual(loadMetrics(record, source).columns.step, [1, 2]);
    assert.equal(loadMetrics(record, source).nextSeq, 2, 'the live stream goes on at row #2');
    w.setStatus('completed', { summary: { stepsToTarget: 2, lowerBound: 1 }, hyperparameters: { learningRate: 0.1 } });
    w.close();
    index.invalidate();
    const done = index.get(w.id)!;
    assert.deepEqual(index.rows(done).map((r) => r.step), [1, 2]);
    fs.appendFileSync(path.join(root, 'runs', w.id, 'metrics.jsonl'), '{"step": 3, "loss": 0.1}\n');
    assert.equal(index.rows(done).length, 2, 'a finished run\'s rows are cached');
    const { infos, missing } = loadRuns([w.id, 'gone'], source);
    assert.equal(infos[0].status, 'completed');
    assert.deepEqual(missing, ['gone']);
    assert.deepEqual(logs, []);
  });

  test('critical-batch data of an experiment from the store', async () => {
    const root = path.join(tmp, 'd');
    const store = new RunStore(root, { flushIntervalMs: 0 });
    for (const b of [4, 16, 64, 256]) {
      const w = store.create(init('SGD', b));
      w.setStatus('running');
      w.setStatus('completed', { summary: { stepsToTarget: Math.round(500 * (1 + 32 / b)), lowerBound: 1 }, hyperparameters: { learningRate: b / 100 } });
      w.close();
    }
    const index = new RunIndex(root);
    const source: PanelDataSource = {
      runs: index,
      recent: new RecentRows(),
      runsOfExperiment: async () => index.list(),
      readText: () => '{ "name": "demo", "optimizers": [{ "label": "SGD", "type": "sgd" }] }',
      log: () => undefined,
    };
    const data = await loadCriticalBatch('/ws/demo.optlab.json', source);
    assert.equal(data.experimentName, 'demo');
    assert.equal(data.message.type, 'criticalBatch');
    assert.equal(data.message.reports.length, 1);
    assert.ok(Math.abs(data.message.reports[0].bCrit! - 32) < 1, `B_crit ${data.message.reports[0].bCrit}`);
    assert.deepEqual(Object.keys(data.message.runIds.SGD), ['4', '16', '64', '256']);
  });
});
