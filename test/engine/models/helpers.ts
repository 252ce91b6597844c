// Shared fixtures of the model tests: the cpu backend with the engine's gradient corrections,
// closeness checks, and tiny datasets.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../../engine/src/tf/backend';
import { Rng } from '../../../engine/src/util/random';

/** Selects a backend (registering the gradient fixes) once per test file. */
export async function useBackend(name: BackendName = 'cpu'): Promise<void> {
  const s = await initBackend(name);
  assert.equal(s.tf.getBackend(), name === 'cuda' || name === 'tensorflow' ? 'tensorflow' : name);
  assert.equal(tf.getBackend(), s.tf.getBackend(), 'the engine and the tests compute with the same tfjs');
}

/** |a - b| <= atol + rtol |b| elementwise. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = 1e-5, atol = 1e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= worst) || Number.isNaN(actual[i])) {
      worst = Number.isNaN(actual[i]) ? Infinity : excess;
      at = i;
    }
  }
  assert.ok(at < 0, `${what}[${at}]: got ${actual[at]}, expected ${expected[at]}`);
}

/** Max |a - b| / max(1, max |b|). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 1;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

/** n x d standard normals (Float32Array), seeded. */
export function normals(n: number, seed: number, scale = 1): Float32Array {
  const z = new Float64Array(n);
  new Rng(seed, 77).fillNormal(z);
  return Float32Array.from(z, (v) => v * scale);
}

/** Class labels 0..k-1 from a seed. */
export function labels(n: number, k: number, seed: number): Int32Array {
  const rng = new Rng(seed, 78);
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * k));
}

/** Reads a tensor as a Float64 array (sync). */
export function values(t: tf.Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}
