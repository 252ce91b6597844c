// Factor statistics against explicit loops (dense A, G; conv Omega over patches with zero padding,
// Gamma over locations), the bias-corrected EMA with burn-in by hand, pi, and the LM rule.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { disposeState } from '../../../../engine/src/optim';
import { emaUpdate, emaWeights, kfac, levenbergMarquardt, minibatchFactors, nextWeight, piAdjustedDamping } from '../../../../engine/src/optim/kfac';
import type { LayerTap } from '../../../../engine/src/optim/types';
import { initBackend } from '../../../../engine/src/tf/backend';
import { relativeError } from './helpers';

before(async () => {
  await initBackend('cpu');
});

/** sum_r x_r x_r^T * scale for rows x_r (float64). */
function outer(rows: number[][], scale: number): number[] {
  const d = rows[0].length;
  const out = new Array<number>(d * d).fill(0);
  for (const r of rows) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] += r[i] * r[j] * scale;
  return out;
}

test('dense factors: A = abar^T abar / B with the bias column last, G = g^T g / B', () => {
  const B = 5;
  const a = tf.randomNormal([B, 3], 0, 1, 'float32', 1);
  const g = tf.randomNormal([B, 2], 0, 1, 'float32', 2);
  const tap: LayerTap = { kind: 'dense', weight: 'w', bias: 'b', inputs: a, outputGrads: g };
  const f = minibatchFactors({ fc: tap }).fc;
  const av = a.arraySync() as number[][];
  const gv = g.arraySync() as number[][];
  assert.deepEqual([f.dimA, f.dimG], [4, 2]);
  assert.ok(relativeError(f.a, outer(av.map((r) => [...r, 1]), 1 / B)) < 1e-6);
  assert.ok(relativeError(f.g, outer(gv, 1 / B)) < 1e-6);
  // Without a bias there is no homogeneous column.
  const nb = minibatchFactors({ fc: { ...tap, bias: undefined } }).fc;
  assert.equal(nb.dimA, 3);
  assert.ok(relativeError(nb.a, outer(av, 1 / B)) < 1e-6);
  tf.dispose([a, g]);
});

for (const geometry of [
  { padding: 'same' as const, strides: [1, 1] as [number, number], out: [5, 4] },
  { padding: 'valid' as const, strides: [2, 1] as [number, number], out: [2, 3] },
]) {
  test(`conv factors (${geometry.padding}, stride ${geometry.strides.join('x')}): Omega and Gamma equal explicit loops over locations`, () => {
    const [B, H, W, C, K] = [2, 5, 4, 2, 3];
    const [kh, kw] = [3, 2];
    const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 3);
    const [oh, ow] = geometry.out;
    const ds = tf.randomNormal([B, oh, ow, K], 0, 1, 'float32', 4);
    const tap: LayerTap = { kind: 'conv2d', weight: 'f', bias: 'b', inputs: x, outputGrads: ds, conv: { kernelSize: [kh, kw], strides: geometry.strides, padding: geometry.padding } };
    const f = minibatchFactors({ conv: tap }).conv;
    const xv = x.arraySync() as number[][][][];
    const dv = ds.arraySync() as number[][][][];
    // TensorFlow's 'same' padding: total (out - 1) * stride + k - in, the smaller half on top/left.
    const padTop = geometry.padding === 'same' ? Math.floor(Math.max((oh - 1) * geometry.strides[0] + kh - H, 0) / 2) : 0;
    const padLeft = geometry.padding === 'same' ? Math.floor(Math.max((ow - 1) * geometry.strides[1] + kw - W, 0) / 2) : 0;
    const patches: number[][] = [];
    const grads: number[][] = [];
    for (let n = 0; n < B; n++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const p: number[] = [];
          // (row, column, channel) order, as the filter [kh, kw, cin, cout] reshaped.
          for (let r = 0; r < kh; r++) {
            for (let c = 0; c < kw; c++) {
              for (let ch = 0; ch < C; ch++) {
                const yy = i * geometry.strides[0] + r - padTop;
                const xx = j * geometry.strides[1] + c - padLeft;
                p.push(yy >= 0 && yy < H && xx >= 0 && xx < W ? xv[n][yy][xx][ch] : 0);
              }
            }
          }
          patches.push([...p, 1]);
          grads.push(dv[n][i][j]);
        }
      }
    }
    const T = oh * ow;
    assert.deepEqual([f.dimA, f.dimG], [kh * kw * C + 1, K]);
    // Omega = E_x[sum_t abar_t abar_t^T] (the paper's; kfac-jax's input factor times T), Gamma = E[sum_t ds ds^T] / T.
    assert.ok(relativeError(f.a, outer(patches, 1 / B)) < 1e-5, 'Omega');
    assert.ok(relativeError(f.g, outer(grads, 1 / (B * T))) < 1e-5, 'Gamma');
    assert.ok(Math.abs(f.a[f.dimA * f.dimA - 1] - T) < 1e-4, 'the corner is the number of locations');
    tf.dispose([x, ds]);
  });
}

