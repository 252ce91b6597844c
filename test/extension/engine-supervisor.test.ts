// The engine supervisor against the real engine process (bin/optlab.js serve), and against fake
// engines for what the real one never does (malformed messages, dying before it is ready).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROTOCOL_VERSION, type EngineEvent } from '../../engine/src/protocol/engine-messages';
import { RunStore } from '../../engine/src/store';
import { EngineSupervisor, type CrashReport, type LogLevel } from '../../extension/src/engine/engine-supervisor';

const ROOT = path.resolve(__dirname, '../..');
const ENGINE = path.join(ROOT, 'bin', 'optlab.js');

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-supervisor-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function supervisor(enginePath = ENGINE) {
  const logs: { level: LogLevel; message: string }[] = [];
  const events: EngineEvent[] = [];
  const s = new EngineSupervisor({ enginePath, cwd: ROOT, log: (level, message) => logs.push({ level, message }), readyTimeoutMs: 30_000, shutdownTimeoutMs: 10_000 });
  s.onEvent((e) => events.push(e));
  return { s, logs, events };
}

function experiment(name: string, body: Record<string, unknown>): string {
  const file = path.join(tmp, `${name}.optlab.json`);
  fs.writeFileSync(file, JSON.stringify({ name, problem: { type: 'nqm', dim: 1000, exponent: 1, bins: 50 }, target: { metric: 'loss', value: 0.01 }, logPoints: 20, ...body }, null, 2));
  return file;
}

