// End-to-end tests of the `optlab` command line: each test spawns the real bundled CLI
// (bin/optlab.js -> dist/engine/cli.js) in a fresh temporary directory and checks what it prints,
// its exit code and what it leaves in the run store.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'optlab.js');
const BUNDLE = path.join(ROOT, 'dist', 'engine', 'cli.js');
const WORKER_BUNDLE = path.join(ROOT, 'dist', 'engine', 'nqm-worker.js');
const EXAMPLE = path.join(ROOT, 'examples', 'nqm-critical-batch.optlab.json');
const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

// ---- helpers ----

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Called with the stderr text so far on every stderr chunk, and the child (e.g. to signal it). */
  onStderr?: (soFar: string, child: ReturnType<typeof spawn>) => void;
}

let tmp: string;

function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const { cwd = tmp, timeoutMs = 30_000, onStderr } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.on('data', (d: string) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`optlab ${args.join(' ')} did not exit within ${timeoutMs} ms\nstderr so far:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function describeResult(r: CliResult): string {
  return `exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}\n--- stdout ---\n${r.stdout.slice(0, 2000)}\n--- stderr ---\n${r.stderr.slice(0, 2000)}`;
}

function assertExit(r: CliResult, code: number): void {
  assert.equal(r.code, code, `expected exit ${code}, got ${describeResult(r)}`);
}

function parseSingleJson(text: string): unknown {
  // JSON.parse rejects anything after the document, so this also proves stdout is ONE document.
  try {
    return JSON.parse(text);
  } catch (err) {
    assert.fail(`stdout is not a single JSON document (${(err as Error).message}):\n${text.slice(0, 1000)}`);
  }
}

function freshDir(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

interface RunJson {
  id: string;
  label: string;
  optimizer: string;
  batchSize: number;
  status: string;
  engine: { version: string; backend: string; node: string };
  summary: { stepsToTarget?: number | null; target?: number };
  endedAt?: string;
}

interface MetricsRow {
  step: number;
  loss: number;
  [key: string]: unknown;
}

function readRunJson(store: string, id: string): RunJson {
  return JSON.parse(fs.readFileSync(path.join(store, 'runs', id, 'run.json'), 'utf8')) as RunJson;
}

function readMetricRows(store: string, id: string): MetricsRow[] {
  const text = fs.readFileSync(path.join(store, 'runs', id, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MetricsRow);
}

function runFolders(store: string): string[] {
  const runs = path.join(store, 'runs');
  if (!fs.existsSync(runs)) return [];
  return fs.readdirSync(runs).filter((n) => !n.startsWith('.'));
}

// ---- the small experiment ----

interface RunSummaryJson {
  id: string;
  label: string;
  optimizer: string;
  batchSize: number;
  status: string;
  stepsToTarget: number | null;
  hyperparameters: Record<string, number | null>;
}

interface PointJson {
  batchSize: number;
  steps: number | null;
  learningRate: number | null;
  momentum?: number | null;
  decay?: number | null;
}

interface ReportJson {
  optimizer: string;
  type: string;
  precondition: number;
  points: PointJson[];
  sMin: number | null;
  eMin: number | null;
  bCrit: number | null;
}

interface FindingJson {
  claim: string;
  evidence: string;
  holds: boolean | null;
}

interface ExperimentJson {
  experiment: string;
  runs: RunSummaryJson[];
  criticalBatchSize: ReportJson[];
  findings: FindingJson[];
}

const SMALL_BATCH_SIZES = [4, 64, 1024, 16384];
const SMALL_LABELS = ['SGD', 'SGD p=0.5', 'Momentum'];
const SMALL_TARGET = 0.01;

const SMALL_EXPERIMENT = {
  name: 'cli-small',
  problem: { type: 'nqm', dim: 1000, bins: 30 },
  target: { metric: 'loss', value: SMALL_TARGET },
  batchSizes: SMALL_BATCH_SIZES,
  optimizers: [
    { label: 'SGD', type: 'sgd', precondition: 0, learningRate: { logspace: [-5, 0.5, 40] } },
    { label: 'SGD p=0.5', type: 'sgd', precondition: 0.5, learningRate: { logspace: [-5, 0.5, 40] } },
    { label: 'Momentum', type: 'momentum', precondition: 0, learningRate: { logspace: [-8, 1, 20] }, momentum: { oneMinusLogspace: [-5, 0, 5] } },
  ],
};

/** Writes the small experiment file into `dir`, with `edit` applied to a copy. */
function writeExperiment(dir: string, name: string, edit?: (e: typeof SMALL_EXPERIMENT & Record<string, unknown>) => void): string {
  const doc = structuredClone(SMALL_EXPERIMENT) as typeof SMALL_EXPERIMENT & Record<string, unknown>;
  edit?.(doc);
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return file;
}

// ---- setup ----

before(() => {
  if (!fs.existsSync(BUNDLE) || !fs.existsSync(WORKER_BUNDLE)) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `build failed:\n${r.stdout}\n${r.stderr}`);
  }
  assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} was not built`);
  // realpath: the CLI resolves paths against its cwd, which the OS reports without symlinks.
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-cli-')));
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// ---- optlab run ----

