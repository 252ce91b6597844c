// optlab serve (the extension's engine process) running a small neural sweep over a real IPC
// channel: every event passes the protocol's boundary check; trials and per-batch-size best runs
// are announced, their metrics stream before their completion, and the critical-batch-size reports
// arrive at the end.
import { columnsToRows } from '../../../engine/src/protocol/metric-columns';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEngineEvent, type EngineEvent } from '../../../engine/src/protocol';

const root = path.resolve(__dirname, '..', '..', '..');
const bin = path.join(root, 'bin', 'optlab.js');
let dir = '';

before(() => {
  if (!existsSync(path.join(root, 'dist', 'engine', 'trial-worker.js'))) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
  dir = mkdtempSync(path.join(tmpdir(), 'optlab-serve-neural-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a neural sweep through optlab serve: runs announced, metrics before completion, reports at the end', async () => {
  const file = path.join(dir, 'tiny.optlab.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'tiny-serve',
      problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 8, separation: 3, trainSize: 512, testSize: 256 }, model: { type: 'mlp', widths: [16], activation: 'tanh' } },
      target: { metric: 'testAccuracy', value: 0.85, evalEvery: 5, evalSize: 256 },
      budget: { maxSteps: 300 },
      batchSizes: [8, 32, 128],
      optimizers: [{ type: 'sgd', learningRate: [0.1, 1] }, { type: 'adam', learningRate: [0.01] }],
      backend: 'cpu',
    }),
  );
  const events: EngineEvent[] = [];
  const child: ChildProcess = fork(bin, ['serve'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  try {
    const finished = new Promise<EngineEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; events: ${events.map((e) => e.type).join(',')}`)), 40_000);
      child.on('message', (m) => {
        const e = parseEngineEvent(m);
        events.push(e);
        if (e.type === 'ready') child.send({ type: 'start', requestId: 'n1', file, store: path.join(dir, 'store'), workers: 2 });
        if (e.type === 'experimentFinished' || e.type === 'experimentFailed') {
          clearTimeout(timer);
          resolve(e);
        }
      });
    });
    const done = await finished;
    assert.equal(done.type, 'experimentFinished', JSON.stringify(done));
    const started = events.find((e) => e.type === 'experimentStarted');
    assert.ok(started?.type === 'experimentStarted');
    assert.equal(started.runs.length, 6 + 9, 'one run per (optimizer, batch size) and one per trial');
    for (const run of started.runs) {
      const evs = events.filter((e) => (e.type === 'runStatus' || e.type === 'metrics') && e.runId === run.id);
      const end = evs.findIndex((e) => e.type === 'runStatus' && ['completed', 'diverged'].includes(e.status));
      assert.ok(end >= 0, `run ${run.label} ended`);
      const rows = evs.flatMap((e) => (e.type === 'metrics' ? columnsToRows(e) : []));
      const onDisk = readFileSync(path.join(dir, 'store', 'runs', run.id, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
      assert.equal(rows.length, onDisk.length, `every stored row of ${run.label} was streamed`);
      assert.ok(evs.slice(end + 1).every((e) => e.type !== 'metrics'), `no rows of ${run.label} after its end`);
    }
    if (done.type === 'experimentFinished') {
      assert.deepEqual(done.criticalBatchSize.map((r) => r.optimizer), ['SGD', 'Adam']);
      assert.deepEqual(done.runs.map((r) => [r.label, r.batchSize]), [['SGD', 8], ['SGD', 32], ['SGD', 128], ['Adam', 8], ['Adam', 32], ['Adam', 128]]);
      assert.ok(done.findings.length >= 1);
    }
    assert.equal(events.filter((e) => e.type === 'progress').length, 9);
  } finally {
    child.kill();
  }
});
