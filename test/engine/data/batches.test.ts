import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../engine/src/util/random.js';
import {
  type Dataset,
  Minibatcher,
  applyStats,
  computeStats,
  epochIndexBatches,
  oneHot,
  permutation,
  sampleIndices,
  shuffleInPlace,
  subset,
  toOneHot,
  trainTestSplit,
} from '../../../engine/src/data/index.js';

/** n examples of d features where x[i, j] = i + j / 1000 and label i mod k: rows identify examples. */
function toy(n: number, d: number, k = 3): Dataset {
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = i + j / 1000;
  const y = Int32Array.from({ length: n }, (_, i) => i % k);
  return { x, y, n, xShape: [d], yShape: [], numClasses: k };
}

describe('seeded shuffling', () => {
  test('permutations are permutations, deterministic per (seed, stream), different across seeds', () => {
    const p = permutation(1000, 42);
    assert.deepEqual(Array.from(p.slice().sort()), Array.from({ length: 1000 }, (_, i) => i));
    assert.deepEqual(permutation(1000, 42), p);
    assert.notDeepEqual(permutation(1000, 43), p);
    assert.notDeepEqual(permutation(1000, 42, 1), p);
    assert.notDeepEqual(Array.from(p), Array.from({ length: 1000 }, (_, i) => i));
  });

  test('Fisher-Yates is uniform: all 24 orders of 4 items about equally often', () => {
    const rng = new Rng(7);
    const counts = new Map<string, number>();
    const trials = 48000;
    for (let t = 0; t < trials; t++) {
      const a = [0, 1, 2, 3];
      shuffleInPlace(a, rng);
      const key = a.join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.equal(counts.size, 24);
    // Expected 2000 each, sd ~ 44: allow 5 sd.
    for (const [k, c] of counts) assert.ok(Math.abs(c - 2000) < 220, `${k}: ${c}`);
  });

  test('sampleIndices: k distinct sorted indices', () => {
    const s = sampleIndices(100, 30, 1);
    assert.equal(new Set(s).size, 30);
    for (let i = 1; i < 30; i++) assert.ok(s[i] > s[i - 1]);
    assert.throws(() => sampleIndices(10, 11, 1), /cannot choose 11 of 10/);
  });
});

describe('minibatches', () => {
  for (const d of [3, 100]) {
    test(`each example exactly once per epoch, rows gathered correctly (d = ${d})`, () => {
      const ds = toy(103, d);
      const mb = new Minibatcher(ds, { batchSize: 10, seed: 5 });
      assert.equal(mb.batchesPerEpoch, 11);
      const orders: number[][] = [];
      for (let e = 0; e < 3; e++) {
        const seen: number[] = [];
        const sizes: number[] = [];
        for (const b of mb.epoch()) {
          assert.equal(b.epoch, e);
          sizes.push(b.size);
          assert.deepEqual(b.xShape, [b.size, d]);
          assert.equal(b.x.length, b.size * d);
          for (let k = 0; k < b.size; k++) {
            const i = b.indices[k];
            seen.push(i);
            assert.equal(b.y[k], i % 3);
            assert.equal(b.x[k * d], i);
            assert.equal(b.x[k * d + d - 1], Math.fround(i + (d - 1) / 1000));
          }
        }
        assert.deepEqual(sizes, [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
        assert.deepEqual(seen.slice().sort((a, b) => a - b), Array.from({ length: 103 }, (_, i) => i));
        orders.push(seen);
      }
      assert.notDeepEqual(orders[0], orders[1], 'a fresh order each epoch');
      assert.equal(mb.step, 33);
    });
  }

  test('dropLast: full batches only, distinct examples, n mod B left out', () => {
    const ds = toy(103, 4);
    const mb = new Minibatcher(ds, { batchSize: 10, seed: 5, dropLast: true });
    assert.equal(mb.batchesPerEpoch, 10);
    const seen = new Set<number>();
    for (const b of mb.epoch()) {
      assert.equal(b.size, 10);
      for (const i of b.indices) seen.add(i);
    }
    assert.equal(seen.size, 100);
    assert.throws(() => new Minibatcher(toy(5, 2), { batchSize: 8, seed: 1, dropLast: true }), /batch size 8 exceeds the 5 examples/);
    const small = new Minibatcher(toy(5, 2), { batchSize: 8, seed: 1 });
    assert.equal(small.batchesPerEpoch, 1);
    assert.equal(small.next().size, 5);
  });

  test('same seed same batches, other seed other batches; seek resumes exactly', () => {
    const ds = toy(50, 2);
    const run = (seed: number, steps: number) => {
      const mb = new Minibatcher(ds, { batchSize: 8, seed });
      return Array.from({ length: steps }, () => Array.from(mb.next().indices));
    };
    const a = run(1, 20);
    assert.deepEqual(run(1, 20), a);
    assert.notDeepEqual(run(2, 20), a);
    const mb = new Minibatcher(ds, { batchSize: 8, seed: 1 });
    mb.seek(13);
    for (let s = 13; s < 20; s++) {
      const b = mb.next();
      assert.equal(b.step, s);
      assert.deepEqual(Array.from(b.indices), a[s]);
    }
    assert.deepEqual(epochIndexBatches(50, { batchSize: 8, seed: 1 }, 1).map((b) => Array.from(b)), a.slice(7, 14));
  });

  test('buffers are reused (no per-step allocation); shuffle false is the identity order', () => {
    const mb = new Minibatcher(toy(40, 100), { batchSize: 16, seed: 3 });
    const b1 = mb.next();
    const x1 = b1.x;
    const b2 = mb.next();
    assert.equal(b2, b1);
    assert.equal(b2.x, x1);
    const tail = mb.next();
    assert.equal(tail.size, 8);
    assert.equal(tail.x.buffer, x1.buffer, 'the tail batch views the same buffer');
    assert.equal(mb.next().x, x1);
    const plain = new Minibatcher(toy(10, 2), { batchSize: 4, seed: 3, shuffle: false });
    assert.deepEqual([...plain.epoch()].length, 3);
    plain.seek(0);
    assert.deepEqual(Array.from(plain.next().indices), [0, 1, 2, 3]);
  });

  test('bad options', () => {
    assert.throws(() => new Minibatcher(toy(10, 2), { batchSize: 0, seed: 1 }), /batchSize must be a positive integer/);
    assert.throws(() => new Minibatcher(toy(0, 2), { batchSize: 4, seed: 1 }), /the dataset is empty/);
    assert.throws(() => new Minibatcher({ ...toy(10, 2), n: 11 }, { batchSize: 4, seed: 1 }), /x has 20 values, expected n x 2 = 22/);
  });
});

describe('splits, subsets, one-hot, normalization', () => {
  test('train/test split: sizes, disjoint, covering, seeded', () => {
    const ds = toy(101, 2);
    const { train, test } = trainTestSplit(ds, { testFraction: 0.2, seed: 9 });
    assert.equal(test.n, 20);
    assert.equal(train.n, 81);
    const ids = (d: Dataset) => Array.from({ length: d.n }, (_, k) => d.x[k * 2]);
    const all = [...ids(train), ...ids(test)].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 101 }, (_, i) => i));
    assert.deepEqual(trainTestSplit(ds, { testFraction: 0.2, seed: 9 }).test.x, test.x);
    assert.notDeepEqual(trainTestSplit(ds, { testFraction: 0.2, seed: 10 }).test.x, test.x);
    assert.equal(trainTestSplit(ds, { testSize: 7, seed: 1 }).test.n, 7);
    assert.throws(() => trainTestSplit(ds, { testSize: 102, seed: 1 }), /cannot hold out 102 of 101/);
    assert.deepEqual(train.y, Int32Array.from(ids(train), (i) => i % 3), 'labels travel with their rows');
  });

  test('subset', () => {
    const ds = toy(100, 2);
    const s = subset(ds, 10, 4);
    assert.equal(s.n, 10);
    assert.deepEqual(subset(ds, 10, 4), s);
    assert.notDeepEqual(subset(ds, 10, 5).x, s.x);
    assert.throws(() => subset(ds, 101, 1), /cannot take 101 of 100/);
  });

  test('one-hot', () => {
    const y = Int32Array.of(2, 0, 1, 2);
    assert.deepEqual(Array.from(oneHot(y, 3)), [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const ds = toOneHot(toy(6, 2, 3));
    assert.deepEqual(ds.yShape, [3]);
    assert.ok(ds.y instanceof Float32Array);
    for (let i = 0; i < 6; i++) {
      const row: number[] = Array.from((ds.y as Float32Array).subarray(i * 3, i * 3 + 3));
      assert.equal(row.reduce((a, b) => a + b), 1);
      assert.equal(row.indexOf(1), i % 3);
    }
    assert.throws(() => oneHot(Int32Array.of(3), 3), /label 3 of example 0 is outside 0\.\.2/);
    const mb = new Minibatcher(ds, { batchSize: 4, seed: 1 });
    const b = mb.next();
    for (let k = 0; k < 4; k++) assert.equal(b.y[k * 3 + (b.indices[k] % 3)], 1);
  });

  test('normalization statistics from the training set only', () => {
    const ds = toy(100, 3);
    const { train, test } = trainTestSplit(ds, { testSize: 20, seed: 2 });
    const stats = computeStats(train, 'perFeature');
    const ntrain = applyStats(train, stats);
    for (let j = 0; j < 3; j++) {
      let m = 0;
      let v = 0;
      for (let i = 0; i < ntrain.n; i++) m += ntrain.x[i * 3 + j] / ntrain.n;
      for (let i = 0; i < ntrain.n; i++) v += (ntrain.x[i * 3 + j] - m) ** 2 / ntrain.n;
      assert.ok(Math.abs(m) < 1e-5 && Math.abs(v - 1) < 1e-5, `feature ${j}: mean ${m}, var ${v}`);
    }
    const ntest = applyStats(test, stats);
    for (let k = 0; k < test.n; k++) assert.ok(Math.abs(ntest.x[k * 3] - (test.x[k * 3] - stats.mean[0]) / stats.std[0]) < 1e-5);
    assert.notEqual(ntest.x, test.x, 'applyStats copies');
    const scalar = computeStats(train, 'scalar');
    assert.equal(scalar.mean.length, 1);
    // A constant feature gets std 1 rather than a division by zero.
    const flat: Dataset = { x: new Float32Array(10).fill(3), y: new Int32Array(10), n: 10, xShape: [1], yShape: [], numClasses: 1 };
    assert.equal(computeStats(flat, 'perFeature').std[0], 1);
    assert.equal(computeStats(flat, 'scalar').std[0], 1);
  });
});
