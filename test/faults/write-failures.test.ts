// Write failures during a sweep (issue 10, item 6): a full disk, a permission error or too many open
// files while trials stream their rows. The store's file system is injected (RunStoreOptions.fs) so
// the failure hits at a chosen byte; the sweep must end with one StoreError naming the file (never
// an uncaught exception), record the runs failed where the store still allows it, and keep every
// run already on disk readable with its rows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseExperiment } from '../../engine/src/experiment/load';
import { runNeuralExperiment } from '../../engine/src/problems/supervised/run';
import { runNqmExperiment } from '../../engine/src/problems/nqm/run';
import { RunStore, StoreError, type RunRecord, type StoreFs } from '../../engine/src/store';
import { FakeRunner } from './fake-runner';

const SWEEP = {
  name: 'fault-sweep',
  problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 4, trainSize: 64, testSize: 32 }, model: { type: 'mlp', widths: [8] } },
  target: { metric: 'testAccuracy', value: 0.9, evalEvery: 1 },
  budget: { maxSteps: 1000 },
  batchSizes: [8, 32, 128],
  optimizers: [{ type: 'sgd', learningRate: [0.03, 0.1, 0.3, 1] }],
};

const NQM = {
  name: 'fault-nqm',
  problem: { type: 'nqm', dim: 200, exponent: 1, bins: 20, noise: { power: 1, scale: 1 }, initVariance: 1 },
  target: { metric: 'loss', value: 0.01 },
  batchSizes: [1, 4, 16, 64, 256, 1024],
  optimizers: [{ label: 'SGD', type: 'sgd', learningRate: { logspace: [-3, 1, 9] } }],
};

type Fault = 'ENOSPC' | 'EACCES' | 'EMFILE';

/**
 * A disk that takes `capacity` more bytes of the files `which` matches, then fails every write to
 * them with `fault` (EMFILE fails the open instead).
 */
function faultyFs(fault: Fault, capacity: number, which: RegExp): { fs: Partial<StoreFs>; hits: () => number } {
  const paths = new Map<number, string>();
  let used = 0;
  let hits = 0;
  const error = (syscall: string, p?: string) => Object.assign(new Error(`${fault}: simulated, ${syscall}${p ? ` '${p}'` : ''}`), { code: fault, syscall });
  return {
    hits: () => hits,
    fs: {
      openSync: (p, flags) => {
        if (fault === 'EMFILE' && which.test(p) && used >= capacity) {
          hits++;
          throw error('open', p);
        }
        const fd = fs.openSync(p, flags);
        paths.set(fd, p);
        return fd;
      },
      writeSync: (fd, buffer, offset, length) => {
        const p = paths.get(fd) ?? '';
        if (which.test(p)) {
          if (fault !== 'EMFILE' && used + length > capacity) {
            hits++;
            throw error('write');
          }
          used += length;
        }
        return fs.writeSync(fd, buffer, offset, length);
      },
      closeSync: (fd) => {
        paths.delete(fd);
        fs.closeSync(fd);
      },
    },
  };
}

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-faults-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function exp(doc: unknown, name: string) {
  const file = path.join(tmp, `${name}.optlab.json`);
  fs.writeFileSync(file, JSON.stringify(doc));
  return parseExperiment(JSON.stringify(doc), file);
}

/** What every fault must leave: one StoreError naming a file in the store, and every run readable. */
function assertCleanFailure(err: unknown, root: string, code: string): RunRecord[] {
  assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
  assert.equal(err.code, code);
  assert.doesNotMatch(err.message, /\n/, 'one line');
  assert.ok(err.path?.startsWith(root) && err.message.includes(err.path), `names a file in the store: ${err.message}`);
  const { runs, problems } = new RunStore(root).listWithProblems();
  assert.deepEqual(problems, [], 'every run folder is readable');
  return runs;
}

