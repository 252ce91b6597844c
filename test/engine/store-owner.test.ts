// Owners and heartbeats (issue 10, item 7): every run records the process that owns it; a reader
// reports a queued or running run whose owner is gone as crashed, without writing anything; a
// queued run holds no open file.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore, type RunInit, type RunOwner } from '../../engine/src/store/index.js';
import { HEARTBEAT_STALE_MS, heartbeatPath, ownerState } from '../../engine/src/store/owner.js';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-owner-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const init = (label: string, status: RunInit['status'] = 'queued'): RunInit => ({
  experiment: { name: 'e' },
  label,
  optimizer: 'sgd',
  spec: {},
  config: {},
  engine: { version: 'test', backend: 'cpu' },
  status,
});

/** The id of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

describe('run owners', () => {
  test('a run records this process as its owner, and this process renews a heartbeat file', () => {
    const s = new RunStore(tmp);
    const w = s.create(init('a'));
    const owner = s.get(w.id).owner!;
    assert.equal(owner.pid, process.pid);
    assert.equal(owner.host, os.hostname());
    assert.ok(fs.existsSync(heartbeatPath(s.root, owner)));
    assert.equal(s.get(w.id).status, 'queued', 'a live owner: the status is as written');
    w.close();
  });

  test('a queued or running run whose owner process is gone reads as crashed; run.json is untouched; markCrashed writes it', () => {
    const dead: RunOwner = { pid: deadPid(), host: os.hostname(), startedAt: new Date(Date.now() - 1000).toISOString() };
    const writerSide = new RunStore(tmp, { owner: dead });
    const queued = writerSide.create(init('q'));
    const running = writerSide.create(init('r', 'running'));
    const done = writerSide.create(init('d', 'running'));
    done.close('completed');
    const reader = new RunStore(tmp);
    const byId = new Map(reader.list().map((r) => [r.id, r]));
    assert.equal(byId.get(queued.id)?.status, 'crashed');
    assert.equal(byId.get(queued.id)?.orphan?.recordedStatus, 'queued');
    assert.equal(byId.get(running.id)?.status, 'crashed');
    assert.equal(byId.get(running.id)?.orphan?.recordedStatus, 'running');
    assert.match(byId.get(running.id)?.error?.message ?? '', new RegExp(`owner process ${dead.pid} on .* is gone`));
    assert.equal(byId.get(done.id)?.status, 'completed', 'a finished run stays as it is');
    assert.equal(JSON.parse(fs.readFileSync(path.join(running.dir, 'run.json'), 'utf8')).status, 'running');
    reader.markCrashed(running.id, 'gone');
    const raw = JSON.parse(fs.readFileSync(path.join(running.dir, 'run.json'), 'utf8'));
    assert.equal(raw.status, 'crashed');
    assert.equal(raw.orphan, undefined, 'the derived field is never written');
    queued.close();
    running.close();
  });

  test('a process id reused by a younger process is not the owner', () => {
    // This test process is alive, but started after the recorded owner did.
    const old: RunOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date(Date.now() - 3_600_000).toISOString() };
    const state = ownerState(tmp, old, Date.now());
    assert.equal(state.alive, false);
    assert.equal(ownerState(tmp, { ...old, startedAt: new Date(Date.now() - Math.round(process.uptime() * 1000)).toISOString() }, Date.now()).alive, true);
  });

  test('an owner on another host is judged by its heartbeat: fresh is alive, stale or missing is gone', () => {
    const remote: RunOwner = { pid: 4242, host: `not-${os.hostname()}`, startedAt: new Date().toISOString() };
    assert.equal(ownerState(tmp, remote, Date.now()).alive, false, 'no heartbeat file');
    const file = heartbeatPath(tmp, remote);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{}');
    assert.equal(ownerState(tmp, remote, Date.now()).alive, true);
    const old = new Date(Date.now() - HEARTBEAT_STALE_MS - 5000);
    fs.utimesSync(file, old, old);
    const stale = ownerState(tmp, remote, Date.now());
    assert.equal(stale.alive, false);
    assert.match((stale as { reason: string }).reason, /has not renewed its heartbeat for \d+ s/);
  });

  test('a queued run holds no open file; only runs that wrote rows do, until closed', { skip: !fs.existsSync('/proc/self/fd') }, () => {
    const s = new RunStore(tmp, { flushIntervalMs: 0 });
    const before = openFds();
    const writers = Array.from({ length: 50 }, (_, i) => s.create(init(`q${i}`)));
    assert.equal(openFds(), before, '50 queued runs, no descriptor');
    writers[0].setStatus('running');
    writers[0].append({ step: 1 });
    assert.equal(openFds(), before + 1, 'one running run writing rows: one descriptor');
    for (const w of writers) w.close('cancelled');
    assert.equal(openFds(), before);
    assert.equal(s.readMetrics(writers[0].id).rows.length, 1);
    assert.deepEqual(s.readMetrics(writers[1].id).warnings, [], 'an empty metrics file exists for a run without rows');
  });
});
