import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATASET_TYPES, DatasetSpecError, loadDataset, validateDatasetSpec, writeIdxFile } from '../../../engine/src/data/index.js';

/** Expects a DatasetSpecError about `option` whose message matches `re`. */
function specError(f: () => unknown, option: string | null, re: RegExp): DatasetSpecError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DatasetSpecError, `expected a DatasetSpecError, got ${String(e)}`);
    assert.equal(e.option, option);
    assert.match(e.message, re);
    return e;
  }
  assert.fail('expected an error');
}

describe('loadDataset: every type', () => {
  test('mnist with sizes, seed and standardization', () => {
    const { train, test, info } = loadDataset({ type: 'mnist', trainSize: 2000, testSize: 500, seed: 1, normalize: 'standardize', flatten: false });
    assert.equal(train.n, 2000);
    assert.equal(test.n, 500);
    assert.deepEqual(info.xShape, [28, 28, 1]);
    assert.equal(info.task, 'classification');
    assert.equal(info.numClasses, 10);
    assert.equal(info.normalize, 'standardize');
    assert.ok(info.stats && Math.abs(info.stats.mean[0] - 0.1307) < 0.01);
    assert.equal(info.classCounts?.train.reduce((a, b) => a + b), 2000);
    assert.equal(info.files?.length, 4);
    assert.equal(info.name, 'MNIST (28x28x1, 10 classes)');
    assert.deepEqual(info.resolved, { type: 'mnist', trainSize: 2000, testSize: 500, seed: 1, normalize: 'standardize', flatten: false });
  });

  test('mnist8x8', () => {
    const { train, info } = loadDataset({ type: 'mnist8x8', trainSize: 300, testSize: 100 });
    assert.deepEqual(train.xShape, [64]);
    assert.equal(info.normalize, 'unit');
    assert.match(info.name, /^MNIST 8x8/);
  });

  test('synthetic types, with their defaults recorded', () => {
    const c = loadDataset({ type: 'clusters', classes: 3, dim: 5, trainSize: 30, testSize: 9, seed: 2 });
    assert.equal(c.train.n, 30);
    assert.equal(c.test.n, 9);
    assert.deepEqual(c.info.classCounts?.train, [10, 10, 10]);
    assert.deepEqual(c.info.resolved, { type: 'clusters', classes: 3, dim: 5, separation: 3, std: 1, trainSize: 30, testSize: 9, seed: 2, normalize: 'none' });
    const s = loadDataset({ type: 'spirals', arms: 3 });
    assert.equal(s.info.numClasses, 3);
    assert.equal(s.train.n, 1000);
    const l = loadDataset({ type: 'lowRank' });
    assert.equal(l.train.n, 2000);
    assert.deepEqual(l.train.xShape, [64]);
    assert.equal(l.test.n, 0);
    assert.equal(l.info.task, 'regression');
    assert.equal(l.info.classCounts, undefined);
    const t = loadDataset({ type: 'teacher', task: 'regression', outputs: 3, noise: 0.1, trainSize: 20, testSize: 5 });
    assert.deepEqual(t.train.yShape, [3]);
    assert.match(t.info.name, /teacher MLP 20-64-3 \(tanh, regression\)/);
    // Same spec, same data; another seed, other data.
    assert.deepEqual(loadDataset({ type: 'clusters', classes: 3, dim: 5, trainSize: 30, testSize: 9, seed: 2 }).train.x, c.train.x);
    assert.notDeepEqual(loadDataset({ type: 'clusters', classes: 3, dim: 5, trainSize: 30, testSize: 9, seed: 3 }).train.x, c.train.x);
  });

  test('standardize for synthetic sets: per-feature statistics of the training set', () => {
    const raw = loadDataset({ type: 'clusters', dim: 4, classes: 2, trainSize: 200, testSize: 50, seed: 5 });
    const norm = loadDataset({ type: 'clusters', dim: 4, classes: 2, trainSize: 200, testSize: 50, seed: 5, normalize: 'standardize' });
    const st = norm.info.stats;
    assert.ok(st && st.scope === 'perFeature' && st.mean.length === 4);
    for (let j = 0; j < 4; j++) {
      let m = 0;
      for (let i = 0; i < 200; i++) m += raw.train.x[i * 4 + j] / 200;
      assert.ok(Math.abs(m - st.mean[j]) < 1e-5, 'stats come from the training set');
      assert.ok(Math.abs(norm.test.x[j] - (raw.test.x[j] - st.mean[j]) / st.std[j]) < 1e-5, 'test uses training stats');
    }
    const ae = loadDataset({ type: 'lowRank', dim: 8, rank: 2, trainSize: 50, normalize: 'standardize' });
    assert.deepEqual(ae.train.y, ae.train.x, 'the autoencoder target is the normalized input');
  });

  test('idx: relative paths resolve against baseDir; held-out test set', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-reg-'));
    try {
      writeIdxFile(path.join(dir, 'imgs.gz'), { dims: [40, 2, 2], dtype: 'uint8', data: new Uint8Array(160).map((_, i) => i) }, { gzip: true });
      writeIdxFile(path.join(dir, 'labs'), { dims: [40], dtype: 'uint8', data: new Uint8Array(40).map((_, i) => i % 5) });
      const r = loadDataset({ type: 'idx', images: 'imgs.gz', labels: 'labs', testFraction: 0.25 }, { baseDir: dir });
      assert.equal(r.train.n, 30);
      assert.equal(r.test.n, 10);
      assert.equal(r.info.numClasses, 5);
      assert.deepEqual(r.info.files, [path.join(dir, 'imgs.gz'), path.join(dir, 'labs')]);
      assert.throws(() => loadDataset({ type: 'idx', images: 'imgs.gz', labels: 'nope' }, { baseDir: dir }), new RegExp(`${path.join(dir, 'nope')}: no such file`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadDataset: bad specs name the option', () => {
  test('type', () => {
    specError(() => loadDataset({ type: 'minst' }), 'type', /unknown type "minst" \(did you mean 'mnist'\?\); known types: 'mnist', 'mnist8x8', 'idx'/);
    specError(() => loadDataset({ type: 'cifar10' }), 'type', /unknown type "cifar10"; known types/);
    specError(() => loadDataset({ trainSize: 5 }), 'type', /option 'type' is required/);
    specError(() => loadDataset('mnist'), null, /expected an object with a 'type', got "mnist"/);
    assert.deepEqual(DATASET_TYPES, ['mnist', 'mnist8x8', 'idx', 'clusters', 'spirals', 'lowRank', 'teacher', 'unitSphere']);
  });

  test('unknown options, with a suggestion', () => {
    specError(() => loadDataset({ type: 'mnist', flaten: false }), 'flaten', /dataset 'mnist': unknown option 'flaten' \(did you mean 'flatten'\?\); its options are dir, flatten, normalize, seed, testSize, trainSize/);
    specError(() => loadDataset({ type: 'clusters', separation: 2, arms: 2 }), 'arms', /dataset 'clusters': unknown option 'arms'/);
  });

  test('bad values', () => {
    specError(() => loadDataset({ type: 'clusters', separation: 'far' }), 'separation', /dataset 'clusters': option 'separation' must be a number >= 0, got "far"/);
    specError(() => loadDataset({ type: 'clusters', classes: 1 }), 'classes', /option 'classes' must be an integer >= 2, got 1/);
    specError(() => loadDataset({ type: 'spirals', arms: 9 }), 'arms', /must be an integer from 2 to 8, got 9/);
    specError(() => loadDataset({ type: 'mnist', trainSize: 0 }), 'trainSize', /must be an integer >= 1, got 0/);
    specError(() => loadDataset({ type: 'mnist', trainSize: 2.5 }), 'trainSize', /got 2.5/);
    specError(() => loadDataset({ type: 'mnist', normalize: 'zscore' }), 'normalize', /must be one of 'unit', 'standardize', 'none', got "zscore"/);
    specError(() => loadDataset({ type: 'lowRank', normalize: 'unit' }), 'normalize', /must be one of 'none', 'standardize'/);
    specError(() => loadDataset({ type: 'teacher', hidden: [8, 0] }), 'hidden', /must be a list of positive integers/);
    specError(() => loadDataset({ type: 'mnist', seed: 'x' }), 'seed', /must be an integer/);
  });

  test('relations between options and sizes beyond the data', () => {
    specError(() => loadDataset({ type: 'idx', labels: 'l' }), 'images', /option 'images' is required/);
    specError(() => loadDataset({ type: 'idx', images: 'i', labels: 'l', testImages: 't' }), 'testLabels', /option 'testLabels' is required with 'testImages'/);
    specError(() => loadDataset({ type: 'idx', images: 'i', labels: 'l', testSize: 3, testFraction: 0.1 }), 'testFraction', /'testSize' or 'testFraction', not both/);
    specError(() => loadDataset({ type: 'lowRank', dim: 4, rank: 6 }), 'rank', /option 'rank' \(6\) must be at most 'dim' \(4\)/);
    specError(() => loadDataset({ type: 'lowRank', outputDim: 3 }), 'outputDim', /applies only to target 'linear'/);
    specError(() => loadDataset({ type: 'teacher', noise: 0.1 }), 'noise', /applies only to task 'regression'/);
    specError(() => loadDataset({ type: 'mnist', trainSize: 70000 }), 'trainSize', /dataset 'mnist': trainSize is 70000 but .* has only 60000 examples/);
    specError(() => loadDataset({ type: 'mnist', testSize: 10001 }), 'testSize', /testSize is 10001/);
  });

  test('the JSON pointer of the spec prefixes the message', () => {
    const e = specError(() => loadDataset({ type: 'clusters', dim: -1 }, { pointer: '/data' }), 'dim', /^\/data\/dim: dataset 'clusters': option 'dim' must be an integer >= 1, got -1$/);
    assert.equal(e.pointer, '/data/dim');
    assert.equal(validateDatasetSpec({ type: 'spirals', arms: 3 }).type, 'spirals');
  });
});