test('bias-corrected EMA with burn-in, by hand', () => {
  // decay 0.5, burn-in 2, values 2, 4, 8, 16:
  //  burn-in: w 1, v 2; w 2, v 3 (plain mean). Then w = 0.5 w + 1 = 2, v = (0.5*2*3 + 8)/2 = 5.5;
  //  w = 2, v = (0.5*2*5.5 + 16)/2 = 10.75.
  const xs = [2, 4, 8, 16];
  const expected = [2, 3, 5.5, 10.75];
  let v: Float64Array | null = null;
  let w = 0;
  xs.forEach((x, k) => {
    const { emaOld, emaNew } = emaWeights(k < 2, 0.5);
    v = emaUpdate(v, w, [x], emaOld, emaNew);
    w = nextWeight(w, emaOld, emaNew);
    assert.ok(Math.abs(v[0] - expected[k]) < 1e-12, `step ${k + 1}: ${v[0]} != ${expected[k]}`);
  });
  assert.equal(w, 2);
});

test('the transform averages its factors that way, and burn-in steps do not move the parameters', () => {
  const tx = kfac({ learningRate: 0.1, damping: 150, burnIn: 2, emaDecay: 0.5, asyncInverses: false });
  const params = { w: tf.zeros([1, 1]), b: tf.zeros([1]) };
  const grads = { w: tf.ones([1, 1]), b: tf.ones([1]) };
  let state = tx.init(params);
  const expectedG = [2, 3, 5.5, 10.75]; // G = g^2 for one example with g = sqrt(value)
  expectedG.forEach((_, k) => {
    const inputs = tf.tensor2d([[1]]);
    const outputGrads = tf.tensor2d([[Math.sqrt([2, 4, 8, 16][k])]]);
    const r = tx.update(grads, state, params, { layerStats: { fc: { kind: 'dense', weight: 'w', bias: 'b', inputs, outputGrads } } });
    state = r.state;
    assert.ok(Math.abs(state.layers.fc.g[0] - expectedG[k]) < 1e-5, `G after step ${k + 1}: ${state.layers.fc.g[0]}`);
    const moved = Math.abs(r.updates.w.dataSync()[0]);
    if (k < 2) assert.equal(moved, 0, `burn-in step ${k + 1} moved w`);
    else assert.ok(moved > 0, `step ${k + 1} did not move w`);
    tf.dispose([inputs, outputGrads, ...Object.values(r.updates)]);
  });
  assert.equal(state.updates, 2);
  disposeState(state);
  tf.dispose([...Object.values(params), ...Object.values(grads)]);
});

