// The fault-injection suite (issue 10): the bundled CLI running a small real neural sweep is
// killed with SIGKILL at seeded moments, given a full disk, a read-only store, 64 open files and a
// full stdout. Each case asserts what survives: every run on disk readable, no run left queued or
// running (a run whose owner died reads as crashed), metric rows whole and in order, a one-line
// message and exit code 1 where the CLI could still speak; and `--resume` after each kill gives
// the uninterrupted run's steps-to-target table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rng } from '../support/rng';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'optlab.js');
const BUNDLES = ['cli.js', 'trial-worker.js'].map((f) => path.join(ROOT, 'dist', 'engine', f));

/** Small and deterministic: 4 trials of a tiny MLP, a checkpoint every 10 steps, a row per step. */
const SWEEP = {
  name: 'fault-suite',
  problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 8, separation: 3, trainSize: 512, testSize: 256, seed: 1 }, model: { type: 'mlp', widths: [16], activation: 'tanh' } },
  target: { metric: 'testAccuracy', value: 0.85, evalEvery: 5, evalSize: 256 },
  budget: { maxSteps: 200 },
  batchSizes: [8, 32],
  optimizers: [
    { label: 'SGD', type: 'sgd', learningRate: [0.1] },
    { label: 'Adam', type: 'adam', learningRate: [0.003] },
  ],
  backend: 'cpu',
  seed: 0,
  logEvery: 1,
  checkpointEvery: 10,
};

/** More trials than a 64-descriptor process could hold metrics files for, were each kept open. */
const MANY = {
  ...SWEEP,
  name: 'fault-many',
  budget: { maxSteps: 40 },
  batchSizes: [16, 64],
  optimizers: [{ label: 'SGD', type: 'sgd', learningRate: { logspace: [-2, 0.5, 40] } }],
  logEvery: 10,
  checkpointEvery: undefined,
};

interface Run {
  id: string;
  status: string;
  label: string;
  config: { kind: string };
  summary: Record<string, unknown>;
  orphan?: { recordedStatus: string };
}

let tmp: string;
let file: string;
let reference: string;