const SMALL = { batchSizes: [4, 64], optimizers: [{ label: 'SGD', type: 'sgd', learningRate: { logspace: [-3, 0.3, 12] } }] };
/** SGD finishes at once; momentum's 100 x 20 grids at the full model size take seconds on one worker. */
const SLOW = {
  problem: { type: 'nqm', dim: 10000, exponent: 1, bins: 100 },
  batchSizes: { powersOf2: { from: 2, to: 20, step: 2 } },
  optimizers: [
    { label: 'SGD', type: 'sgd', learningRate: { logspace: [-5, 0.5, 20] } },
    { label: 'Momentum', type: 'momentum', learningRate: { logspace: [-8, 1, 100] }, momentum: { oneMinusLogspace: [-5, 0, 20] } },
  ],
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('engine supervisor with the real engine', { concurrency: false }, () => {
  test('runs an experiment to the end: validated events, completed runs in the store, clean stop', async () => {
    const { s, events } = supervisor();
    try {
      assert.equal(s.state(), 'stopped');
      await s.start();
      assert.equal(s.state(), 'ready');
      const pid = s.pid()!;
      assert.ok(pid > 0 && pid !== process.pid && alive(pid));
      assert.ok(s.info()?.engineVersion);
      const store = path.join(tmp, 'store-ok');
      const { requestId, done } = await s.run({ file: experiment('small', SMALL), store, workers: 1 });
      const session = s.session(requestId)!;
      assert.ok(session.accepted, 'run() resolves once the engine has created the runs');
      assert.equal(session.runs.size, 2);
      const outcome = await done;
      assert.equal(outcome.result, 'finished', outcome.message);
      assert.equal(outcome.runIds.length, 2);
      assert.equal(outcome.finished?.criticalBatchSize.length, 1);
      const types = new Set(events.map((e) => e.type));
      for (const t of ['experimentStarted', 'runStatus', 'metrics', 'progress', 'experimentFinished']) assert.ok(types.has(t as EngineEvent['type']), `no ${t} event`);
      const records = new RunStore(store).list();
      assert.deepEqual(records.map((r) => r.status), ['completed', 'completed']);
      for (const r of records) assert.ok(new RunStore(store).readMetrics(r.id).rows.length > 0);
      assert.deepEqual(s.sessions(), [], 'no session left active');
      await s.stop();
      assert.equal(s.state(), 'stopped');
      await until(() => !alive(pid), 'the engine process to exit');
    } finally {
      await s.dispose();
    }
  });

  test('an invalid file ends its session as failed, naming file and line; the engine stays up', async () => {
    const { s } = supervisor();
    try {
      const file = path.join(tmp, 'broken.optlab.json');
      fs.writeFileSync(file, '{\n  "name": "broken",\n  "problem": { "type": "nqm" },\n  "target": { "metric": "loss", "value": 0.01 },\n  "batchSizes": [],\n  "optimizers": [{ "type": "sgd" }]\n}\n');
      const { done } = await s.run({ file, store: path.join(tmp, 'store-broken') });
      const outcome = await done;
      assert.equal(outcome.result, 'failed');
      assert.ok(outcome.message?.includes(`${file}:5:`), outcome.message);
      assert.equal(s.state(), 'ready');
      assert.deepEqual(new RunStore(path.join(tmp, 'store-broken')).list(), []);
    } finally {
      await s.dispose();
    }
  });

  test('checkSetup: the engine process runs the neural factories, and the extension host never loads TensorFlow.js', async () => {
    const { s, events } = supervisor();
    const neural = (adam: Record<string, unknown>) =>
      JSON.stringify({
        name: 'clusters',
        problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 4, trainSize: 60, testSize: 30 }, model: { type: 'mlp', widths: [8] } },
        target: { metric: 'testAccuracy', value: 0.9 },
        budget: { maxSteps: 10 },
        batchSizes: [4, 16],
        optimizers: [{ label: 'SGD', type: 'sgd', learningRate: 0.1 }, { label: 'Adam', type: 'adam', learningRate: 0.01, ...adam }],
      });
    try {
      const file = path.join(tmp, 'neural.optlab.json');
      const issues = await s.checkSetup(neural({ schedule: { decay: 'cosine' } }), file);
      assert.deepEqual(issues.map((i) => i.path), ['/optimizers/1/schedule/decaySteps']);
      assert.match(issues[0].message, /needs schedule\.decaySteps/);
      assert.deepEqual(await s.checkSetup(neural({}), file), []);
      assert.ok(!events.some((e) => (e.type as string) === 'setupChecked'), 'answers go to the caller, not to event listeners');
      const tfjs = Object.keys(require.cache).filter((m) => m.includes(`${path.sep}@tensorflow${path.sep}`));
      assert.deepEqual(tfjs, [], 'TensorFlow.js was loaded in this (host) process');
    } finally {
      await s.dispose();
    }
  });

  test('cancel: the session ends cancelled, finished runs stay completed, none is left running', async () => {
    const { s } = supervisor();
    try {
      const store = path.join(tmp, 'store-cancel');
      const { requestId, done } = await s.run({ file: experiment('cancel', SLOW), store, workers: 1 });
      s.cancel(requestId);
      const outcome = await done;
      assert.equal(outcome.result, 'cancelled');
      const statuses = new RunStore(store).list().map((r) => r.status);
      assert.ok(statuses.length > 0);
      assert.ok(statuses.every((x) => x === 'completed' || x === 'cancelled'), statuses.join());
      assert.ok(statuses.includes('cancelled'));
      assert.equal(s.state(), 'ready');
    } finally {
      await s.dispose();
    }
  });

  test('SIGKILL mid-run: unfinished runs marked crashed, finished runs and their metrics kept, session crashed', async () => {
    const { s } = supervisor();
    const crashes: CrashReport[] = [];
    s.onCrash((r) => crashes.push(r));
    try {
      const store = path.join(tmp, 'store-crash');
      const { requestId, done } = await s.run({ file: experiment('crash', SLOW), store, workers: 1 });
      const pid = s.pid()!;
      // Wait for the fast SGD runs, then kill while momentum runs.
      await until(() => (s.session(requestId)?.progress?.done ?? 0) >= 2, 'two finished runs');
      const before = new Map(new RunStore(store).list().filter((r) => r.status === 'completed').map((r) => [r.id, new RunStore(store).readMetrics(r.id).rows.length]));
      assert.ok(before.size >= 2);
      s.kill('SIGKILL');
      const outcome = await done;
      assert.equal(outcome.result, 'crashed');
      assert.match(outcome.message ?? '', /exited unexpectedly \(signal SIGKILL\)/);
      assert.equal(s.state(), 'crashed');
      await until(() => !alive(pid), 'the killed process to be gone');

      const records = new RunStore(store).list();
      const crashed = records.filter((r) => r.status === 'crashed');
      assert.ok(crashed.length > 0, 'no run marked crashed');
      assert.deepEqual(new Set(outcome.crashedRunIds), new Set(crashed.map((r) => r.id)));
      for (const r of crashed) assert.match(r.error?.message ?? '', /exited unexpectedly .* metrics recorded until then are kept/);
      for (const [id, rows] of before) {
        const r = records.find((x) => x.id === id)!;
        assert.equal(r.status, 'completed', `${r.label} B=${r.batchSize} was completed before the kill`);
        assert.equal(new RunStore(store).readMetrics(id).rows.length, rows, 'metrics of a finished run changed');
      }
      assert.ok(records.every((r) => r.status === 'completed' || r.status === 'crashed'), records.map((r) => r.status).join());

      assert.equal(crashes.length, 1);
      assert.equal(crashes[0].signal, 'SIGKILL');
      assert.equal(crashes[0].sessions[0].crashed.length, crashed.length);
      assert.equal(s.liveState(crashed[0].id)?.status, 'crashed');

      // The next run starts a new engine.
      const again = await s.run({ file: experiment('after-crash', SMALL), store, workers: 1 });
      assert.equal((await again.done).result, 'finished');
      assert.notEqual(s.pid(), pid);
    } finally {
      await s.dispose();
    }
  });
});