test('pi = sqrt((tr A / dim A) / (tr G / dim G)), and the factors match kfac-jax pi_adjusted_kronecker_factors', () => {
  const a = Float64Array.from([1, 0.5, 0, 0.5, 2, 0, 0, 0, 3]); // tr/dim = 2
  const g = Float64Array.from([9, 1, 1, 7]); // tr/dim = 8
  const damping = 4;
  const d = piAdjustedDamping(a, 3, g, 2, damping);
  assert.equal(d.pi, 0.5);
  assert.equal(d.dampA, 1); // pi sqrt(damping)
  assert.equal(d.dampG, 4); // sqrt(damping) / pi
  // kfac-jax: c = exp(mean log n_i), d_k = sqrt(damping)/c, factor_i = c (F_i / n_i + d_k I).
  const c = Math.sqrt(2 * 8);
  const dk = Math.sqrt(damping) / c;
  const jaxA = Array.from(a, (v, i) => c * (v / 2 + (i % 4 === 0 ? dk : 0)));
  const jaxG = Array.from(g, (v, i) => c * (v / 8 + (i % 3 === 0 ? dk : 0)));
  const ours = { a: Array.from(a, (v, i) => v + (i % 4 === 0 ? d.dampA : 0)), g: Array.from(g, (v, i) => v + (i % 3 === 0 ? d.dampG : 0)) };
  // Same Kronecker product (the scalar is distributed differently).
  for (let i = 0; i < 9; i++) for (let j = 0; j < 4; j++) assert.ok(Math.abs(jaxA[i] * jaxG[j] - ours.a[i] * ours.g[j]) < 1e-9);
  const zero = piAdjustedDamping(new Float64Array(9), 3, g, 2, damping);
  assert.deepEqual([zero.zero, zero.dampA, zero.dampG], [true, 2, 2]);
});

test('Levenberg-Marquardt: shrink above 3/4, grow below 1/4 or on NaN, clip', () => {
  const o = { decay: 0.95, every: 5, min: 1e-3, max: 200 };
  const w = Math.pow(0.95, 5);
  assert.equal(levenbergMarquardt(10, 0.9, o), 10 * w);
  assert.equal(levenbergMarquardt(10, 0.1, o), 10 / w);
  assert.equal(levenbergMarquardt(10, 0.5, o), 10);
  assert.equal(levenbergMarquardt(10, -3, o), 10 / w);
  assert.equal(levenbergMarquardt(10, NaN, o), 10 / w);
  assert.equal(levenbergMarquardt(190, 0, o), 200);
  assert.equal(levenbergMarquardt(1e-3, 1, o), 1e-3);
  // The thresholds exactly (kfac-jax: rho < 0.25 grows, rho > 0.75 shrinks, strictly; mutation
  // survivors of npm run mutation: 0.25 -> 0.5, and the comparisons off by one).
  for (const rho of [0.25, 0.3, 0.49, 0.51, 0.7, 0.75]) assert.equal(levenbergMarquardt(10, rho, o), 10, `rho ${rho} keeps lambda`);
  assert.equal(levenbergMarquardt(10, 0.2499, o), 10 / w);
  assert.equal(levenbergMarquardt(10, 0.7501, o), 10 * w);
});

test('emaUpdate: a null value is a first update whatever the weight (a copy of x * xScale) [mutation survivor: || -> &&]', () => {
  const x = Float32Array.from([1, 2, 3]);
  const out = emaUpdate(null, 3, x, 0.95, 1, 2);
  assert.deepEqual(Array.from(out), [2, 4, 6]);
  assert.notEqual(out.buffer, x.buffer);
});

test('emaUpdate folds float32 and plain-array inputs alike, with and without xScale [mutation survivors: ema.ts deleted fold, x * xScale -> x / xScale]', () => {
  // weight 1, emaOld = emaNew = 1: the new value is the plain mean of the old one and x * xScale.
  const cases: [ArrayLike<number>, number, number[]][] = [
    [Float32Array.from([3, 4]), 1, [2, 3]],
    [[3, 4], 1, [2, 3]],
    [Float32Array.from([3, 4]), 2, [3.5, 5]],
    [[3, 4], 2, [3.5, 5]],
  ];
  for (const [x, xScale, want] of cases) {
    const v = Float64Array.from([1, 2]);
    const out = emaUpdate(v, 1, x, 1, 1, xScale);
    assert.equal(out, v, 'updated in place');
    assert.deepEqual(Array.from(out), want, `${x instanceof Float32Array ? 'float32' : 'array'} x, xScale ${xScale}`);
  }
});
