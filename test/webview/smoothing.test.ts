import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clampSmoothing, emaSmooth, SmoothedSeries } from '../../webview/src/model/smoothing.js';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} != ${b}`);

describe('debiased EMA smoothing', () => {
  test('matches values computed by hand (w = 0.5)', () => {
    // last: 0.5, 1.25, 2.125; debias 1-0.5^k: 0.5, 0.75, 0.875
    const out = emaSmooth([1, 2, 3], 0.5);
    close(out[0], 1);
    close(out[1], 1.25 / 0.75);
    close(out[2], 2.125 / 0.875);
  });

  test('w = 0.9 on a step: the first value is kept exactly (the debias removes the zero start)', () => {
    const out = emaSmooth([10, 0], 0.9);
    close(out[0], 10);
    // last1 = 1, last2 = 0.9; debias 0.19
    close(out[1], 0.9 / 0.19);
  });

  test('non-finite values pass through and do not move the average', () => {
    const out = emaSmooth([1, NaN, Infinity, 3], 0.5);
    close(out[0], 1);
    assert.ok(Number.isNaN(out[1]));
    assert.equal(out[2], Infinity);
    // second finite value: last = 0.25 + 1.5 = 1.75, debias 0.75
    close(out[3], 1.75 / 0.75);
  });

  test('weight 0 is the identity; weights are clamped to [0, 0.999]', () => {
    assert.deepEqual(Array.from(emaSmooth([3, 1, 2], 0)), [3, 1, 2]);
    assert.equal(clampSmoothing(2), 0.999);
    assert.equal(clampSmoothing(-1), 0);
    assert.equal(clampSmoothing(NaN), 0);
  });

  test('extending in chunks gives the same values as one pass', () => {
    const ys = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) + (i % 13 === 0 ? NaN : 0));
    const once = emaSmooth(ys, 0.97);
    const s = new SmoothedSeries(0.97);
    for (const n of [1, 17, 300, 301, 999, 1000]) s.extend(ys, n);
    assert.equal(s.length, 1000);
    for (let i = 0; i < 1000; i++) assert.ok(Object.is(s.values[i], once[i]) || Math.abs(s.values[i] - once[i]) < 1e-12, `row ${i}`);
  });

  test('long series: w^k flushed to 0 before it turns subnormal, values still exact', () => {
    const w = 0.6;
    const ys = Array.from({ length: 3000 }, (_, i) => 1 + Math.cos(i));
    const out = emaSmooth(ys, w);
    let last = 0;
    for (let k = 1; k <= ys.length; k++) {
      last = w * last + (1 - w) * ys[k - 1];
      const want = last / (1 - Math.pow(w, k));
      assert.ok(Math.abs(out[k - 1] - want) <= 1e-12 * Math.abs(want), `k=${k}`);
    }
  });

  test('a constant series is output exactly (no rounding noise), until a value differs', () => {
    const out = emaSmooth([...new Array(500).fill(0.1), 0.2], 0.99);
    for (let i = 0; i < 500; i++) assert.equal(out[i], 0.1, `row ${i}`);
    // then the ordinary debiased average of 500 x 0.1 and one 0.2
    const w = 0.99;
    let last = 0;
    for (let k = 0; k < 500; k++) last = w * last + (1 - w) * 0.1;
    last = w * last + (1 - w) * 0.2;
    close(out[500], last / (1 - w ** 501));
  });
});