describe('engine supervisor with fake engines', () => {
  function fake(name: string, source: string): string {
    const file = path.join(tmp, `${name}.js`);
    fs.writeFileSync(file, source);
    return file;
  }

  test('malformed messages are rejected and logged, valid ones still arrive', async () => {
    const engine = fake(
      'malformed',
      `process.send({ type: 'ready', protocol: ${PROTOCOL_VERSION}, engineVersion: 'fake', backend: 'none', pid: process.pid });
       process.send({ type: 'bogus' });
       process.send({ type: 'metrics', requestId: 'x', runId: 5, rows: [] });
       process.send({ type: 'log', level: 'info', message: 'still here' });
       process.on('message', (m) => { if (m.type === 'shutdown') process.exit(0); });`,
    );
    const { s, logs, events } = supervisor(engine);
    try {
      await s.start();
      await until(() => events.some((e) => e.type === 'log'), 'the valid log event');
      const rejected = logs.filter((l) => l.level === 'error' && l.message.startsWith('rejected a malformed message'));
      assert.equal(rejected.length, 2, logs.map((l) => l.message).join('\n'));
      assert.match(rejected[0].message, /unknown type "bogus"/);
      assert.match(rejected[1].message, /runId: expected a string/);
      assert.ok(!events.some((e) => (e.type as string) === 'bogus'));
    } finally {
      await s.dispose();
    }
  });

  test('a setup check the engine dies before answering is rejected, naming why', async () => {
    const engine = fake(
      'dies-on-check',
      `process.send({ type: 'ready', protocol: ${PROTOCOL_VERSION}, engineVersion: 'x', backend: 'y', pid: process.pid });
       process.on('message', (m) => { if (m.type === 'checkSetup') process.exit(5); });`,
    );
    const { s } = supervisor(engine);
    try {
      await assert.rejects(s.checkSetup('{}'), /exited unexpectedly \(exit code 5\) before it answered/);
    } finally {
      await s.dispose();
    }
  });

  test('an engine that dies before ready: start() rejects with its stderr, no crash notification', async () => {
    const engine = fake('dies', `console.error('cannot load the bundle: dist/engine/cli.js missing'); process.exit(3);`);
    const { s, logs } = supervisor(engine);
    const crashes: CrashReport[] = [];
    s.onCrash((r) => crashes.push(r));
    try {
      await assert.rejects(s.start(), /exited before it was ready \(exit code 3\): cannot load the bundle/);
      assert.equal(crashes.length, 0);
      assert.ok(logs.some((l) => l.message.includes('[engine stderr] cannot load the bundle')));
    } finally {
      await s.dispose();
    }
  });

  test('a protocol mismatch is refused with a clear message', async () => {
    // An engine one protocol version ahead of this extension.
    const ahead = PROTOCOL_VERSION + 1;
    const engine = fake('ahead', `process.send({ type: 'ready', protocol: ${ahead}, engineVersion: 'x', backend: 'y', pid: process.pid }); setInterval(() => {}, 1000);`);
    const { s } = supervisor(engine);
    try {
      await assert.rejects(s.start(), new RegExp(`speaks protocol ${ahead}, this extension speaks ${PROTOCOL_VERSION}`));
    } finally {
      await s.dispose();
    }
  });

  test('a graceful stop that hangs is ended by a kill', async () => {
    const engine = fake('hangs', `process.send({ type: 'ready', protocol: ${PROTOCOL_VERSION}, engineVersion: 'x', backend: 'y', pid: process.pid }); process.on('message', () => {}); setInterval(() => {}, 1000);`);
    const logs: string[] = [];
    const s = new EngineSupervisor({ enginePath: engine, log: (_l, m) => logs.push(m), shutdownTimeoutMs: 300 });
    try {
      await s.start();
      const pid = s.pid()!;
      await s.stop();
      assert.equal(s.state(), 'stopped');
      assert.ok(logs.some((m) => m.includes('did not shut down within 300 ms')));
      await until(() => !alive(pid), 'the hung engine to be killed', 5000);
    } finally {
      await s.dispose();
    }
  });
});
