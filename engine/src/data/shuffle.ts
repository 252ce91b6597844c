// Seeded permutations: Fisher-Yates (Durstenfeld) driven by the engine's xoshiro128** Rng, so a
// (seed, stream) pair always gives the same order on every platform.
import { Rng } from '../util/random.js';

/**
 * Rng streams for the data layer, so that one seed drives independent-looking sequences for each
 * purpose. Minibatch epochs use streams 0, 1, 2, ... (the epoch number); these sit far above them.
 */
export const STREAMS = {
  subsetTrain: 0x7a000001,
  subsetTest: 0x7a000002,
  split: 0x7a000003,
  params: 0x7a000010,
  train: 0x7a000011,
  test: 0x7a000012,
} as const;

/** Uniform integer in [0, m) (53-bit uniform; the bias is below m / 2^53). */
export function randomInt(rng: Rng, m: number): number {
  return Math.floor(rng.next() * m);
}

/** Shuffles `a` in place (Fisher-Yates): every permutation equally likely. */
export function shuffleInPlace(a: { length: number; [i: number]: number }, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** A seeded permutation of 0..n-1. */
export function permutation(n: number, seed: number, stream = 0): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  shuffleInPlace(p, new Rng(seed, stream));
  return p;
}

/** `k` distinct indices of 0..n-1 chosen uniformly at random (seeded), in increasing order. */
export function sampleIndices(n: number, k: number, seed: number, stream = 0): Int32Array {
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`sampleIndices: cannot choose ${k} of ${n}`);
  return permutation(n, seed, stream).subarray(0, k).sort();
}
