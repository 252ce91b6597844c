import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Dataset, classCounts, gaussianClusters, lowRank, spirals, teacher } from '../../../engine/src/data/index.js';
import { gram, gramSchmidtRank, symmetricEigenvalues } from './linalg.js';

const same = (a: Dataset, b: Dataset) => {
  assert.deepEqual(a.x, b.x);
  assert.deepEqual(a.y, b.y);
  assert.equal(a.n, b.n);
};
const differs = (a: Dataset, b: Dataset) => assert.notDeepEqual(a.x, b.x);

const GENERATORS: [string, (seed: number, trainSize?: number, testSize?: number) => { train: Dataset; test: Dataset }][] = [
  ['clusters', (seed, trainSize = 300, testSize = 100) => gaussianClusters({ seed, trainSize, testSize, classes: 4, dim: 8 })],
  ['spirals (3 arms)', (seed, trainSize = 300, testSize = 100) => spirals({ seed, trainSize, testSize, arms: 3 })],
  ['lowRank input', (seed, trainSize = 300, testSize = 100) => lowRank({ seed, trainSize, testSize, dim: 16, rank: 3 })],
  ['lowRank linear', (seed, trainSize = 300, testSize = 100) => lowRank({ seed, trainSize, testSize, dim: 16, rank: 3, target: 'linear', outputDim: 5, noise: 0.1 })],
  ['teacher classification', (seed, trainSize = 300, testSize = 100) => teacher({ seed, trainSize, testSize, inputDim: 6, hidden: [12, 8], outputs: 3 })],
  ['teacher regression', (seed, trainSize = 300, testSize = 100) => teacher({ seed, trainSize, testSize, inputDim: 6, task: 'regression', outputs: 2, activation: 'relu', noise: 0.05 })],
];

describe('synthetic sets: determinism', () => {
  for (const [name, make] of GENERATORS) {
    test(`${name}: same seed same bytes, other seed different, train independent of testSize`, () => {
      const a = make(7);
      const b = make(7);
      same(a.train, b.train);
      same(a.test, b.test);
      differs(a.train, make(8).train);
      same(a.train, make(7, 300, 5).train);
      same(a.test, make(7, 20, 100).test);
      for (const v of a.train.x) assert.ok(Number.isFinite(v));
    });
  }
});

describe('Gaussian clusters', () => {
  test('k <= dim: centres exactly `separation` apart; balanced classes; class means near centres', () => {
    const { train, params } = gaussianClusters({ classes: 5, dim: 10, separation: 4, std: 0.5, trainSize: 5000, testSize: 0, seed: 1 });
    const dist = (a: number, b: number) => Math.sqrt(Array.from({ length: 10 }, (_, j) => (params.centers[a * 10 + j] - params.centers[b * 10 + j]) ** 2).reduce((s, t) => s + t));
    for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) assert.ok(Math.abs(dist(a, b) - 4) < 1e-9, `${a}-${b}: ${dist(a, b)}`);
    assert.deepEqual(classCounts(train), [1000, 1000, 1000, 1000, 1000]);
    for (let c = 0; c < 5; c++) {
      const mean = new Float64Array(10);
      for (let i = 0; i < train.n; i++) if (train.y[i] === c) for (let j = 0; j < 10; j++) mean[j] += train.x[i * 10 + j] / 1000;
      for (let j = 0; j < 10; j++) assert.ok(Math.abs(mean[j] - params.centers[c * 10 + j]) < (4 * 0.5) / Math.sqrt(1000), `class ${c} coord ${j}`);
    }
    // Within-class spread is std.
    let ss = 0;
    for (let i = 0; i < train.n; i++) for (let j = 0; j < 10; j++) ss += (train.x[i * 10 + j] - params.centers[train.y[i] * 10 + j]) ** 2;
    assert.ok(Math.abs(Math.sqrt(ss / (train.n * 10)) - 0.5) < 0.01);
  });

  test('k > dim: the closest pair of centres is `separation` apart; far clusters are separable', () => {
    const { train, params } = gaussianClusters({ classes: 6, dim: 2, separation: 12, std: 1, trainSize: 600, testSize: 0, seed: 2 });
    let min = Infinity;
    for (let a = 0; a < 6; a++) for (let b = a + 1; b < 6; b++) min = Math.min(min, Math.hypot(params.centers[2 * a] - params.centers[2 * b], params.centers[2 * a + 1] - params.centers[2 * b + 1]));
    assert.ok(Math.abs(min - 12) < 1e-9);
    let correct = 0;
    for (let i = 0; i < train.n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < 6; c++) {
        const dd = Math.hypot(train.x[2 * i] - params.centers[2 * c], train.x[2 * i + 1] - params.centers[2 * c + 1]);
        if (dd < bestD) [best, bestD] = [c, dd];
      }
      if (best === train.y[i]) correct++;
    }
    assert.ok(correct / train.n > 0.99, `nearest-centre accuracy ${correct / train.n}`);
  });
});

