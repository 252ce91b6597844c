// Multi-threaded wasm in Node (engine/src/tf/wasm-threads.ts): in a fresh process, asking for 2
// threads really gives tfjs's threaded SIMD binary with a 2-thread pool, it computes the right
// numbers, and its worker threads do not keep the process alive. In a process whose wasm backend
// is already initialized the request cannot apply, and the selection says so by its thread count.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { initBackend } from '../../../engine/src/tf/backend';
import { checkWasmThreads } from '../../../engine/src/tf/wasm-threads';

const backendFile = path.resolve(__dirname, '../../../engine/src/tf/backend.ts');

// Runs in the child: a 2-thread wasm backend, a matmul against a float64 reference, then returns
// without process.exit (a worker left referenced would hang it until the spawn timeout).
const CHILD = `
const { initBackend } = require(${JSON.stringify(backendFile)});
(async () => {
  const s = await initBackend('wasm', { wasmThreads: 2 });
  const tf = s.tf;
  const a = tf.randomNormal([96, 70], 0, 1, 'float32', 1);
  const b = tf.randomNormal([70, 40], 0, 1, 'float32', 2);
  const c = tf.matMul(a, b).dataSync();
  const A = a.dataSync(), B = b.dataSync();
  let err = 0;
  for (let i = 0; i < 96; i++) for (let j = 0; j < 40; j++) {
    let sum = 0;
    for (let k = 0; k < 70; k++) sum += A[i * 70 + k] * B[k * 40 + j];
    err = Math.max(err, Math.abs(sum - c[i * 40 + j]));
  }
  console.log(JSON.stringify({ backend: s.backend, threads: s.threads, wasm: s.wasm, err }));
})();
`;

describe('wasm threads', () => {
  test('a fresh process gets the threaded binary with 2 threads, right numbers, and exits by itself', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', CHILD], { encoding: 'utf8', timeout: 60_000, cwd: path.resolve(__dirname, '../../..') });
    assert.equal(r.error, undefined, `the child did not finish: ${r.error?.message}`);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { backend: string; threads: number; wasm: { simd: boolean; threads: boolean }; err: number };
    assert.equal(out.backend, 'wasm');
    assert.equal(out.threads, 2);
    assert.deepEqual(out.wasm, { simd: true, threads: true });
    assert.ok(out.err < 1e-4, `max abs error ${out.err}`);
  });

  test('once wasm is initialized in a process, a later request keeps its single thread', async () => {
    await initBackend('wasm', { wasmThreads: 1 });
    const s = await initBackend('wasm', { wasmThreads: 2 });
    assert.equal(s.threads, 1);
  });

  test('thread counts outside 1..8 are refused', async () => {
    for (const bad of [0, -1, 1.5, 9, NaN]) assert.throws(() => checkWasmThreads(bad), RangeError);
    await assert.rejects(initBackend('wasm', { wasmThreads: 0 }), RangeError);
    assert.equal(checkWasmThreads(4), 4);
  });
});
