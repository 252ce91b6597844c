// The command line when its output or its store cannot be written, and --help on every command:
// each spawns the CLI from the sources (engine/src/cli/main.ts through tsx) in a temp folder.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeDirs } from '../../engine/src/util/make-dirs';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'engine/src/cli/main.ts');
// tsx resolved here: the child runs in a temp folder, outside node_modules' reach.
const TSX = pathToFileURL(require.resolve('tsx')).href;
const RUNNER = `require(${JSON.stringify(MAIN)}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; }, (e) => { console.error('internal error: ' + e.stack); process.exitCode = 1; });`;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let tmp: string;

/** Runs `optlab args`; stdout goes to `stdout` (a file descriptor, or 'pipe'; 'closed' closes the read end at once). */
function optlab(args: string[], stdout: number | 'pipe' | 'closed' = 'pipe', timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, '-e', RUNNER, ...args], {
      cwd: tmp,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', stdout === 'closed' ? 'pipe' : stdout, 'pipe'],
    });
    let out = '';
    let err = '';
    if (stdout === 'closed') child.stdout!.destroy();
    else child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`optlab ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr:\n${err}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err });
    });
  });
}

const TINY = {
  name: 'tiny',
  problem: { type: 'nqm', dim: 50, bins: 10 },
  target: { metric: 'loss', value: 0.05 },
  batchSizes: [4, 16],
  optimizers: [{ type: 'sgd', learningRate: [0.1, 0.3] }],
};

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-cli-out-'));
  fs.writeFileSync(path.join(tmp, 'tiny.optlab.json'), JSON.stringify(TINY));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const noTrace = (r: Result) => assert.ok(!/Unhandled|\n\s+at /.test(r.stderr), `a stack trace on stderr:\n${r.stderr}`);

describe('--help and -h', () => {
  for (const command of ['run', 'ls', 'show', 'export', 'rm', 'nqm', 'serve', 'doctor']) {
    test(`optlab ${command} --help / -h: usage on stdout, exit 0`, async () => {
      for (const flag of command === 'run' ? ['--help', '-h'] : ['--help']) {
        const r = await optlab([command, flag]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^usage: optlab ${command}\\b`));
        assert.equal(r.stderr, '');
      }
    });
  }
  test('a --help after "--" is an argument, not a request for help', async () => {
    const r = await optlab(['run', '--', '--help']);
    assert.notEqual(r.code, 0);
  });
});

describe('standard output that cannot be written', { skip: !fs.existsSync('/dev/full') && 'no /dev/full' }, () => {
  test('optlab ls > /dev/full: one line naming ENOSPC, exit 1', async () => {
    const fd = fs.openSync('/dev/full', 'w');
    try {
      const r = await optlab(['ls'], fd);
      assert.equal(r.code, 1);
      noTrace(r);
      assert.deepEqual(r.stderr.trim().split('\n'), ['optlab: cannot write to standard output: ENOSPC (no space left on device)']);
    } finally {
      fs.closeSync(fd);
    }
  });

  test('optlab run > /dev/full: the runs are recorded completed, then one line and exit 1', async () => {
    const store = path.join(tmp, 'full-store');
    const fd = fs.openSync('/dev/full', 'w');
    try {
      const r = await optlab(['run', 'tiny.optlab.json', '--store', store], fd);
      assert.equal(r.code, 1, r.stderr);
      noTrace(r);
      const last = r.stderr.trim().split('\n').pop();
      assert.equal(last, 'optlab: cannot write to standard output: ENOSPC (no space left on device)');
    } finally {
      fs.closeSync(fd);
    }
    const runs = fs.readdirSync(path.join(store, 'runs'));
    assert.equal(runs.length, 2);
    for (const id of runs) assert.equal(JSON.parse(fs.readFileSync(path.join(store, 'runs', id, 'run.json'), 'utf8')).status, 'completed');
  });

  test('a reader that went away (EPIPE, as optlab ls | head -0): quiet, exit 0', async () => {
    const store = path.join(tmp, 'pipe-store');
    assert.equal((await optlab(['run', 'tiny.optlab.json', '--store', store])).code, 0);
    const r = await optlab(['ls', '--store', store, '--json'], 'closed');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});

describe('a store folder that cannot be made', () => {
  test('--store /proc/x fails at once naming the folder (recursive mkdir used to spin forever)', { skip: !fs.existsSync('/proc/self') && 'no procfs' }, async () => {
    const r = await optlab(['run', 'tiny.optlab.json', '--store', '/proc/x'], 'pipe', 30_000);
    assert.equal(r.code, 1, r.stderr);
    noTrace(r);
    assert.match(r.stderr, /optlab: cannot create runs folder \/proc\/x\/runs: ENOENT.*'\/proc\/x'/);
  });

  test('makeDirs: makes every missing level; a file in the way is ENOTDIR; /proc refuses at once', () => {
    const deep = path.join(tmp, 'a', 'b', 'c');
    makeDirs(deep);
    assert.ok(fs.statSync(deep).isDirectory());
    makeDirs(deep); // already there: fine
    fs.writeFileSync(path.join(tmp, 'file'), '');
    assert.throws(() => makeDirs(path.join(tmp, 'file', 'x')), { code: 'ENOTDIR' });
    if (fs.existsSync('/proc/self')) assert.throws(() => makeDirs('/proc/x/runs'), { code: 'ENOENT' });
  });
});
