// optlab serve: the engine process of the extension, driven over a real IPC channel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEngineEvent, PROTOCOL_VERSION, type EngineEvent } from '../../engine/src/protocol';
import { parseMetricLine } from '../../engine/src/store/json-codec';
import { columnsToRows } from '../../engine/src/protocol/metric-columns';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'optlab.js');
let dir = '';

function experiment(name: string, batchSizes: number[], optimizers: unknown[]): string {
  const file = path.join(dir, `${name}.optlab.json`);
  writeFileSync(file, JSON.stringify({ name, problem: { type: 'nqm', dim: 1000, bins: 30 }, target: { metric: 'loss', value: 0.01 }, batchSizes, optimizers }, null, 2));
  return file;
}

class Engine {
  readonly events: EngineEvent[] = [];
  readonly child: ChildProcess;
  private waiters: (() => void)[] = [];
  constructor() {
    this.child = fork(bin, ['serve'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child.on('message', (m) => {
      this.events.push(parseEngineEvent(m)); // every event must pass the boundary check
      for (const w of this.waiters.splice(0)) w();
    });
  }
  send(message: unknown): void {
    this.child.send(message as object);
  }
  async waitFor(pred: (e: EngineEvent) => boolean, ms = 30000): Promise<EngineEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out; events: ${this.events.map((e) => e.type).join(',')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
  ofRequest(requestId: string): EngineEvent[] {
    return this.events.filter((e) => 'requestId' in e && e.requestId === requestId);
  }
}

before(() => {
  if (!existsSync(path.join(root, 'dist', 'engine', 'cli.js'))) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
  dir = mkdtempSync(path.join(tmpdir(), 'optlab-serve-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('ready, then a session: runs announced, metrics before each completion, results at the end', async () => {
  const engine = new Engine();
  try {
    const ready = await engine.waitFor((e) => e.type === 'ready');
    assert.equal(ready.type === 'ready' && ready.protocol, PROTOCOL_VERSION);
    const file = experiment('small', [4, 64, 1024], [{ type: 'sgd' }, { type: 'sgd', precondition: 0.5 }]);
    const store = path.join(dir, 'store1');
    engine.send({ type: 'start', requestId: 'r1', file, store, workers: 1 });
    const done = await engine.waitFor((e) => e.type === 'experimentFinished' || e.type === 'experimentFailed');
    assert.equal(done.type, 'experimentFinished', JSON.stringify(done));
    const evs = engine.ofRequest('r1');
    const started = evs.find((e) => e.type === 'experimentStarted');
    assert.ok(started && started.type === 'experimentStarted');
    assert.equal(started.runs.length, 6);
    assert.equal(evs.indexOf(started), 0, 'experimentStarted comes first');
    for (const run of started.runs) {
      const idxDone = evs.findIndex((e) => e.type === 'runStatus' && e.runId === run.id && e.status === 'completed');
      const idxRows = evs.findIndex((e) => e.type === 'metrics' && e.runId === run.id);
      assert.ok(idxDone > 0, `run ${run.id} completed`);
      assert.ok(idxRows > 0 && idxRows < idxDone, `metrics of ${run.id} arrive before its completion`);
      const rows = evs.flatMap((e) => (e.type === 'metrics' && e.runId === run.id ? columnsToRows(e) : []));
      const onDisk = readFileSync(path.join(store, 'runs', run.id, 'metrics.jsonl'), 'utf8').trim().split('\n');
      assert.equal(rows.length, onDisk.length, 'every stored row was streamed');
      // Each streamed row carries its line index in metrics.jsonl: the stream joins the file exactly.
      let next = 0;
      for (const e of evs) {
        if (e.type !== 'metrics' || e.runId !== run.id) continue;
        assert.equal(e.seq, next, `metrics of ${run.id} are numbered consecutively`);
        columnsToRows(e).forEach((r, i) => assert.deepEqual(r, parseMetricLine(onDisk[e.seq + i]).ok ? (parseMetricLine(onDisk[e.seq + i]) as { row: unknown }).row : undefined, `row #${e.seq + i} of ${run.id} is line ${e.seq + i} of its file`));
        next += e.length;
      }
    }
    if (done.type === 'experimentFinished') {
      assert.equal(done.criticalBatchSize.length, 2);
      assert.ok(done.runs.every((r) => r.status === 'completed'));
    }
    assert.ok(evs.some((e) => e.type === 'progress'));
  } finally {
    engine.child.kill();
  }
});

test('an invalid experiment file fails the session with the file and the place, and writes no run', async () => {
  const engine = new Engine();
  try {
    await engine.waitFor((e) => e.type === 'ready');
    const file = path.join(dir, 'bad.optlab.json');
    writeFileSync(file, '{\n  "name": "bad",\n  "problem": { "type": "nqm" },\n  "target": { "metric": "loss", "value": 0.01 },\n  "batchSizes": [4],\n  "optimizers": [{ "type": "sgd", "lerningRate": 0.1 }]\n}\n');
    const store = path.join(dir, 'store2');
    engine.send({ type: 'start', requestId: 'bad', file, store });
    const failed = await engine.waitFor((e) => e.type === 'experimentFailed');
    assert.ok(failed.type === 'experimentFailed');
    assert.equal(failed.reason, 'invalid');
    assert.match(failed.message, /bad\.optlab\.json/);
    assert.match(failed.message, /\/optimizers\/0/);
    assert.match(failed.message, /:6:/, 'names the line');
    assert.ok(!existsSync(path.join(store, 'runs')) || readdirSync(path.join(store, 'runs')).length === 0);
  } finally {
    engine.child.kill();
  }
});

test('cancel stops a session: finished runs kept, the rest cancelled, none left running', async () => {
  const engine = new Engine();
  try {
    await engine.waitFor((e) => e.type === 'ready');
    const sizes = Array.from({ length: 10 }, (_, i) => 4 ** (i + 1));
    const file = experiment('slow', sizes, [{ type: 'momentum' }, { type: 'ema' }]);
    const store = path.join(dir, 'store3');
    engine.send({ type: 'start', requestId: 'slow', file, store, workers: 1 });
    await engine.waitFor((e) => e.type === 'runStatus' && e.requestId === 'slow' && e.status === 'completed');
    engine.send({ type: 'cancel', requestId: 'slow' });
    const failed = await engine.waitFor((e) => e.type === 'experimentFailed' || e.type === 'experimentFinished');
    assert.ok(failed.type === 'experimentFailed' && failed.reason === 'cancelled', JSON.stringify(failed));
    const statuses = readdirSync(path.join(store, 'runs')).map((id) => JSON.parse(readFileSync(path.join(store, 'runs', id, 'run.json'), 'utf8')).status);
    assert.ok(statuses.includes('completed'));
    assert.ok(statuses.includes('cancelled'));
    assert.ok(!statuses.includes('running') && !statuses.includes('queued'), statuses.join(','));
  } finally {
    engine.child.kill();
  }
});

test('a malformed request is logged and ignored; shutdown ends the process', async () => {
  const engine = new Engine();
  await engine.waitFor((e) => e.type === 'ready');
  engine.send({ type: 'start', requestId: 7 });
  const log = await engine.waitFor((e) => e.type === 'log' && e.level === 'error');
  assert.ok(log.type === 'log');
  assert.match(log.message, /requestId/);
  const exited = new Promise<number | null>((resolve) => engine.child.on('exit', (code) => resolve(code)));
  engine.send({ type: 'shutdown' });
  assert.equal(await exited, 0);
});
