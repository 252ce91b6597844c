import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AmbiguousRunIdError,
  RunNotFoundError,
  RunStore,
  StoreError,
  exportCsv,
  exportJson,
  makeRunId,
  slugify,
  type MetricRow,
  type RunInit,
  type RunStoreOptions,
  type StoreFs,
} from '../../engine/src/store/index.js';
import { MetricsWriter } from '../../engine/src/store/metrics-writer.js';
import { nodeStoreFs } from '../../engine/src/store/fs-ops.js';

const STORE_INDEX = path.resolve(__dirname, '../../engine/src/store/index.ts');

let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-store-'));
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function init(label = 'sgd lr=0.1', extra: Partial<RunInit> = {}): RunInit {
  return {
    experiment: { name: 'nqm-cbs', file: 'examples/nqm.optlab.json' },
    label,
    optimizer: 'sgd',
    batchSize: 64,
    spec: { type: 'sgd', learningRate: { logspace: [-3, 0, 4] } },
    config: { dim: 100, steps: 1000 },
    hyperparameters: { learningRate: 0.1 },
    engine: { version: '0.1.0', backend: 'js' },
    ...extra,
  };
}

/** A clock that advances 1 ms per call, so createdAt/startedAt/endedAt are distinct and ordered. */
function steppingClock(start = Date.UTC(2026, 10, 27, 3, 15, 2)): () => Date {
  let t = start;
  return () => new Date(t++);
}

function store(options: RunStoreOptions = {}): RunStore {
  return new RunStore(path.join(tmp, '.optlab'), { flushIntervalMs: 1_000_000, ...options });
}

describe('ids', () => {
  test('time prefix, slug and random suffix', () => {
    const id = makeRunId('Momentum β=0.9, batch 128 / long label here', new Date(Date.UTC(2026, 10, 27, 3, 15, 2)), 'abc123');
    assert.match(id, /^20261127-031502-[a-z0-9-]{1,24}-abc123$/);
    assert.equal(slugify('Momentum β=0.9, batch 128 / long label here'), 'momentum-0-9-batch-128-l');
    assert.equal(slugify('***'), 'run');
    assert.equal(slugify('a'.repeat(23) + ' b'), 'a'.repeat(23));
  });

  test('many runs in the same millisecond get unique ids; a collision is retried', () => {
    const fixed = new Date(Date.UTC(2026, 0, 1));
    const s = store({ now: () => fixed });
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const w = s.create(init('same'));
      ids.add(w.id);
      w.close();
    }
    assert.equal(ids.size, 50);

    const suffixes = ['aaaaaa', 'aaaaaa', 'bbbbbb'];
    const forced = store({ now: () => fixed, randomSuffix: () => suffixes.shift() ?? 'zzzzzz' });
    const a = forced.create(init('dup'));
    const b = forced.create(init('dup'));
    assert.equal(a.id, '20260101-000000-dup-aaaaaa');
    assert.equal(b.id, '20260101-000000-dup-bbbbbb');
    a.close();
    b.close();
  });
});