describe('spirals', () => {
  test('noise-free points lie on their arm; classes balanced; radius <= 1', () => {
    const turns = 1.25;
    const { train } = spirals({ arms: 3, turns, noise: 0, trainSize: 600, testSize: 0, seed: 5 });
    assert.deepEqual(classCounts(train), [200, 200, 200]);
    assert.deepEqual(train.xShape, [2]);
    for (let i = 0; i < train.n; i++) {
      const x = train.x[2 * i];
      const y = train.x[2 * i + 1];
      const r = Math.hypot(x, y);
      assert.ok(r <= 1 + 1e-6);
      if (r < 1e-3) continue;
      const expected = 2 * Math.PI * (turns * r + train.y[i] / 3);
      let diff = (Math.atan2(y, x) - expected) % (2 * Math.PI);
      if (diff > Math.PI) diff -= 2 * Math.PI;
      if (diff < -Math.PI) diff += 2 * Math.PI;
      assert.ok(Math.abs(diff) < 1e-3, `example ${i}: angle off by ${diff}`);
    }
  });

  test('noise has the requested standard deviation (roughly)', () => {
    const clean = spirals({ noise: 0, trainSize: 2000, testSize: 0, seed: 9 }).train;
    const noisy = spirals({ noise: 0.1, trainSize: 2000, testSize: 0, seed: 9 }).train;
    // Same t and labels are not guaranteed (the noise draws interleave), so compare radii spread.
    const spread = (d: Dataset) => {
      let m = 0;
      for (let i = 0; i < d.n; i++) m = Math.max(m, Math.hypot(d.x[2 * i], d.x[2 * i + 1]));
      return m;
    };
    assert.ok(spread(clean) <= 1);
    assert.ok(spread(noisy) > 1.1);
  });
});

describe('low-rank data', () => {
  test('target input (E3: n = 2000, 64 dims): X has rank exactly r, y = x', () => {
    const { train, test } = lowRank({ trainSize: 2000, testSize: 100, dim: 64, rank: 8, seed: 3 });
    assert.equal(train.n, 2000);
    assert.deepEqual(train.xShape, [64]);
    assert.deepEqual(train.yShape, [64]);
    assert.deepEqual(train.y, train.x);
    assert.notEqual(train.y, train.x, 'y is a copy');
    const ev = symmetricEigenvalues(gram(train.x, train.n, 64), 64);
    const top = ev[0];
    const rel = ev.map((v) => v / top);
    assert.ok(rel[7] > 1e-3, `8th eigenvalue ${rel[7]}`);
    assert.ok(Math.abs(rel[8]) < 1e-9, `9th eigenvalue ${rel[8]}`);
    assert.ok(ev.reduce((s, v) => s + v, 0) > 0);
    assert.equal(gramSchmidtRank(train.x, 200, 64), 8);
    assert.equal(gramSchmidtRank(test.x, 100, 64), 8);
    // Each coordinate has variance about 1.
    let s2 = 0;
    for (const v of train.x) s2 += v * v;
    assert.ok(Math.abs(s2 / train.x.length - 1) < 0.3, `mean square ${s2 / train.x.length}`);
    // The test set lies in the same subspace as the training set.
    const both = new Float32Array(64 * 150);
    both.set(train.x.subarray(0, 64 * 100));
    both.set(test.x.subarray(0, 64 * 50), 64 * 100);
    assert.equal(gramSchmidtRank(both, 150, 64), 8);
  });

  test('rank r for several r; noise makes it full rank', () => {
    for (const rank of [1, 3, 16]) {
      const { train } = lowRank({ trainSize: 300, testSize: 0, dim: 32, rank, seed: rank });
      const ev = symmetricEigenvalues(gram(train.x, train.n, 32), 32).map((v, _, a) => v / a[0]);
      assert.ok(ev[rank - 1] > 1e-4 && Math.abs(ev[rank] ?? 0) < 1e-9, `rank ${rank}: ${ev[rank - 1]}, ${ev[rank]}`);
    }
    const noisy = lowRank({ trainSize: 300, testSize: 0, dim: 32, rank: 3, noise: 0.01, seed: 1 }).train;
    assert.equal(gramSchmidtRank(noisy.x, 300, 32), 32);
  });

  test('target linear: y = A x with rank(A) = r; residual std = noise', () => {
    const dim = 20;
    const m = 12;
    const { train, params } = lowRank({ target: 'linear', dim, outputDim: m, rank: 4, trainSize: 500, testSize: 0, seed: 11 });
    assert.ok(params.a);
    assert.deepEqual(train.yShape, [m]);
    assert.equal(gramSchmidtRank(train.x, 500, dim), dim, 'inputs are full rank');
    const evA = symmetricEigenvalues(gram(params.a, m, dim), dim).map((v, _, a) => v / a[0]);
    assert.ok(evA[3] > 1e-6 && Math.abs(evA[4]) < 1e-12, `A: ${evA[3]}, ${evA[4]}`);
    const evY = symmetricEigenvalues(gram(train.y, 500, m), m).map((v, _, a) => v / a[0]);
    assert.ok(evY[3] > 1e-4 && Math.abs(evY[4]) < 1e-9, `Y: ${evY[3]}, ${evY[4]}`);
    for (let i = 0; i < 500; i += 50) {
      for (let p = 0; p < m; p++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += params.a[p * dim + j] * train.x[i * dim + j];
        assert.ok(Math.abs(train.y[i * m + p] - s) < 1e-5);
      }
    }
    const noisy = lowRank({ target: 'linear', dim, outputDim: m, rank: 4, trainSize: 2000, testSize: 0, seed: 11, noise: 0.2 });
    let ss = 0;
    for (let i = 0; i < 2000; i++) {
      for (let p = 0; p < m; p++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += noisy.params.a![p * dim + j] * noisy.train.x[i * dim + j];
        ss += (noisy.train.y[i * m + p] - s) ** 2;
      }
    }
    assert.ok(Math.abs(Math.sqrt(ss / (2000 * m)) - 0.2) < 0.01);
  });

  test('bad options', () => {
    assert.throws(() => lowRank({ dim: 4, rank: 5 }), /rank 5 exceeds dim = 4/);
    assert.throws(() => lowRank({ target: 'linear', dim: 10, outputDim: 2, rank: 3 }), /rank 3 exceeds min\(dim, outputDim\) = 2/);
  });
});

