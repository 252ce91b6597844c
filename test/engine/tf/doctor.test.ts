// optlab doctor (engine/src/cli/commands/doctor.ts): the text and JSON reports on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { doctorCommand, formatDoctorReport } from '../../../engine/src/cli/commands/doctor';
import { UsageError } from '../../../engine/src/cli/args';
import type { DoctorReport } from '../../../engine/src/tf/backend';

const ROOT = path.resolve(__dirname, '../../..');

/** Runs `optlab <args>` from the sources (engine/src/cli/main.ts) in a child process. */
function optlab(args: string[]): { code: number; out: string; err: string } {
  const script = `require('./engine/src/cli/main').main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('optlab doctor --json (through main.ts): every backend, availability, reasons, the default, Node, CPUs, wasm SIMD/threads', async () => {
  const { code, out, err } = optlab(['doctor', '--json']);
  assert.equal(code, 0, err);
  const r = JSON.parse(out) as DoctorReport;
  assert.deepEqual(r.backends.map((b) => b.backend), ['cuda', 'tensorflow', 'wasm', 'cpu']);
  assert.equal(r.node, process.version);
  assert.ok(r.cpus >= 1);
  assert.equal(r.tfjs, '4.22.0');
  const wasm = r.backends.find((b) => b.backend === 'wasm')!;
  assert.equal(wasm.available, true);
  assert.equal(wasm.threads, 1);
  assert.equal(r.backends.find((b) => b.backend === 'cpu')!.available, true);
  assert.equal(typeof r.wasm?.simd, 'boolean');
  assert.equal(r.wasm?.threads, false);
  for (const b of r.backends.filter((x) => !x.available)) {
    assert.ok(b.unavailable!.reason.length > 10 && b.unavailable!.remedy.length > 10, JSON.stringify(b));
  }
  const native = r.backends.filter((b) => b.backend === 'cuda' || b.backend === 'tensorflow');
  if (native.every((b) => b.unavailable?.status === 'not-installed')) {
    assert.equal(r.defaultBackend, 'wasm');
    assert.match(native[1].unavailable!.reason, /npm drops failed optional dependencies/);
  }
});

test('optlab doctor prints a table with the reasons and the default', async () => {
  const { code, out, err } = optlab(['doctor']);
  assert.equal(code, 0, err);
  assert.match(optlab(['help']).out, /optlab doctor \[--json\] +compute backends/);
  assert.match(out, /^optlab doctor: compute backends for neural training/);
  assert.match(out, /\n {2}wasm +@tensorflow\/tfjs-backend-wasm +yes +4\.22\.0; CPU .*; 1 thread; SIMD (on|off)\n/);
  assert.match(out, /\n {2}cpu +@tensorflow\/tfjs-backend-cpu +yes +4\.22\.0/);
  assert.match(out, /\ndefault \(auto\): \w+/);
  assert.match(out, /\nnode v\d+\.\d+\.\d+ on \w+ \w+, \d+ CPUs? \(/);
  assert.match(out, /\nwasm: SIMD (yes|no), threads no: /);
  await assert.rejects(doctorCommand(['--gpu']), (err: unknown) => err instanceof UsageError && /unknown option '--gpu'/.test(err.message));
});

test('formatDoctorReport: unavailable rows carry the reason and the fix', () => {
  const text = formatDoctorReport({
    node: 'v20.0.0', platform: 'linux', arch: 'x64', cpus: 8, cpuModel: 'Some CPU', tfjs: '4.22.0',
    backends: [
      { backend: 'cuda', package: '@tensorflow/tfjs-node-gpu', available: false, unavailable: { backend: 'cuda', package: '@tensorflow/tfjs-node-gpu', status: 'not-installed', reason: 'not installed (because)', remedy: 'install it' } },
      { backend: 'tensorflow', package: '@tensorflow/tfjs-node', available: true, version: '4.22.0', device: { kind: 'CPU', name: 'Some CPU' }, threads: 8 },
    ],
    defaultBackend: 'tensorflow',
  });
  assert.match(text, /cuda +@tensorflow\/tfjs-node-gpu +no +not installed \(because\)\n +fix: install it\n/);
  assert.match(text, /tensorflow +@tensorflow\/tfjs-node +yes +4\.22\.0; CPU Some CPU; 8 threads/);
  assert.match(text, /default \(auto\): tensorflow/);
});
