// A small real neural sweep end to end through the bundled CLI (`optlab run --json`): worker
// processes train a tiny MLP on Gaussian clusters; the JSON document, the run store and the
// critical-batch-size reports are checked. Also: an invalid model option (exit 2 with its JSON path
// and line), and Ctrl-C (SIGINT) marking unfinished runs cancelled.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin', 'optlab.js');
const BUNDLES = ['cli.js', 'trial-worker.js'].map((f) => path.join(ROOT, 'dist', 'engine', f));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string, onStderr?: (soFar: string, child: ReturnType<typeof spawn>) => void, timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`optlab ${args.join(' ')} timed out; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const EXPERIMENT = {
  name: 'tiny-sweep',
  problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 8, separation: 3, trainSize: 512, testSize: 256, seed: 1 }, model: { type: 'mlp', widths: [16], activation: 'tanh' } },
  target: { metric: 'testAccuracy', value: 0.85, evalEvery: 5, relativeResolution: 0.2, evalSize: 256 },
  budget: { maxSteps: 400 },
  batchSizes: [4, 16, 64, 256],
  optimizers: [
    { label: 'SGD', type: 'sgd', learningRate: [0.03, 0.3, 3] },
    { label: 'Adam', type: 'adam', learningRate: [0.003, 0.03] },
  ],
  backend: 'cpu',
  seed: 0,
};

interface Doc {
  experiment: string;
  runs: { id: string; label: string; batchSize: number; status: string; stepsToTarget: number | null; hyperparameters: Record<string, number> }[];
  criticalBatchSize: { optimizer: string; type: string; points: { batchSize: number; steps: number | null; learningRate: number | null; lowerBound: number | null }[]; bCrit: number | null; status: string }[];
  trials: { id: string; label: string; status: string; stepsToTarget: number | null; hyperparameters: Record<string, number> }[];
  findings: { claim: string; holds: boolean | null }[];
  backend: string;
}

let tmp: string;
before(() => {
  if (BUNDLES.some((f) => !fs.existsSync(f))) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `build failed:\n${r.stdout}\n${r.stderr}`);
  }
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-cli-sweep-')));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function readRun(store: string, id: string): { status: string; label: string; batchSize?: number; summary: Record<string, unknown>; hyperparameters: Record<string, unknown>; config: { kind: string }; engine: { backend: string } } {
  return JSON.parse(fs.readFileSync(path.join(store, 'runs', id, 'run.json'), 'utf8'));
}

describe('optlab run on a neural experiment', () => {
  test('--json: one document with per-batch-size best steps, trials, B_crit; the store holds every trial', async () => {
    const dir = path.join(tmp, 'ok');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'tiny.optlab.json'), JSON.stringify(EXPERIMENT, null, 2));
    const store = path.join(dir, 'store');
    const r = await cli(['run', 'tiny.optlab.json', '--json', '--store', store, '--workers', '2'], dir);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.equal(doc.experiment, 'tiny-sweep');
    assert.match(doc.backend, /^cpu/);
    assert.equal(doc.runs.length, 8);
    assert.equal(doc.trials.length, 4 * 3 + 4 * 2);
    assert.deepEqual(doc.criticalBatchSize.map((c) => c.optimizer), ['SGD', 'Adam']);
    for (const report of doc.criticalBatchSize) {
      assert.deepEqual(report.points.map((p) => p.batchSize), [4, 16, 64, 256]);
      for (const p of report.points) {
        assert.equal(p.lowerBound, null, 'no lower bound for neural problems (NaN in JSON)');
        // The reported point is the best trial of its cell.
        const cellTrials = doc.trials.filter((t) => t.label.startsWith(`${report.optimizer} B=${p.batchSize} `));
        const reached = cellTrials.filter((t) => t.stepsToTarget !== null).map((t) => t.stepsToTarget!);
        assert.equal(p.steps, reached.length ? Math.min(...reached) : null, `${report.optimizer} B=${p.batchSize}`);
        if (p.steps !== null) assert.ok(cellTrials.some((t) => t.stepsToTarget === p.steps && t.hyperparameters.learningRate === p.learningRate));
      }
      assert.ok(report.points.filter((p) => p.steps !== null).length >= 3, `${report.optimizer}: ${JSON.stringify(report.points)}`);
    }
    assert.ok(Array.isArray(doc.findings) && doc.findings.length >= 1);
    // Progress went to stderr, one line per trial.
    assert.equal((r.stderr.match(/^\[\s*\d+\/20\] /gm) ?? []).length, 20);

    const ids = fs.readdirSync(path.join(store, 'runs'));
    assert.equal(ids.length, 28);
    const runs = ids.map((id) => ({ id, ...readRun(store, id) }));
    assert.ok(runs.every((x) => ['completed', 'diverged'].includes(x.status)), runs.map((x) => x.status).join(','));
    assert.ok(runs.every((x) => x.engine.backend === 'cpu'));
    const sgd3 = runs.filter((x) => x.config.kind === 'trial' && / lr=3$/.test(x.label));
    assert.ok(sgd3.some((x) => x.status === 'diverged'), 'SGD at lr 3 diverges somewhere');
    for (const x of runs.filter((x) => x.config.kind === 'trial' && x.status === 'completed' && x.summary.reachedTarget)) {
      const rows = fs.readFileSync(path.join(store, 'runs', x.id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
      assert.equal(rows[rows.length - 1].step, x.summary.stepsToTarget);
      assert.ok(rows[rows.length - 1].testAccuracy >= 0.85);
      for (const key of ['step', 'examples', 'wallTime', 'loss', 'accuracy', 'learningRate']) assert.ok(key in rows[0], key);
    }
  });

  test('an option the model rejects exits 2 naming the file, line and JSON path', async () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    const bad = structuredClone(EXPERIMENT) as unknown as { problem: { model: Record<string, unknown> } };
    bad.problem.model.widths = [16, 0];
    const text = JSON.stringify(bad, null, 2);
    fs.writeFileSync(path.join(dir, 'bad.optlab.json'), text);
    const r = await cli(['run', 'bad.optlab.json', '--store', path.join(dir, 'store')], dir);
    assert.equal(r.code, 2, r.stderr);
    const line = text.slice(0, text.indexOf('"widths"')).split('\n').length;
    assert.match(r.stderr, new RegExp(`bad\\.optlab\\.json:${line}:\\d+ /problem/model/widths: .*widths`));
    assert.ok(!fs.existsSync(path.join(dir, 'store', 'runs')) || fs.readdirSync(path.join(dir, 'store', 'runs')).length === 0);
  });

  test('Ctrl-C stops the workers and marks unfinished runs cancelled', async () => {
    const dir = path.join(tmp, 'cancel');
    fs.mkdirSync(dir);
    const slow = { ...EXPERIMENT, target: { metric: 'testAccuracy', value: 0.999, evalEvery: 50 }, budget: { maxSteps: 100000 } };
    fs.writeFileSync(path.join(dir, 'slow.optlab.json'), JSON.stringify(slow, null, 2));
    const store = path.join(dir, 'store');
    let sent = false;
    const started = Date.now();
    const r = await cli(['run', 'slow.optlab.json', '--store', store], dir, (soFar, child) => {
      // Once the first trial has ended (SGD at lr 3 diverges at once; the others never reach 0.999).
      if (!sent && /\[\s*1\/20\]/.test(soFar)) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 500);
      }
    });
    assert.ok(sent, r.stderr);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cancelled/);
    assert.ok(Date.now() - started < 30_000);
    const statuses = fs.readdirSync(path.join(store, 'runs')).map((id) => readRun(store, id).status);
    assert.ok(statuses.every((s) => !['queued', 'running'].includes(s)), statuses.join(','));
    assert.ok(statuses.filter((s) => s === 'cancelled').length >= 20, statuses.join(','));
    // No worker is left behind.
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    assert.ok(!ps.split('\n').some((l) => l.includes('trial-worker.js') && l.includes(dir)), 'a trial worker survived');
  });
});