function runCli(args: string[], opts: { shell?: string; stdout?: number | 'pipe'; env?: Record<string, string>; detached?: boolean; onStderr?: (soFar: string, child: ChildProcess) => void; timeoutMs?: number } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const env = { ...process.env, ...opts.env };
    const child = opts.shell
      ? spawn('bash', ['-c', `${opts.shell} ${quoted}`], { cwd: tmp, env, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] })
      : spawn(process.execPath, [BIN, ...args], { cwd: tmp, env, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'], detached: opts.detached ?? false });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`optlab ${args.join(' ')} timed out; stderr:\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The runs as `optlab ls --json` reads them (owner liveness included). */
async function listRuns(store: string): Promise<Run[]> {
  const r = await runCli(['ls', '--store', store, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /skipped run/, 'every run folder is readable');
  return JSON.parse(r.stdout) as Run[];
}

function steps(doc: string): string {
  const d = JSON.parse(doc) as { criticalBatchSize: { optimizer: string; points: { batchSize: number; steps: number | null }[] }[] };
  return JSON.stringify(d.criticalBatchSize.map((r) => [r.optimizer, r.points.map((p) => [p.batchSize, p.steps])]));
}

/** Rows on disk of a run: whole lines, steps 1, 2, ... in order (logEvery 1). Returns the last step. */
function checkRows(store: string, run: Run): number {
  const text = fs.readFileSync(path.join(store, 'runs', run.id, 'metrics.jsonl'), 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${run.id}: no cut-off line`);
  const rowSteps = text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { step: number }).step);
  if (run.config.kind === 'trial') assert.deepEqual(rowSteps, rowSteps.map((_, i) => i + 1), `${run.id}: rows 1..n in order`);
  return rowSteps.length ? rowSteps[rowSteps.length - 1] : 0;
}

/** Nothing queued or running survives its process; every status is final or derived crashed. */
function assertSettled(runs: Run[]): void {
  for (const r of runs) assert.ok(!['queued', 'running'].includes(r.status), `${r.id} is still ${r.status}`);
}

const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;

before(async () => {
  if (BUNDLES.some((f) => !fs.existsSync(f))) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `build failed:\n${r.stdout}\n${r.stderr}`);
  }
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-faults-cli-')));
  file = path.join(tmp, 'sweep.optlab.json');
  fs.writeFileSync(file, JSON.stringify(SWEEP));
  const ref = await runCli(['run', file, '--store', path.join(tmp, 'reference'), '--json', '--workers', '2']);
  assert.equal(ref.code, 0, ref.stderr);
  reference = steps(ref.stdout);
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('kill -9 at seeded moments, then --resume', () => {
  test('kill -9 at 10 seeded moments, each next session resuming the killed one: runs survive readable and settled, rows whole; every finished session reports what the uninterrupted run does', async (t) => {
    const random = rng(10);
    let chain = 0;
    let store = path.join(tmp, 'kills-0');
    let resume = false;
    let maxLost = 0;
    let checkpoints = 0;
    let kills = 0;
    let finished = 0;
    for (;;) {
      const last = kills >= 10;
      // A moment: after `progress` trials trained in this session (0 = as soon as runs exist), plus a delay.
      const progress = Math.floor(random() * 2);
      const delay = Math.floor(random() * 500);
      let armed = false;
      const finishedBefore = resume ? (await listRuns(store)).filter((r) => r.config.kind === 'trial' && r.status === 'completed').map((r) => r.id) : [];
      const session = await runCli(['run', file, '--store', store, '--json', '--workers', '1', ...(resume ? ['--resume'] : [])], {
        onStderr: (soFar, child) => {
          if (armed || last) return;
          const trained = (soFar.match(/^\[\s*\d+\/\d+\] (?!.*kept from run).*$/gm) ?? []).length;
          if (trained >= progress && fs.existsSync(path.join(store, 'runs'))) {
            armed = true;
            setTimeout(() => child.kill('SIGKILL'), delay);
          }
        },
      });
      const what = `${path.basename(store)} (killed after ${progress} trials + ${delay} ms)`;
      const runs = await listRuns(store);
      assertSettled(runs);
      for (const r of runs) {
        const lastStep = checkRows(store, r);
        const ckpt = path.join(store, 'runs', r.id, 'checkpoint.json');
        if (r.orphan && r.config.kind === 'trial' && fs.existsSync(ckpt)) {
          // Rows the worker had produced (its checkpoint says how far it got) but the store lacks.
          checkpoints++;
          maxLost = Math.max(maxLost, (JSON.parse(fs.readFileSync(ckpt, 'utf8')) as { step: number }).step - lastStep);
        }
        if (r.status === 'completed' && r.config.kind === 'trial') assert.equal(lastStep, r.summary.steps, `${what}: ${r.id}, a completed trial, has all its rows`);
      }
      if (session.signal === 'SIGKILL') {
        kills++;
        resume = true;
        continue;
      }
      assert.equal(session.code, 0, `${what}: ${session.stderr}`);
      assert.equal(steps(session.stdout), reference, `${what}: the report differs from the uninterrupted run's`);
      // Resuming keeps finished trials rather than training them again.
      const used = new Set((JSON.parse(session.stdout) as { trials: { id: string }[] }).trials.map((x) => x.id));
      for (const id of finishedBefore) assert.ok(used.has(id), `${what}: the finished trial ${id} was not kept`);
      finished++;
      if (last) break;
      // This chain is complete: the next kills start a new one.
      store = path.join(tmp, `kills-${++chain}`);
      resume = false;
    }
    t.diagnostic(`${kills} kills in ${finished} chains; rows lost at a kill, measured against the crashed trials' checkpoints: at most ${maxLost} (over ${checkpoints} checkpoints)`);
  });

  test('a trial killed after its checkpoint continues from it on --resume, and its rows equal an uninterrupted run\'s', async () => {
    // One trial that cannot reach its target: 60 steps, a checkpoint every 10.
    const one = path.join(tmp, 'one.optlab.json');
    fs.writeFileSync(one, JSON.stringify({ ...SWEEP, name: 'fault-one', target: { ...SWEEP.target, value: 0.999 }, budget: { maxSteps: 60 }, batchSizes: [8], optimizers: [{ label: 'SGD', type: 'sgd', learningRate: [0.01] }] }));
    const trialRows = (store: string): Record<string, unknown>[] => {
      const run = fs.readdirSync(path.join(store, 'runs')).find((id) => (JSON.parse(fs.readFileSync(path.join(store, 'runs', id, 'run.json'), 'utf8')) as Run).config.kind === 'trial')!;
      const text = fs.readFileSync(path.join(store, 'runs', run, 'metrics.jsonl'), 'utf8');
      // wallTime differs between runs; everything else is the computation's.
      return text.split('\n').filter(Boolean).map((l) => ({ ...(JSON.parse(l) as Record<string, unknown>), wallTime: 0 }));
    };
    const reference = path.join(tmp, 'one-reference');
    assert.equal((await runCli(['run', one, '--store', reference, '--workers', '1'])).code, 0);
    const expected = trialRows(reference);
    assert.equal(expected.length, 60);

    const store = path.join(tmp, 'one-killed');
    let watch: NodeJS.Timeout | undefined;
    // Killed once step 25 is on disk: the checkpoint at step 20 is usable. (The workers pause 30 ms
    // after each step, so the moment is not missed.)
    // The CLI and its worker die together (the process group, as in a power cut of the process
    // tree): a worker outliving its CLI can write the step-30 checkpoint past the rows on disk,
    // and a resume then rightly starts over instead (the kill chains above cover that case).
    const first = await runCli(['run', one, '--store', store, '--workers', '1'], {
      env: { OPTLAB_STEP_DELAY_MS: '30' },
      detached: true,
      onStderr: (_soFar, child) => {
        watch ??= setInterval(() => {
          try {
            if (trialRows(store).some((r) => (r.step as number) >= 25)) {
              clearInterval(watch);
              process.kill(-child.pid!, 'SIGKILL');
            }
          } catch {
            // not created yet
          }
        }, 20);
      },
    });
    clearInterval(watch);
    assert.equal(first.signal, 'SIGKILL', first.stderr);
    const resumed = await runCli(['run', one, '--store', store, '--workers', '1', '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming: 0 of 1 trials kept from earlier runs, 1 continue from a checkpoint, 0 run again/);
    const runs = await listRuns(store);
    const fresh = runs.find((r) => r.config.kind === 'trial' && r.status === 'completed')!;
    const rows = fs.readFileSync(path.join(store, 'runs', fresh.id, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => ({ ...(JSON.parse(l) as Record<string, unknown>), wallTime: 0 }));
    assert.deepEqual(rows, expected);
  });

  test('a second run of the same experiment is refused while the first still owns its runs; rm refuses a live run, removes a crashed one', async () => {
    const store = path.join(tmp, 'live');
    let second: Promise<{ code: number | null; stderr: string }> | undefined;
    let rm: Promise<{ code: number | null; stderr: string }> | undefined;
    let liveId = '';
    // The first session pauses 50 ms after each step, so it is still running while the others answer.
    const first = await runCli(['run', file, '--store', store, '--workers', '1'], {
      env: { OPTLAB_STEP_DELAY_MS: '50' },
      onStderr: (soFar, child) => {
        if (second || !/^\[\s*1\/\d+\]/m.test(soFar)) return;
        const runs = fs.readdirSync(path.join(store, 'runs'));
        // A cell run still queued (its trials come last): it stays unfinished until the kill.
        const read = (id: string) => JSON.parse(fs.readFileSync(path.join(store, 'runs', id, 'run.json'), 'utf8')) as Run;
        liveId = runs.filter((id) => read(id).status === 'queued' && read(id).config.kind === 'best-of-grid').pop() ?? runs[0];
        second = runCli(['run', file, '--store', store, '--resume']);
        rm = runCli(['rm', liveId, '--store', store]);
        void Promise.all([second, rm]).then(() => child.kill('SIGKILL'));
      },
    });
    assert.equal(first.signal, 'SIGKILL');
    const refused = await second!;
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /still (running|queued) \(owned by process \d+ on .*\): stop that process before resuming/);
    const rmRefused = await rm!;
    assert.equal(rmRefused.code, 1);
    assert.match(rmRefused.stderr, /is (running|queued) \(owned by process \d+ on .*, which is alive\): stop it first, or pass --force/);
    const crashed = (await listRuns(store)).find((r) => r.id === liveId)!;
    assert.equal(crashed.status, 'crashed');
    const removed = await runCli(['rm', liveId.slice(0, 24), '--store', store]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!fs.existsSync(path.join(store, 'runs', liveId)));
  });
});

describe('resource faults', () => {
  test('ulimit -n 64: a sweep of 82 runs finishes (a queued run holds no open file)', async () => {
    const many = path.join(tmp, 'many.optlab.json');
    fs.writeFileSync(many, JSON.stringify(MANY));
    const store = path.join(tmp, 'fds');
    const r = await runCli(['run', many, '--store', store, '--workers', '2'], { shell: 'ulimit -n 64 && exec' });
    assert.equal(r.code, 0, r.stderr);
    const runs = await listRuns(store);
    assert.equal(runs.length, 82);
    assert.ok(runs.every((x) => x.status === 'completed'));
  });

  // A full disk two ways: a 160 KB tmpfs in a private mount namespace (where the machine allows it),
  // whose first failing write may be any file; and a 16 KB file size limit, which only the largest
  // metrics files reach (EFBIG on an append: the write-while-streaming path).
  for (const disk of ['tmpfs', 'file size limit'] as const) {
    test(`a full disk (${disk}): one line naming the file, exit 1; what is on disk stays readable and settled`, { skip: disk === 'tmpfs' && !canUnshare ? 'unshare is not available' : false }, async () => {
      const out = path.join(tmp, `full-${disk.replace(/ /g, '-')}`);
      fs.mkdirSync(out);
      const mnt = path.join(out, 'mnt');
      fs.mkdirSync(mnt);
      const store = disk === 'tmpfs' ? path.join(mnt, 'store') : path.join(out, 'store');
      // tmpfs: mount, run, then copy out what the store kept (the mount ends with the namespace).
      const shell =
        disk === 'tmpfs'
          ? `exec unshare -rm bash -c 'mount -t tmpfs -o size=160k tmpfs ${mnt} && { "$0" "$@"; rc=$?; cp -a ${store} ${out}/kept; exit $rc; }'`
          : `ulimit -f 16 && trap '' XFSZ && exec`;
      const r = await runCli(['run', file, '--store', store, '--workers', '2'], { shell });
      assert.equal(r.code, 1, r.stderr);
      const last = r.stderr.trim().split('\n').pop()!;
      assert.match(last, disk === 'tmpfs' ? /^optlab: .*ENOSPC/ : /^optlab: cannot append \d+ rows? to metrics file .*metrics\.jsonl: EFBIG/);
      assert.ok(last.includes(store), `names a file in the store: ${last}`);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      const kept = disk === 'tmpfs' ? path.join(out, 'kept') : store;
      if (fs.existsSync(path.join(kept, 'runs'))) {
        const runs = await listRuns(kept);
        assertSettled(runs);
        for (const x of runs) checkRows(kept, x);
        if (disk === 'file size limit') assert.ok(runs.some((x) => x.status === 'failed'), 'the trial whose rows could not be written is recorded failed');
      }
    });
  }

  test('a read-only store: one line naming it, exit 1; the runs already there are unchanged', { skip: !canUnshare && process.getuid?.() === 0 ? 'root ignores chmod and unshare is not available' : false }, async () => {
    const store = path.join(tmp, 'reference');
    const snapshot = () => fs.readdirSync(path.join(store, 'runs')).map((id) => fs.readFileSync(path.join(store, 'runs', id, 'run.json'), 'utf8') + fs.readFileSync(path.join(store, 'runs', id, 'metrics.jsonl'), 'utf8'));
    const before = snapshot();
    let r;
    if (canUnshare) {
      r = await runCli(['run', file, '--store', store], { shell: `exec unshare -rm bash -c 'mount --bind ${store} ${store} && mount -o remount,bind,ro ${store} && exec "$0" "$@"'` });
    } else {
      spawnSync('chmod', ['-R', 'a-w', store]);
      r = await runCli(['run', file, '--store', store]);
      spawnSync('chmod', ['-R', 'u+w', store]);
    }
    assert.equal(r.code, 1, r.stderr);
    const last = r.stderr.trim().split('\n').pop()!;
    assert.match(last, /^optlab: cannot .*(EROFS|EACCES)/);
    assert.ok(last.includes(store));
    assert.deepEqual(snapshot(), before);
    assertSettled(await listRuns(store));
  });

  test('a full stdout (> /dev/full): the runs are recorded and settled; exit code is not 0', { skip: !fs.existsSync('/dev/full') }, async () => {
    const store = path.join(tmp, 'devfull');
    const full = fs.openSync('/dev/full', 'w');
    const r = await runCli(['run', file, '--store', store, '--workers', '2'], { stdout: full });
    fs.closeSync(full);
    assert.notEqual(r.code, 0);
    const runs = await listRuns(store);
    assert.equal(runs.length, 8, '4 trials and 4 cells');
    assert.ok(runs.every((x) => x.status === 'completed'));
  });

  test('a full stdout: one line, no stack trace', { skip: !fs.existsSync('/dev/full') }, async () => {
    const full = fs.openSync('/dev/full', 'w');
    const r = await runCli(['ls', '--store', path.join(tmp, 'reference')], { stdout: full });
    fs.closeSync(full);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});