describe('teacher network', () => {
  /** An independent forward pass of the teacher (written here, not imported). */
  const forward = (p: { sizes: number[]; weights: Float64Array[]; biases: Float64Array[]; activation: string }, x: ArrayLike<number>, off: number) => {
    let h = Array.from({ length: p.sizes[0] }, (_, j) => x[off + j]);
    p.weights.forEach((w, l) => {
      const out = Array.from({ length: p.sizes[l + 1] }, (_, i) => h.reduce((s, v, j) => s + w[i * h.length + j] * v, p.biases[l][i]));
      h = l === p.weights.length - 1 ? out : out.map((v) => (p.activation === 'tanh' ? Math.tanh(v) : Math.max(0, v)));
    });
    return h;
  };

  test('classification labels are the argmax of the teacher; several classes used', () => {
    const { train, test, params } = teacher({ inputDim: 5, hidden: [16, 8], outputs: 4, trainSize: 400, testSize: 100, seed: 4 });
    assert.deepEqual(params.sizes, [5, 16, 8, 4]);
    assert.equal(train.numClasses, 4);
    for (const d of [train, test]) {
      for (let i = 0; i < d.n; i++) {
        const out = forward(params, d.x, i * 5);
        assert.equal(d.y[i], out.indexOf(Math.max(...out)), `example ${i}`);
      }
    }
    assert.ok(classCounts(train).filter((c) => c > 0).length >= 3);
  });

  test('regression outputs are the teacher plus noise', () => {
    const { train, params } = teacher({ inputDim: 4, hidden: [8], activation: 'relu', task: 'regression', outputs: 2, noise: 0.3, trainSize: 3000, testSize: 0, seed: 6 });
    assert.deepEqual(train.yShape, [2]);
    assert.equal(train.numClasses, undefined);
    let ss = 0;
    for (let i = 0; i < train.n; i++) {
      const out = forward(params, train.x, i * 4);
      for (let c = 0; c < 2; c++) ss += (train.y[i * 2 + c] - out[c]) ** 2;
    }
    assert.ok(Math.abs(Math.sqrt(ss / (train.n * 2)) - 0.3) < 0.015);
    const clean = teacher({ inputDim: 4, hidden: [8], activation: 'relu', task: 'regression', outputs: 2, trainSize: 50, testSize: 0, seed: 6 });
    for (let i = 0; i < 50; i++) {
      const out = forward(clean.params, clean.train.x, i * 4);
      assert.ok(Math.abs(clean.train.y[2 * i] - out[0]) < 1e-5);
    }
  });
});
