// The wasm kernel corrections (engine/src/tf/wasm-kernels.ts): Identity shares the data buffer
// instead of copying it, clones stay independent under disposal, and training gives the same
// numbers with and without the correction.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import { initBackend, type Tf } from '../../../engine/src/tf/backend';
import { registerWasmKernelFixes, unregisterWasmKernelFixes, wasmKernelFixesActive } from '../../../engine/src/tf/wasm-kernels';

let tf: Tf;

before(async () => {
  tf = (await initBackend('wasm')).tf;
});

after(() => registerWasmKernelFixes(tf));

/** Data buffers that cloning x adds (tfjs counts buffers per data id, bytes per tensor). */
function buffersOfClone(x: Tensor): number {
  const before = (tf.memory() as { numDataBuffers: number }).numDataBuffers;
  const c = tf.clone(x);
  const grown = (tf.memory() as { numDataBuffers: number }).numDataBuffers - before;
  c.dispose();
  return grown;
}

describe('wasm Identity shares data', () => {
  test('initBackend registers it; clone adds no data buffer with it and a copy without it', () => {
    assert.equal(wasmKernelFixesActive(tf), true);
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    assert.equal(buffersOfClone(x), 0);
    unregisterWasmKernelFixes(tf);
    assert.equal(wasmKernelFixesActive(tf), false);
    assert.equal(buffersOfClone(x), 1); // stock wasm copies the data
    assert.deepEqual(registerWasmKernelFixes(tf), ['Identity']);
    assert.deepEqual(registerWasmKernelFixes(tf), [], 'idempotent');
    x.dispose();
  });

  test('a clone outlives its source and vice versa, with the same values; nothing leaks', () => {
    const start = tf.memory();
    const x = tf.tensor1d([0.5, -1, 2]);
    const c = tf.clone(x);
    x.dispose();
    assert.deepEqual(Array.from(c.dataSync()), [0.5, -1, 2]);
    const d = tf.clone(c);
    c.dispose();
    assert.deepEqual(Array.from(d.dataSync()), [0.5, -1, 2]);
    d.dispose();
    assert.equal(tf.memory().numTensors, start.numTensors);
    assert.equal((tf.memory() as { numDataBuffers: number }).numDataBuffers, (start as { numDataBuffers: number }).numDataBuffers);
  });

  test('training steps (saved tensors are clones) give bit-identical numbers with and without it', () => {
    const run = (): number[] => {
      const w = tf.variable(tf.tensor2d([0.3, -0.2, 0.1, 0.4, -0.5, 0.25], [3, 2]));
      const x = tf.tensor2d([1, 2, 3, -1, 0.5, 2, 0, 1, -2, 3, 1, 1], [4, 3]);
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.tanh(tf.relu(tf.matMul(x, w))))) as Scalar, [w]);
        losses.push(value.dataSync()[0]);
        w.assign(tf.sub(w, tf.mul(grads[w.name], 0.5)));
        tf.dispose([value, ...Object.values(grads)]);
      }
      losses.push(...w.dataSync());
      tf.dispose([w, x]);
      return losses;
    };
    const fixed = run();
    unregisterWasmKernelFixes(tf);
    const stock = run();
    registerWasmKernelFixes(tf);
    assert.deepEqual(fixed, stock);
  });
});