describe('RunStore create/list/get', () => {
  test('a run folder appears only with its run.json: a process killed while creating a run leaves nothing a reader sees', () => {
    const seen: string[][] = [];
    let runsDir = '';
    const s = store({
      fs: {
        renameSync: (from: string, to: string) => {
          // The moment run.json lands: readers must not see the run's folder yet.
          if (path.basename(to) === 'run.json') seen.push(fs.readdirSync(runsDir).filter((n) => !n.startsWith('.')));
          fs.renameSync(from, to);
        },
      },
    });
    runsDir = s.runsDir;
    const w = s.create(init('atomic'));
    w.close();
    assert.deepEqual(seen, [[]]);
    assert.deepEqual(s.listWithProblems().problems, []);
    assert.deepEqual(fs.readdirSync(runsDir), [w.id], 'no staging folder left behind');
  });

  test('defaultRoot and lazy runs/ folder', () => {
    assert.equal(RunStore.defaultRoot('/w'), path.join('/w', '.optlab'));
    const s = store();
    assert.deepEqual(s.list(), []);
    assert.equal(fs.existsSync(s.runsDir), false);
  });

  test('create writes run.json and an empty metrics.jsonl', () => {
    const s = store({ now: steppingClock() });
    const w = s.create(init());
    const rec = JSON.parse(fs.readFileSync(path.join(w.dir, 'run.json'), 'utf8'));
    assert.equal(rec.schemaVersion, 1);
    assert.equal(rec.id, w.id);
    assert.equal(rec.status, 'queued');
    assert.equal(rec.createdAt, '2026-11-27T03:15:02.000Z');
    assert.equal(rec.engine.node, process.version);
    assert.deepEqual(rec.experiment, { name: 'nqm-cbs', file: 'examples/nqm.optlab.json' });
    assert.deepEqual(rec.summary, {});
    assert.equal(fs.readFileSync(path.join(w.dir, 'metrics.jsonl'), 'utf8'), '');
    assert.equal(w.dir, path.join(s.runsDir, w.id));
    w.close();
  });

  test('list is sorted by createdAt then id; get accepts a unique prefix', () => {
    const clockTimes = [Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1)];
    const s = store({ now: () => new Date(clockTimes[0]) });
    const made: string[] = [];
    for (const t of clockTimes) {
      const sx = new RunStore(s.root, { now: () => new Date(t), flushIntervalMs: 0 });
      const w = sx.create(init(`run ${made.length}`));
      made.push(w.id);
      w.close();
    }
    const listed = s.list().map((r) => r.id);
    const sameDay = [made[1], made[2]].sort();
    assert.deepEqual(listed, [...sameDay, made[0]]);

    assert.equal(s.get(made[0]).id, made[0]);
    assert.equal(s.get(made[0].slice(0, 12)).id, made[0]); // 20260102-000 is unique
    assert.throws(() => s.get('20260101'), (err: unknown) => {
      assert.ok(err instanceof AmbiguousRunIdError);
      assert.match(err.message, /ambiguous/);
      assert.ok(err.message.includes(made[1]) && err.message.includes(made[2]));
      return true;
    });
    assert.throws(() => s.get('nope'), (err: unknown) => {
      assert.ok(err instanceof RunNotFoundError);
      assert.ok(err.message.includes('"nope"'));
      assert.ok(err.message.includes(s.root));
      return true;
    });
    assert.throws(() => s.get('../x'), RunNotFoundError);
  });

  test('unreadable run.json is skipped by list and reported by listWithProblems', () => {
    const s = store();
    const good = s.create(init('good'));
    good.close();
    const bad = s.create(init('bad'));
    bad.close();
    fs.writeFileSync(path.join(bad.dir, 'run.json'), '{"schemaVersion":1,"id":');
    fs.mkdirSync(path.join(s.runsDir, 'empty-folder'));

    assert.deepEqual(s.list().map((r) => r.id), [good.id]);
    const { runs, problems } = s.listWithProblems();
    assert.equal(runs.length, 1);
    const byId = new Map(problems.map((p) => [p.id, p.message]));
    assert.equal(problems.length, 2);
    assert.ok(byId.get(bad.id)?.includes(path.join(bad.dir, 'run.json')));
    assert.match(byId.get(bad.id) ?? '', /invalid JSON/);
    assert.match(byId.get('empty-folder') ?? '', /run\.json is missing/);
    assert.throws(() => s.get(bad.id), (err: unknown) => err instanceof StoreError && err.message.includes(bad.dir));
  });
});