describe('optlab run --json on a small experiment', () => {
  let dir: string;
  let store: string;
  let result: CliResult;
  let doc: ExperimentJson;

  before(async () => {
    dir = freshDir('small-json');
    writeExperiment(dir, 'small.optlab.json');
    store = path.join(dir, 'store');
    result = await cli(['run', 'small.optlab.json', '--json', '--store', store, '--workers', '2'], { cwd: dir });
    try {
      doc = JSON.parse(result.stdout) as ExperimentJson;
    } catch {
      // the first test reports it
    }
  });

  test('exits 0 and prints one JSON document with the documented keys', () => {
    assertExit(result, 0);
    parseSingleJson(result.stdout);
    assert.ok(doc, 'stdout parsed');
    assert.equal(doc.experiment, 'cli-small');
    assert.ok(Array.isArray(doc.runs), 'runs is an array');
    assert.ok(Array.isArray(doc.criticalBatchSize), 'criticalBatchSize is an array');
  });

  test('one run per optimizer x batch size, each with the documented fields', () => {
    assert.equal(doc.runs.length, SMALL_LABELS.length * SMALL_BATCH_SIZES.length);
    const pairs = new Set(doc.runs.map((r) => `${r.label}@${r.batchSize}`));
    for (const label of SMALL_LABELS) for (const b of SMALL_BATCH_SIZES) assert.ok(pairs.has(`${label}@${b}`), `no run for ${label} at B=${b}`);
    assert.equal(new Set(doc.runs.map((r) => r.id)).size, doc.runs.length, 'run ids are unique');
    for (const run of doc.runs) {
      assert.equal(typeof run.id, 'string');
      assert.ok(run.id.length > 0);
      assert.ok(['sgd', 'momentum'].includes(run.optimizer), `optimizer ${run.optimizer}`);
      assert.equal(run.status, 'completed', `${run.id} status`);
      assert.ok(run.stepsToTarget === null || (Number.isInteger(run.stepsToTarget) && run.stepsToTarget > 0), `${run.id} stepsToTarget ${run.stepsToTarget}`);
      assert.equal(typeof run.hyperparameters, 'object');
      assert.equal(typeof run.hyperparameters.learningRate, 'number', `${run.id} has a learning rate`);
      if (run.optimizer === 'momentum') assert.equal(typeof run.hyperparameters.momentum, 'number', `${run.id} has a momentum`);
    }
    // On this problem every optimizer reaches the target at every batch size.
    assert.ok(doc.runs.every((r) => r.stepsToTarget !== null), 'every run reached the target');
  });

  test('criticalBatchSize has one report per optimizer whose points match the runs', () => {
    assert.deepEqual(doc.criticalBatchSize.map((r) => r.optimizer), SMALL_LABELS);
    for (const report of doc.criticalBatchSize) {
      assert.deepEqual(report.points.map((p) => p.batchSize), SMALL_BATCH_SIZES, `${report.optimizer} points`);
      for (const p of report.points) {
        const run = doc.runs.find((r) => r.label === report.optimizer && r.batchSize === p.batchSize);
        assert.ok(run, `a run for ${report.optimizer} B=${p.batchSize}`);
        assert.equal(p.steps, run.stepsToTarget, `${report.optimizer} B=${p.batchSize} steps`);
        assert.equal(p.learningRate, run.hyperparameters.learningRate, `${report.optimizer} B=${p.batchSize} learning rate`);
        if (report.optimizer === 'Momentum') assert.equal(p.momentum, run.hyperparameters.momentum);
      }
      for (const key of ['sMin', 'eMin', 'bCrit'] as const) {
        const v = report[key];
        assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `${report.optimizer} ${key} = ${v}`);
      }
    }
  });

  test('B_crit of SGD p=0.5 exceeds that of plain SGD', () => {
    const p0 = doc.criticalBatchSize.find((r) => r.optimizer === 'SGD')!;
    const p5 = doc.criticalBatchSize.find((r) => r.optimizer === 'SGD p=0.5')!;
    assert.ok(p5.bCrit! > p0.bCrit!, `B_crit p=0.5 ${p5.bCrit} vs p=0 ${p0.bCrit}`);
  });

  test('every run folder holds a completed run.json and a decreasing loss curve', () => {
    assert.deepEqual(runFolders(store).sort(), doc.runs.map((r) => r.id).sort(), 'the store holds exactly the reported runs');
    for (const run of doc.runs) {
      const record = readRunJson(store, run.id);
      assert.equal(record.id, run.id);
      assert.equal(record.status, 'completed', `${run.id} status`);
      assert.equal(record.label, run.label);
      assert.equal(record.batchSize, run.batchSize);
      assert.equal(record.engine.version, PACKAGE_VERSION, `${run.id} engine.version`);
      assert.ok(typeof record.engine.backend === 'string' && record.engine.backend.length > 0, `${run.id} engine.backend`);
      assert.equal(record.summary.stepsToTarget, run.stepsToTarget, `${run.id} summary.stepsToTarget`);

      const rows = readMetricRows(store, run.id);
      assert.ok(rows.length >= 2, `${run.id} has ${rows.length} metric rows`);
      for (const row of rows) {
        assert.ok(Number.isInteger(row.step) && row.step >= 0, `${run.id} step ${row.step}`);
        assert.ok(typeof row.loss === 'number' && Number.isFinite(row.loss), `${run.id} loss ${row.loss}`);
      }
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i].step > rows[i - 1].step, `${run.id}: steps increase (row ${i})`);
      const first = rows[0];
      const last = rows[rows.length - 1];
      assert.ok(last.loss < first.loss, `${run.id}: loss ${first.loss} -> ${last.loss} does not decrease`);
      // The curve is logged past the steps-to-target and ends below the target.
      const steps = run.stepsToTarget!;
      assert.ok(last.step > steps, `${run.id}: curve ends at step ${last.step}, steps to target ${steps}`);
      assert.ok(last.loss < SMALL_TARGET, `${run.id}: final loss ${last.loss}`);
      if (run.optimizer === 'sgd') {
        // SGD's expected loss is monotone, so the curve crosses the target where the summary says
        // (the notebook's search reports one step before the first step below the target).
        for (const row of rows) {
          if (row.step > steps) assert.ok(row.loss < SMALL_TARGET, `${run.id}: loss ${row.loss} at step ${row.step} > steps to target ${steps}`);
          if (row.step < steps) assert.ok(row.loss >= SMALL_TARGET, `${run.id}: loss ${row.loss} already below target at step ${row.step} < ${steps}`);
        }
      }
    }
  });

  test('progress goes to stderr, not stdout', () => {
    const total = doc.runs.length;
    const progress = result.stderr.split('\n').filter((l) => new RegExp(`^\\[\\s*\\d+/${total}\\]`).test(l));
    assert.equal(progress.length, total, `one progress line per run on stderr:\n${result.stderr}`);
    for (const label of SMALL_LABELS) assert.ok(progress.some((l) => l.includes(`${label} B=`)), `progress names ${label}`);
    assert.ok(!/^\[\s*\d+\//m.test(result.stdout), 'no progress line on stdout');
    assert.ok(!result.stdout.includes('optlab: running'), 'no banner on stdout');
  });

  // ---- ls / show / export on the store just written ----

  test('ls lists every run id', async () => {
    const r = await cli(['ls', '--store', store]);
    assertExit(r, 0);
    for (const run of doc.runs) assert.ok(r.stdout.includes(run.id), `ls lists ${run.id}:\n${r.stdout}`);
    const j = await cli(['ls', '--store', store, '--json']);
    assertExit(j, 0);
    const listed = parseSingleJson(j.stdout) as { id: string; status: string }[];
    assert.deepEqual(listed.map((x) => x.id).sort(), doc.runs.map((x) => x.id).sort());
  });

  test('show accepts an id prefix and prints the record', async () => {
    const ids = doc.runs.map((r) => r.id);
    const run = doc.runs.find((r) => ids.filter((id) => id.startsWith(r.id.slice(0, -2))).length === 1)!;
    const prefix = run.id.slice(0, -2);
    const r = await cli(['show', prefix, '--store', store]);
    assertExit(r, 0);
    assert.match(r.stdout, new RegExp(`^run\\s+${run.id}$`, 'm'), 'prints the full id');
    assert.match(r.stdout, /^status\s+completed/m);
    assert.match(r.stdout, new RegExp(`stepsToTarget\\s+${run.stepsToTarget}\\b`));
    assert.match(r.stdout, new RegExp(`${readMetricRows(store, run.id).length} rows`));
    assert.ok(r.stdout.includes(PACKAGE_VERSION), 'shows the engine version');
  });

  test('export --format csv: a step-first header and one line per metrics row', async () => {
    const run = doc.runs[0];
    const rows = readMetricRows(store, run.id);
    const r = await cli(['export', run.id, '--format', 'csv', '--store', store]);
    assertExit(r, 0);
    const lines = r.stdout.split(/\r?\n/).filter((l) => l !== '');
    assert.ok(lines[0].startsWith('step'), `header: ${lines[0]}`);
    const header = lines[0].split(',');
    assert.ok(header.includes('loss'), `header has loss: ${lines[0]}`);
    assert.equal(lines.length - 1, rows.length, 'one data line per metrics row');
    const firstData = lines[1].split(',');
    assert.equal(Number(firstData[0]), rows[0].step);
    assert.equal(Number(firstData[header.indexOf('loss')]), rows[0].loss);
    const lastData = lines[lines.length - 1].split(',');
    assert.equal(Number(lastData[0]), rows[rows.length - 1].step);
  });

  test('export --format json: run and metrics', async () => {
    const run = doc.runs[0];
    const rows = readMetricRows(store, run.id);
    const r = await cli(['export', run.id, '--format', 'json', '--store', store]);
    assertExit(r, 0);
    const exported = parseSingleJson(r.stdout) as { run: RunJson; metrics: MetricsRow[] };
    assert.equal(exported.run.id, run.id);
    assert.equal(exported.run.status, 'completed');
    assert.deepEqual(exported.metrics, rows);
  });

  test('export --format xml exits 2 naming the format', async () => {
    const r = await cli(['export', doc.runs[0].id, '--format', 'xml', '--store', store]);
    assertExit(r, 2);
    assert.match(r.stderr, /xml/);
    assert.equal(r.stdout, '');
  });

  test('a truncated last line in metrics.jsonl is tolerated and reported', async () => {
    const run = doc.runs[1]; // not the run the export tests read
    const rows = readMetricRows(store, run.id);
    const file = path.join(store, 'runs', run.id, 'metrics.jsonl');
    assert.ok(fs.readFileSync(file, 'utf8').endsWith('\n'), 'the writer ends the file with a newline');
    fs.appendFileSync(file, '{"step": 999999999, "examples": 1, "loss": 0.00');
    const truncatedLine = rows.length + 1;
    const mentionsIt = (stderr: string) => /truncated/i.test(stderr) || stderr.includes(`line ${truncatedLine}`);

    const show = await cli(['show', run.id, '--store', store]);
    assertExit(show, 0);
    assert.ok(mentionsIt(show.stderr), `show reports the truncated line on stderr:\n${show.stderr}`);
    assert.match(show.stdout, new RegExp(`${rows.length} rows`), 'the partial line is not counted as a row');

    const showJson = await cli(['show', run.id, '--store', store, '--json']);
    assertExit(showJson, 0);
    const shown = parseSingleJson(showJson.stdout) as { metricsRows: number; truncatedLastLine: boolean };
    assert.equal(shown.metricsRows, rows.length);
    assert.equal(shown.truncatedLastLine, true);

    const csv = await cli(['export', run.id, '--format', 'csv', '--store', store]);
    assertExit(csv, 0);
    assert.ok(mentionsIt(csv.stderr), `export reports the truncated line on stderr:\n${csv.stderr}`);
    assert.equal(csv.stdout.split(/\r?\n/).filter((l) => l !== '').length - 1, rows.length);
    assert.ok(!csv.stdout.includes('999999999'), 'the partial row is not exported');

    const json = await cli(['export', run.id, '--format', 'json', '--store', store]);
    assertExit(json, 0);
    assert.deepEqual((parseSingleJson(json.stdout) as { metrics: MetricsRow[] }).metrics, rows);
  });
});