describe('write failures during a neural sweep', () => {
  for (const fault of ['ENOSPC', 'EACCES'] as const) {
    test(`${fault} on metrics.jsonl: the sweep ends with one StoreError; trials are completed or failed, none left running`, async () => {
      const root = path.join(tmp, `sweep-${fault}`);
      const disk = faultyFs(fault, 60_000, /metrics\.jsonl$/);
      const store = new RunStore(root, { fs: disk.fs });
      const runner = new FakeRunner();
      const err = await runNeuralExperiment(exp(SWEEP, `sweep-${fault}`), store, { runner, prediction: false }).catch((e: unknown) => e);
      assert.ok(disk.hits() > 0, 'the fault was hit');
      const runs = assertCleanFailure(err, root, fault);
      assert.match((err as Error).message, /metrics\.jsonl/);
      assert.ok(runner.stops >= 1, 'the running trials were stopped');
      const statuses = new Set(runs.map((r) => r.status));
      assert.ok(!statuses.has('running') && !statuses.has('queued'), `unfinished runs left: ${[...statuses].join(', ')}`);
      const failed = runs.filter((r) => r.status === 'failed');
      assert.ok(failed.length > 0);
      for (const r of failed) assert.ok(r.error?.message, `${r.id} says why it failed`);
      // Nothing already on disk is lost: every completed trial has all its rows (1..steps).
      const s = new RunStore(root);
      const completed = runs.filter((r) => r.status === 'completed' && (r.config as { kind: string }).kind === 'trial');
      assert.ok(completed.length > 0, `some trials finished before the disk filled: ${runs.map((r) => `${r.label} ${r.status} ${r.error?.message ?? ''}`).join('; ')}`);
      for (const r of completed) {
        const rows = s.readMetrics(r.id);
        assert.equal(rows.truncatedLastLine, false);
        assert.deepEqual(rows.rows.map((row) => row.step), Array.from({ length: r.summary.steps as number }, (_, i) => i + 1), `${r.id} keeps its rows`);
      }
    });
  }

  test('ENOSPC everywhere (run.json too): one StoreError; every run.json stays whole', async () => {
    const root = path.join(tmp, 'sweep-all');
    const disk = faultyFs('ENOSPC', 40_000, /\.optlab[/\\]|sweep-all[/\\]/);
    const store = new RunStore(root, { fs: disk.fs });
    const err = await runNeuralExperiment(exp(SWEEP, 'sweep-all'), store, { runner: new FakeRunner(), prediction: false }).catch((e: unknown) => e);
    assert.ok(disk.hits() > 0, 'the fault was hit');
    const runs = assertCleanFailure(err, root, 'ENOSPC');
    // Runs whose run.json could not be updated any more are still owned by this (live) process;
    // once it is gone, readers report them crashed.
    const dead = new RunStore(root, { ownerState: () => ({ alive: false, reason: 'its owner process is gone' }) });
    for (const r of dead.list()) assert.ok(['completed', 'failed', 'crashed'].includes(r.status), `${r.id}: ${r.status}`);
    assert.ok(runs.length > 0);
  });

  test('EMFILE when a metrics file opens: one StoreError naming it', async () => {
    const root = path.join(tmp, 'sweep-emfile');
    const disk = faultyFs('EMFILE', 600, /metrics\.jsonl$/);
    const err = await runNeuralExperiment(exp(SWEEP, 'sweep-emfile'), new RunStore(root, { fs: disk.fs }), { runner: new FakeRunner(), prediction: false }).catch((e: unknown) => e);
    assert.ok(disk.hits() > 0, 'the fault was hit');
    const runs = assertCleanFailure(err, root, 'EMFILE');
    assert.ok(runs.every((r) => r.status !== 'running' && r.status !== 'queued'));
  });
});

describe('write failures during an NQM study', () => {
  test('ENOSPC on metrics.jsonl: one StoreError; finished runs keep their curves, the rest are failed', async () => {
    const root = path.join(tmp, 'nqm-enospc');
    const disk = faultyFs('ENOSPC', 30_000, /metrics\.jsonl$/);
    const err = await runNqmExperiment(exp(NQM, 'nqm-enospc'), new RunStore(root, { fs: disk.fs }), { workers: 1 }).catch((e: unknown) => e);
    assert.ok(disk.hits() > 0, 'the fault was hit');
    const runs = assertCleanFailure(err, root, 'ENOSPC');
    assert.ok(runs.every((r) => r.status === 'completed' || r.status === 'failed'), runs.map((r) => r.status).join(', '));
    const completed = runs.filter((r) => r.status === 'completed');
    assert.ok(completed.length > 0 && completed.length < runs.length);
    for (const r of completed) assert.ok(new RunStore(root).readMetrics(r.id).rows.length > 0);
  });
});