describe('RunWriter status and summary', () => {
  test('transitions set startedAt/endedAt; terminal runs cannot be reopened', () => {
    const s = store({ now: steppingClock() });
    const w = s.create(init());
    assert.equal(s.get(w.id).startedAt, undefined);

    w.setStatus('running', { hyperparameters: { momentum: 0.9 } });
    let rec = s.get(w.id);
    assert.equal(rec.status, 'running');
    assert.ok(rec.startedAt && rec.startedAt > rec.createdAt);
    assert.equal(rec.endedAt, undefined);
    assert.deepEqual(rec.hyperparameters, { learningRate: 0.1, momentum: 0.9 });

    w.updateSummary({ finalLoss: Number.NaN });
    w.updateSummary({ stepsToTarget: Number.POSITIVE_INFINITY });
    w.setStatus('diverged', { summary: { divergedAt: 812 }, error: { message: 'loss is NaN', where: 'step 812' } });
    rec = s.get(w.id);
    assert.equal(rec.status, 'diverged');
    assert.ok(rec.endedAt && rec.startedAt && rec.endedAt > rec.startedAt);
    assert.ok(Number.isNaN(rec.summary.finalLoss));
    assert.equal(rec.summary.stepsToTarget, Number.POSITIVE_INFINITY);
    assert.equal(rec.summary.divergedAt, 812);
    assert.deepEqual(rec.error, { message: 'loss is NaN', where: 'step 812' });
    assert.deepEqual(w.record, rec);

    assert.throws(() => w.setStatus('running'), /already 'diverged'/);
    w.close('diverged'); // same terminal status: no-op
    assert.throws(() => w.append({ step: 1 }), /closed/);
  });

  test('create with status running sets startedAt; close(finalStatus) records it', () => {
    const s = store({ now: steppingClock() });
    const w = s.create(init('x', { status: 'running' }));
    assert.equal(s.get(w.id).startedAt, s.get(w.id).createdAt);
    w.append({ step: 1, loss: 1 });
    w.close('completed');
    const rec = s.get(w.id);
    assert.equal(rec.status, 'completed');
    assert.ok(rec.endedAt);
    assert.equal(s.readMetrics(w.id).rows.length, 1);
  });

  test('run.json is rewritten atomically: valid after every update, no .tmp files left', () => {
    const s = store();
    const w = s.create(init());
    w.setStatus('running');
    for (let i = 0; i < 20; i++) {
      w.updateSummary({ step: i });
      const text = fs.readFileSync(path.join(w.dir, 'run.json'), 'utf8');
      assert.equal(JSON.parse(text).summary.step, i);
    }
    w.close('completed');
    assert.deepEqual(fs.readdirSync(w.dir).sort(), ['metrics.jsonl', 'run.json']);
  });
});