describe('optlab run without --json', () => {
  test('prints a table per optimizer, the critical batch sizes and the findings; default store is ./.optlab', async () => {
    const dir = freshDir('small-text');
    writeExperiment(dir, 'small.optlab.json');
    const r = await cli(['run', 'small.optlab.json', '--workers', '2'], { cwd: dir });
    assertExit(r, 0);
    assert.throws(() => JSON.parse(r.stdout), 'stdout is text, not JSON');
    const out = r.stdout;
    for (const label of SMALL_LABELS) {
      const at = out.indexOf(`== ${label} ==`);
      assert.ok(at >= 0, `a section for ${label}:\n${out}`);
      const section = out.slice(at).split('\n');
      assert.match(section[1], /batch size\s+steps/, `${label} table header`);
      assert.match(section[2], /^-+/, `${label} table rule`);
      for (let i = 0; i < SMALL_BATCH_SIZES.length; i++) {
        assert.match(section[3 + i], new RegExp(`^\\s*${SMALL_BATCH_SIZES[i]}\\s+\\d+`), `${label} row for B=${SMALL_BATCH_SIZES[i]}`);
      }
      assert.match(section[3 + SMALL_BATCH_SIZES.length], /^critical batch size: B_crit = /, `${label} fit line`);
    }
    assert.ok(out.includes('momentum'), 'the momentum table has a momentum column');
    assert.equal((out.match(/^critical batch size:/gm) ?? []).length, SMALL_LABELS.length);
    assert.match(out, /Findings/);
    assert.match(out, /^\s+\[(agrees|DIFFERS|\?)\] /m, 'at least one finding line');
    assert.ok(!/^\[\s*\d+\//m.test(out), 'no progress on stdout');
    assert.match(r.stderr, /^\[\s*12\/12\]/m, 'progress on stderr');
    assert.equal(runFolders(path.join(dir, '.optlab')).length, 12, 'runs stored under ./.optlab/runs');
  });
});

describe('the shipped example', () => {
  test('runs end to end: 60 runs, every finding holds, B_crit grows with p', async () => {
    const dir = freshDir('example');
    const store = path.join(dir, 'store');
    const r = await cli(['run', EXAMPLE, '--json', '--store', store, '--workers', '2'], { cwd: dir, timeoutMs: 45_000 });
    assertExit(r, 0);
    const doc = parseSingleJson(r.stdout) as ExperimentJson;
    assert.equal(doc.experiment, 'nqm-critical-batch');
    assert.equal(doc.runs.length, 60);
    assert.ok(doc.runs.every((x) => x.status === 'completed'), 'every run completed');
    assert.equal(runFolders(store).length, 60);
    assert.ok(doc.findings.length > 0, 'findings are reported');
    for (const f of doc.findings) assert.equal(f.holds, true, `finding does not hold: ${f.claim} (${f.evidence})`);
    const sgd = doc.criticalBatchSize.filter((x) => x.type === 'sgd').sort((a, b) => a.precondition - b.precondition);
    assert.deepEqual(sgd.map((x) => x.precondition), [0, 0.25, 0.5, 0.75]);
    for (let i = 1; i < sgd.length; i++) {
      assert.ok(sgd[i].bCrit! > sgd[i - 1].bCrit!, `B_crit p=${sgd[i].precondition} (${sgd[i].bCrit}) > p=${sgd[i - 1].precondition} (${sgd[i - 1].bCrit})`);
    }
  });
});

// ---- invalid input ----

describe('invalid input exits 2 and names the problem', () => {
  let dir: string;
  let store: string;

  before(() => {
    dir = freshDir('invalid');
    store = path.join(dir, 'store');
  });

  function assertStoreEmpty(): void {
    assert.deepEqual(runFolders(store), [], 'nothing written to the store');
  }

  test('an unknown key: JSON path, file name and line', async () => {
    const file = writeExperiment(dir, 'unknown-key.optlab.json', (e) => {
      (e.optimizers[1] as Record<string, unknown>).learningRat = 0.1;
    });
    const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('"learningRat"')) + 1;
    assert.ok(line > 1);
    const r = await cli(['run', 'unknown-key.optlab.json', '--store', store], { cwd: dir });
    assertExit(r, 2);
    assert.match(r.stderr, /\/optimizers\/1\/learningRat/, 'names the JSON path');
    assert.ok(r.stderr.includes(`${file}:${line}:`), `names ${file}:${line}:\n${r.stderr}`);
    assert.match(r.stderr, /unknown key/i);
    assert.equal(r.stdout, '');
    assertStoreEmpty();
  });

  test('malformed JSON: file:line:col', async () => {
    const file = path.join(dir, 'malformed.optlab.json');
    fs.writeFileSync(file, '{\n  "name": "x",\n  "problem": { "type": "nqm" }\n  "target": { "metric": "loss", "value": 0.01 }\n}\n');
    const r = await cli(['run', 'malformed.optlab.json', '--store', store], { cwd: dir });
    assertExit(r, 2);
    assert.ok(r.stderr.includes(`${file}:4:3`), `names ${file}:4:3:\n${r.stderr}`);
    assert.equal(r.stdout, '');
    assertStoreEmpty();
  });

  test('a missing file: names the path', async () => {
    const r = await cli(['run', 'no-such-experiment.optlab.json', '--store', store], { cwd: dir });
    assertExit(r, 2);
    assert.ok(r.stderr.includes(path.join(dir, 'no-such-experiment.optlab.json')), r.stderr);
    assert.match(r.stderr, /not found|no such file/i);
    assert.equal(r.stdout, '');
    assertStoreEmpty();
  });

  test('an unknown command', async () => {
    const r = await cli(['frobnicate']);
    assertExit(r, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
    assert.equal(r.stdout, '');
  });

  test('an unknown flag', async () => {
    writeExperiment(dir, 'valid.optlab.json');
    const r = await cli(['run', 'valid.optlab.json', '--store', store, '--frobnicate'], { cwd: dir });
    assertExit(r, 2);
    assert.match(r.stderr, /--frobnicate/);
    assert.equal(r.stdout, '');
    assertStoreEmpty();
  });

  test('show of a run that does not exist names the id', async () => {
    const r = await cli(['show', 'no-such-run-4711', '--store', store]);
    assertExit(r, 2);
    assert.match(r.stderr, /no-such-run-4711/);
    assert.equal(r.stdout, '');
  });

  test('nqm --batch-sizes 4,x', async () => {
    const r = await cli(['nqm', '--batch-sizes', '4,x']);
    assertExit(r, 2);
    assert.match(r.stderr, /--batch-sizes/);
    assert.match(r.stderr, /'x'/);
    assert.equal(r.stdout, '');
  });
});

// ---- optlab nqm ----

describe('optlab nqm --json', () => {
  interface NqmJson {
    optimizer: string;
    precondition: number;
    points: PointJson[];
    criticalBatchSize: { sMin: number | null; eMin: number | null; bCrit: number | null };
  }

  test('SGD p=0.5: the documented shape, steps falling with batch size', async () => {
    const sizes = [4, 16, 64, 256, 1024, 4096];
    const r = await cli(['nqm', '--optimizer', 'sgd', '--precondition', '0.5', '--batch-sizes', sizes.join(','), '--json']);
    assertExit(r, 0);
    const doc = parseSingleJson(r.stdout) as NqmJson;
    assert.equal(doc.optimizer, 'sgd');
    assert.equal(doc.precondition, 0.5);
    assert.deepEqual(doc.points.map((p) => p.batchSize), sizes);
    for (const p of doc.points) {
      assert.ok(Number.isInteger(p.steps) && p.steps! > 0, `steps at B=${p.batchSize}: ${p.steps}`);
      assert.ok(typeof p.learningRate === 'number' && p.learningRate > 0, `lr at B=${p.batchSize}`);
      assert.ok(!('momentum' in p) && !('decay' in p), 'SGD points carry no momentum or decay');
    }
    for (let i = 1; i < doc.points.length; i++) {
      assert.ok(doc.points[i].steps! < doc.points[i - 1].steps!, `steps fall from B=${doc.points[i - 1].batchSize} to B=${doc.points[i].batchSize}`);
    }
    for (const key of ['sMin', 'eMin', 'bCrit'] as const) {
      const v = doc.criticalBatchSize[key];
      assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `criticalBatchSize.${key} = ${v}`);
    }
  });

  test('momentum points carry momentum, EMA points carry decay', async () => {
    const m = await cli(['nqm', '--optimizer', 'momentum', '--batch-sizes', '16,4096', '--json']);
    assertExit(m, 0);
    const md = parseSingleJson(m.stdout) as NqmJson;
    assert.equal(md.optimizer, 'momentum');
    assert.deepEqual(md.points.map((p) => p.batchSize), [16, 4096]);
    for (const p of md.points) {
      assert.ok(typeof p.momentum === 'number' && p.momentum >= 0 && p.momentum < 1, `momentum at B=${p.batchSize}: ${p.momentum}`);
      assert.ok(!('decay' in p));
    }
    assert.ok(md.points[1].steps! < md.points[0].steps!);

    const e = await cli(['nqm', '--optimizer', 'ema', '--batch-sizes', '16,4096', '--json']);
    assertExit(e, 0);
    const ed = parseSingleJson(e.stdout) as NqmJson;
    assert.equal(ed.optimizer, 'ema');
    for (const p of ed.points) {
      assert.ok(typeof p.decay === 'number' && p.decay >= 0 && p.decay < 1, `decay at B=${p.batchSize}: ${p.decay}`);
      assert.ok(!('momentum' in p));
    }
  });
});

// ---- cancellation ----

describe('cancellation', () => {
  test('SIGINT after the first progress line: finished runs kept, the rest cancelled, none running', async () => {
    const dir = freshDir('cancel');
    const store = path.join(dir, 'store');
    let signalledAt = 0;
    const r = await cli(['run', EXAMPLE, '--store', store, '--workers', '1'], {
      cwd: dir,
      timeoutMs: 30_000,
      onStderr: (soFar, child) => {
        if (signalledAt === 0 && /^\[\s*1\/\d+\]/m.test(soFar)) {
          signalledAt = Date.now();
          child.kill('SIGINT');
        }
      },
    });
    const exitedAfter = Date.now() - signalledAt;
    assert.ok(signalledAt > 0, `no progress line before exit:\n${describeResult(r)}`);
    assert.equal(r.signal, null, 'the CLI handles SIGINT itself rather than dying of it');
    assert.notEqual(r.code, 0, `a cancelled run must not exit 0:\n${describeResult(r)}`);
    assert.ok(exitedAfter < 8_000, `exited ${exitedAfter} ms after SIGINT`);
    assert.match(r.stderr, /cancel/i, 'says it was cancelled');
    assert.equal(r.stdout, '', 'no result tables after a cancel');

    const ids = runFolders(store);
    assert.equal(ids.length, 60, 'every run of the experiment was recorded');
    const records = ids.map((id) => readRunJson(store, id));
    const byStatus = (s: string) => records.filter((x) => x.status === s);
    const completed = byStatus('completed');
    const cancelled = byStatus('cancelled');
    assert.equal(completed.length + cancelled.length, 60, `statuses: ${JSON.stringify(records.map((x) => x.status))}`);
    assert.equal(byStatus('running').length, 0, 'none left running');
    assert.ok(completed.length >= 1, 'the run reported on stderr is completed');
    assert.ok(cancelled.length >= 1, 'the signal arrived before the experiment finished');
    const progressLines = r.stderr.split('\n').filter((l) => /^\[\s*\d+\/60\]/.test(l)).length;
    assert.equal(completed.length, progressLines, 'exactly the runs reported as finished are completed');
    for (const rec of completed) {
      assert.ok(typeof rec.summary.stepsToTarget === 'number', `${rec.id} has its steps to target`);
      assert.ok(readMetricRows(store, rec.id).length > 0, `${rec.id} has metrics`);
    }
    for (const rec of cancelled) assert.ok(rec.endedAt, `${rec.id} has an end time`);
  });
});