describe('metrics', () => {
  test('append + flush + read round-trip, including NaN and Infinity', () => {
    const s = store();
    const w = s.create(init());
    const rows: MetricRow[] = [
      { step: 0, loss: 1.5, phase: 'warmup', note: null, ok: true },
      { step: 1, loss: Number.NaN, gradNorm: Number.POSITIVE_INFINITY, lr: Number.NEGATIVE_INFINITY },
      { step: 2, loss: 0.25, label: 'comma, "quote"\nnewline' },
    ];
    w.append(rows[0]);
    assert.equal(s.readMetrics(w.id).rows.length, 0, 'rows are buffered until flush');
    w.append(rows[1]);
    w.flush();
    w.append(rows[2]);
    w.close();

    const text = fs.readFileSync(path.join(w.dir, 'metrics.jsonl'), 'utf8');
    assert.ok(text.includes('"loss":"NaN"') && text.includes('"gradNorm":"Infinity"') && text.includes('"lr":"-Infinity"'));
    assert.equal(text.split('\n').length, 4);

    const read = s.readMetrics(w.id);
    assert.deepEqual(read, { rows, nextSeq: 3, truncatedLastLine: false, warnings: [] });
  });

  test('the flush timer writes buffered rows', async () => {
    const s = store({ flushIntervalMs: 10 });
    const w = s.create(init());
    w.append({ step: 1, loss: 0.5 });
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(s.readMetrics(w.id).rows, [{ step: 1, loss: 0.5 }]);
    w.close();
  });

  test('an unclosed writer does not keep the process alive (timer is unref()d)', () => {
    const script = path.join(tmp, 'idle.ts');
    fs.writeFileSync(
      script,
      [
        `import { RunStore } from ${JSON.stringify(STORE_INDEX)};`,
        `const w = new RunStore(${JSON.stringify(path.join(tmp, '.optlab'))}).create({ experiment: { name: 'idle' }, label: 'idle', optimizer: 'sgd', spec: {}, config: {}, engine: { version: '0', backend: 'js' } });`,
        `w.append({ step: 1 });`,
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: path.resolve(__dirname, '../..'), timeout: 20_000, encoding: 'utf8' });
    assert.equal(r.signal, null, 'the child had to be killed: something kept it alive');
    assert.equal(r.status, 0, r.stderr);
  });

  test('a truncated last line is tolerated and reported', () => {
    const s = store();
    const w = s.create(init());
    w.append({ step: 1, loss: 1 });
    w.append({ step: 2, loss: 0.5 });
    w.close();
    const file = path.join(w.dir, 'metrics.jsonl');
    fs.appendFileSync(file, '{"step":3,"lo');

    const read = s.readMetrics(w.id);
    assert.deepEqual(read.rows, [{ step: 1, loss: 1 }, { step: 2, loss: 0.5 }]);
    assert.equal(read.truncatedLastLine, true);
    assert.equal(read.warnings.length, 1);
    assert.match(read.warnings[0], /line 3 of .*metrics\.jsonl: truncated last line/);
  });

  test('a corrupt middle line is skipped with a warning naming its line number', () => {
    const s = store();
    const w = s.create(init());
    w.close();
    const file = path.join(w.dir, 'metrics.jsonl');
    fs.writeFileSync(file, '{"step":1,"loss":1}\n{"step":2,"lo\x00\x00ss\n[1,2]\n{"step":4,"loss":0.25}\n');

    const read = s.readMetrics(w.id);
    assert.deepEqual(read.rows, [{ step: 1, loss: 1 }, { step: 4, loss: 0.25 }]);
    assert.equal(read.truncatedLastLine, false);
    assert.equal(read.warnings.length, 2);
    assert.match(read.warnings[0], /^line 2 of .*metrics\.jsonl: corrupt line skipped/);
    assert.match(read.warnings[1], /^line 3 of .*: corrupt line skipped: not a JSON object/);
  });

  test('rows are numbered by their line in metrics.jsonl: appends return it, reads give nextSeq, a reopened file goes on', () => {
    const s = store({ flushIntervalMs: 0 });
    const w = s.create(init());
    assert.equal(w.append({ step: 1, loss: 1 }), 0);
    assert.deepEqual(w.appendRows([{ step: 2, loss: 0.5 }, { step: 2, accuracy: 0.1 }]), { from: 1 });
    assert.equal(w.append({ step: 3, loss: 0.25 }), 3);
    assert.equal(s.readMetrics(w.id).nextSeq, 4);
    w.close();
    // A corrupt line keeps its number (rows after it keep theirs); an unterminated tail has none.
    const file = path.join(w.dir, 'metrics.jsonl');
    fs.appendFileSync(file, 'garbage\n{"step":5,"loss":0.1}\n{"step":6');
    const read = s.readMetrics(w.id);
    assert.equal(read.nextSeq, 6);
    assert.equal(read.rows.length, 5);
    const again = new MetricsWriter(file, { fs: nodeStoreFs, flushIntervalMs: 0, fsyncOnFlush: false, maxBufferedRows: 10 });
    assert.equal(again.nextSeq, 6);
    again.close();
    // Blank lines (a hand-edited file) take no number, for the reader and a reopened writer alike.
    fs.writeFileSync(file, '{"step":1}\n\n{"step":2}\n  \n{"step":3}\n');
    assert.equal(s.readMetrics(w.id).nextSeq, 3);
    const third = new MetricsWriter(file, { fs: nodeStoreFs, flushIntervalMs: 0, fsyncOnFlush: false, maxBufferedRows: 10 });
    assert.equal(third.nextSeq, 3);
    third.close();
  });

  test('tailMetrics returns only complete lines and the right nextOffset (live writer)', () => {
    const s = store();
    const w = s.create(init('live', { status: 'running' }));
    const file = path.join(w.dir, 'metrics.jsonl');

    let t = s.tailMetrics(w.id, 0);
    assert.deepEqual(t, { rows: [], nextOffset: 0, partialLine: false, warnings: [] });

    w.append({ step: 1, loss: 1 });
    w.append({ step: 2, loss: 'NaN' });
    t = s.tailMetrics(w.id, t.nextOffset);
    assert.equal(t.rows.length, 0, 'nothing flushed yet');
    w.flush();
    t = s.tailMetrics(w.id, t.nextOffset);
    assert.deepEqual(t.rows, [{ step: 1, loss: 1 }, { step: 2, loss: Number.NaN }]);
    assert.equal(t.nextOffset, fs.statSync(file).size);
    assert.equal(t.partialLine, false);

    for (let step = 3; step <= 5; step++) w.append({ step, note: 'ü' }); // multi-byte: offsets are bytes
    w.flush();
    const before = t.nextOffset;
    t = s.tailMetrics(w.id, before);
    assert.deepEqual(t.rows.map((r) => r.step), [3, 4, 5]);
    assert.equal(t.nextOffset, fs.statSync(file).size);
    w.close();

    // A line caught mid-write is not returned until its newline arrives.
    fs.appendFileSync(file, '{"step":6,"lo');
    const mid = s.tailMetrics(w.id, t.nextOffset);
    assert.deepEqual(mid, { rows: [], nextOffset: t.nextOffset, partialLine: true, warnings: [] });
    fs.appendFileSync(file, 'ss":0.1}\n{"step":7');
    const done = s.tailMetrics(w.id, mid.nextOffset);
    assert.deepEqual(done.rows, [{ step: 6, loss: 0.1 }]);
    assert.equal(done.partialLine, true);
    assert.equal(done.nextOffset, fs.statSync(file).size - '{"step":7'.length);

    assert.throws(() => s.tailMetrics(w.id, fs.statSync(file).size + 10), /past the end of .*metrics\.jsonl/);
  });

  test('a SIGKILLed writer loses nothing it flushed', async () => {
    const root = path.join(tmp, '.optlab');
    const script = path.join(tmp, 'writer.ts');
    fs.writeFileSync(
      script,
      [
        `import { RunStore } from ${JSON.stringify(STORE_INDEX)};`,
        `const store = new RunStore(${JSON.stringify(root)}, { flushIntervalMs: 1_000_000 });`,
        `const w = store.create({ experiment: { name: 'kill' }, label: 'child', optimizer: 'sgd', spec: {}, config: {}, engine: { version: '0', backend: 'js' }, status: 'running' });`,
        `for (let step = 0; step < 100; step++) w.append({ step, loss: 1 / (step + 1) });`,
        `w.flush();`,
        `for (let step = 100; step < 110; step++) w.append({ step, loss: 0 });`, // buffered only
        `process.stdout.write('READY ' + w.id + '\\n');`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const id = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /READY (\S+)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
    });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const s = new RunStore(root);
    const read = s.readMetrics(id);
    assert.equal(read.rows.length, 100);
    assert.deepEqual(read.rows[99], { step: 99, loss: 1 / 100 });
    assert.equal(read.truncatedLastLine, false);
    assert.deepEqual(read.warnings, []);
    // run.json still says running, but its owner process is gone: readers report it crashed.
    const derived = s.get(id);
    assert.equal(derived.status, 'crashed');
    assert.equal(derived.orphan?.recordedStatus, 'running');
    assert.match(derived.orphan?.reason ?? '', new RegExp(`owner process ${child.pid} on .* is gone`));
    assert.equal(JSON.parse(fs.readFileSync(path.join(s.runDir(id), 'run.json'), 'utf8')).status, 'running', 'deriving writes nothing');

    s.markCrashed(id, 'writer process was killed');
    const rec = s.get(id);
    assert.equal(rec.status, 'crashed');
    assert.equal(rec.error?.message, 'writer process was killed');
    assert.ok(rec.endedAt);
  });
});

describe('write failures', () => {
  /** Fails writes to metrics.jsonl (or to every file with everything: true) once failWrites() is called. */
  function failingFs(everything = false): { fs: Partial<StoreFs>; failWrites: (afterBytes?: number) => void } {
    let mode: { afterBytes: number } | undefined;
    const metricsFds = new Set<number>();
    return {
      failWrites: (afterBytes = 0) => (mode = { afterBytes }),
      fs: {
        openSync(p, flags) {
          const fd = fs.openSync(p, flags);
          if (p.endsWith('metrics.jsonl')) metricsFds.add(fd);
          return fd;
        },
        closeSync(fd) {
          metricsFds.delete(fd); // fd numbers are reused by later opens
          fs.closeSync(fd);
        },
        writeSync(fd, buffer, offset, length) {
          if (!mode || (!everything && !metricsFds.has(fd))) return fs.writeSync(fd, buffer, offset, length);
          if (mode.afterBytes > 0) {
            // A short write followed by ENOSPC: leaves half a line unless the writer rolls back.
            const n = fs.writeSync(fd, buffer, offset, Math.min(length, mode.afterBytes));
            mode.afterBytes = 0;
            return n;
          }
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
        },
      },
    };
  }

  test('ENOSPC during flush names the file; earlier lines stay intact; close records failed, not completed', () => {
    const f = failingFs();
    const s = store({ fs: f.fs });
    const w = s.create(init('disk full', { status: 'running' }));
    const file = path.join(w.dir, 'metrics.jsonl');
    for (let step = 0; step < 3; step++) w.append({ step, loss: 1 });
    w.flush();

    f.failWrites(7);
    w.append({ step: 3, loss: 1 });
    w.append({ step: 4, loss: 1 });
    assert.throws(() => w.flush(), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.equal(err.code, 'ENOSPC');
      assert.equal(err.path, file);
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /cannot append 2 rows to metrics file .*ENOSPC/);
      return true;
    });
    assert.throws(() => w.append({ step: 5 }), /ENOSPC/, 'the writer stays failed');

    const read = s.readMetrics(w.id);
    assert.deepEqual(read.rows.map((r) => r.step), [0, 1, 2]);
    assert.equal(read.truncatedLastLine, false, 'the partial write was rolled back');
    assert.deepEqual(read.warnings, []);

    // The error was already thrown to the caller, so close does not throw it again,
    // but the run must not end up 'completed' with rows missing.
    w.close('completed');
    const rec = s.get(w.id);
    assert.equal(rec.status, 'failed');
    assert.equal(rec.error?.where, 'metrics.jsonl');
    assert.ok(rec.error?.message.includes(file) && rec.error.message.includes('ENOSPC'));
  });

  test('a background flush failure goes to onWriteError, or to the next call, and close records failed', async () => {
    const f = failingFs();
    const seen: string[] = [];
    const s = store({ fs: f.fs, flushIntervalMs: 5, onWriteError: (err, id) => seen.push(`${id}: ${err.message}`) });
    const w = s.create(init('bg', { status: 'running' }));
    f.failWrites();
    w.append({ step: 1 });
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(seen.length, 1);
    assert.ok(seen[0].startsWith(`${w.id}: `) && seen[0].includes(path.join(w.dir, 'metrics.jsonl')));
    w.close();

    const f2 = failingFs();
    const quiet = store({ fs: f2.fs, flushIntervalMs: 5 });
    const q = quiet.create(init('bg2', { status: 'running' }));
    f2.failWrites();
    q.append({ step: 1 });
    await new Promise((r) => setTimeout(r, 40));
    // Nobody was told yet: close throws it and records the run as failed.
    assert.throws(() => q.close('completed'), (err: unknown) => err instanceof StoreError && err.message.includes(q.metricsPath));
    const rec = quiet.get(q.id);
    assert.equal(rec.status, 'failed');
    assert.match(rec.error?.message ?? '', /ENOSPC/);
    assert.equal(rec.error?.where, 'metrics.jsonl');

    // Disk full for run.json too: the metrics error still leads, the run.json failure is appended.
    const f3 = failingFs(true);
    const full = store({ fs: f3.fs });
    const r = full.create(init('full', { status: 'running' }));
    r.append({ step: 1 });
    f3.failWrites();
    assert.throws(() => r.close('completed'), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.equal(err.code, 'ENOSPC');
      assert.match(err.message, /^cannot append 1 row to metrics file .*metrics\.jsonl: ENOSPC.*; also could not record the failure: cannot write .*run\.json/);
      return true;
    });
    assert.equal(full.get(r.id).status, 'running', 'left for markCrashed');
    assert.deepEqual(fs.readdirSync(r.dir).sort(), ['metrics.jsonl', 'run.json']);
  });

  test('a metrics path that is a directory fails with the path in the message', () => {
    const s = store();
    const w = s.create(init());
    w.close();
    fs.rmSync(path.join(w.dir, 'metrics.jsonl'));
    fs.mkdirSync(path.join(w.dir, 'metrics.jsonl'));
    assert.throws(() => s.readMetrics(w.id), (err: unknown) => err instanceof StoreError && err.message.includes(path.join(w.dir, 'metrics.jsonl')));
  });

  test('a failing run.json write names run.json and leaves no temp file', () => {
    let failRename = false;
    const s = store({
      fs: {
        renameSync(from, to) {
          if (failRename) throw Object.assign(new Error('EACCES: permission denied, rename'), { code: 'EACCES' });
          fs.renameSync(from, to);
        },
      },
    });
    const w = s.create(init());
    failRename = true;
    assert.throws(() => w.setStatus('running'), (err: unknown) => err instanceof StoreError && err.message.includes(path.join(w.dir, 'run.json')) && /EACCES/.test(err.message));
    assert.equal(w.status, 'queued', 'the in-memory record only changes once the write succeeded');
    assert.deepEqual(fs.readdirSync(w.dir).sort(), ['metrics.jsonl', 'run.json']);
    failRename = false;
    w.close();
  });
});

describe('export, delete, markCrashed', () => {
  test('CSV: union header with step first, RFC 4180 quoting, null -> empty', () => {
    const csv = exportCsv([
      { loss: 1, step: 0 },
      { step: 1, loss: Number.NaN, note: 'a,b' },
      { step: 2, note: 'say "hi"', extra: null, flag: false },
      { step: 3, note: 'two\nlines' },
    ]);
    assert.equal(
      csv,
      'step,loss,note,extra,flag\r\n' +
        '0,1,,,\r\n' +
        '1,NaN,"a,b",,\r\n' +
        '2,,"say ""hi""",,false\r\n' +
        '3,,"two\nlines",,\r\n',
    );
    assert.equal(exportCsv([]), '');
  });

  test('JSON export keeps non-finite numbers as strings', () => {
    const s = store();
    const w = s.create(init());
    w.append({ step: 0, loss: Number.POSITIVE_INFINITY });
    w.close('completed');
    const rec = s.get(w.id);
    const out = JSON.parse(exportJson(rec, s.readMetrics(w.id).rows));
    assert.equal(out.run.id, w.id);
    assert.deepEqual(out.metrics, [{ step: 0, loss: 'Infinity' }]);
    assert.ok(exportJson(rec, []).includes('\n  "run": {'));
  });

  test('delete removes the run folder; unknown ids throw', () => {
    const s = store();
    const a = s.create(init('a'));
    a.close();
    const b = s.create(init('b'));
    b.close();
    s.delete(a.id);
    assert.equal(fs.existsSync(a.dir), false);
    assert.deepEqual(s.list().map((r) => r.id), [b.id]);
    assert.deepEqual(fs.readdirSync(s.runsDir), [b.id]);
    assert.throws(() => s.delete(a.id), RunNotFoundError);
  });

  test('markCrashed only applies to queued/running runs', () => {
    const s = store({ now: steppingClock() });
    const w = s.create(init('x', { status: 'running' }));
    w.append({ step: 1 });
    w.flush();
    s.markCrashed(w.id.slice(0, -2), 'process 1234 is gone');
    const rec = s.get(w.id);
    assert.equal(rec.status, 'crashed');
    assert.deepEqual(rec.error, { message: 'process 1234 is gone' });
    assert.ok(rec.endedAt && rec.startedAt && rec.endedAt > rec.startedAt);
    assert.throws(() => s.markCrashed(w.id, 'again'), /already 'crashed'/);

    const done = s.create(init('y'));
    done.close('completed');
    assert.throws(() => s.markCrashed(done.id, 'late'), /already 'completed'/);
    assert.equal(s.get(done.id).status, 'completed');
    w.close();
  });
});
