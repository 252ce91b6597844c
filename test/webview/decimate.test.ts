import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { autoUpperBound, decimateMinMax, filterDrawable, lowerBound, MinMaxDecimator, upperBound, type XY } from '../../webview/src/model/decimate.js';
import { rng } from '../support/rng';

/** A noisy decaying loss with spikes, x = 0..n-1 (or given). */
function series(n: number, seed = 1, x0 = 0): { xs: Float64Array; ys: Float64Array } {
  const r = rng(seed);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = x0 + i;
    ys[i] = 10 / (1 + i / 100) + r() * 0.5 + (r() < 0.002 ? 50 : 0);
  }
  return { xs, ys };
}

/** Reference: the min and max y of every bucket, computed independently by grouping rows. */
function bucketExtremes(xs: ArrayLike<number>, ys: ArrayLike<number>, xMin: number, xMax: number, buckets: number, log: boolean) {
  const t = (x: number) => (log ? Math.log(x) : x);
  const groups = new Map<number, { min: number; max: number }>();
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x < xMin || x > xMax || (log && x <= 0)) continue;
    const k = Math.min(buckets - 1, Math.floor(((t(x) - t(xMin)) / (t(xMax) - t(xMin))) * buckets));
    const g = groups.get(k) ?? { min: Infinity, max: -Infinity };
    g.min = Math.min(g.min, ys[i]);
    g.max = Math.max(g.max, ys[i]);
    groups.set(k, g);
  }
  return groups;
}

const has = (out: XY[], x: number, y: number) => out.some((p) => p.x === x && p.y === y);

describe('min-max decimation', () => {
  test('keeps the min and max of every bucket, the first and last point, and nothing invented', () => {
    const { xs, ys } = series(10_000);
    const buckets = 50;
    const out = decimateMinMax(xs, ys, xs.length, { xMin: 0, xMax: 9_999, buckets, sorted: true });
    assert.ok(out.length <= 2 * buckets + 2, `${out.length} points for ${buckets} buckets`);
    assert.ok(out.length >= buckets, 'at least one point per bucket');
    assert.deepEqual(out[0], { x: 0, y: ys[0] }, 'first point kept');
    assert.deepEqual(out[out.length - 1], { x: 9_999, y: ys[9_999] }, 'last point kept');
    for (const p of out) assert.equal(ys[p.x], p.y, `point at x=${p.x} is an input point`);
    for (let i = 1; i < out.length; i++) assert.ok(out[i].x > out[i - 1].x, 'x strictly increasing');
    const ref = bucketExtremes(xs, ys, 0, 9_999, buckets, false);
    assert.equal(ref.size, buckets);
    for (const [k, g] of ref) {
      assert.ok(out.some((p) => p.y === g.min), `bucket ${k}: min ${g.min} kept`);
      assert.ok(out.some((p) => p.y === g.max), `bucket ${k}: max ${g.max} kept`);
    }
    // Loss spikes (y > 50) survive: every bucket holding one still shows one.
    const spikeBuckets = new Set(Array.from(ys).flatMap((y, i) => (y > 50 ? [Math.min(buckets - 1, Math.floor((i / 9_999) * buckets))] : [])));
    assert.ok(spikeBuckets.size > 5);
    const drawnSpikes = new Set(out.filter((p) => p.y > 50).map((p) => Math.min(buckets - 1, Math.floor((p.x / 9_999) * buckets))));
    assert.deepEqual([...drawnSpikes].sort(), [...spikeBuckets].sort());
  });

  test('on a log x axis the buckets are equal in log x (and x <= 0 is dropped)', () => {
    const { xs, ys } = series(20_000); // x = 0..19999: x = 0 cannot be drawn on log x
    const buckets = 40;
    const out = decimateMinMax(xs, ys, xs.length, { xMin: 1, xMax: 19_999, buckets, logX: true, sorted: true });
    assert.ok(out.every((p) => p.x > 0));
    assert.equal(out[0].x, 1, 'first drawable point kept');
    const ref = bucketExtremes(xs, ys, 1, 19_999, buckets, true);
    for (const [k, g] of ref) {
      assert.ok(out.some((p) => p.y === g.min), `log bucket ${k}: min kept`);
      assert.ok(out.some((p) => p.y === g.max), `log bucket ${k}: max kept`);
    }
    // Linear buckets would give the first log decade (x in 1..10, 10 rows) a tiny share; log buckets keep all of them.
    for (let x = 1; x <= 10; x++) assert.ok(has(out, x, ys[x]), `x=${x} kept on log x`);
    assert.ok(out.length <= 2 * buckets + 2);
  });

  test('log y drops y <= 0', () => {
    const xs = Float64Array.from([1, 2, 3, 4]);
    const ys = Float64Array.from([1, 0, -2, 4]);
    assert.deepEqual(decimateMinMax(xs, ys, 4, { xMin: 1, xMax: 4, buckets: 10, logY: true, sorted: true }), [
      { x: 1, y: 1 },
      { x: 4, y: 4 },
    ]);
    assert.deepEqual(filterDrawable(xs, ys, 4, false, true), [
      { x: 1, y: 1 },
      { x: 4, y: 4 },
    ]);
  });

  test('a zoomed range keeps the nearest point on each side so the line reaches the edges', () => {
    const { xs, ys } = series(10_000);
    const out = decimateMinMax(xs, ys, xs.length, { xMin: 1000.5, xMax: 1999.5, buckets: 20, sorted: true });
    assert.deepEqual(out[0], { x: 1000, y: ys[1000] });
    assert.deepEqual(out[1], { x: 1001, y: ys[1001] });
    assert.deepEqual(out[out.length - 1], { x: 2000, y: ys[2000] });
    assert.ok(out.slice(1, -1).every((p) => p.x >= 1001 && p.x <= 1999));
  });

  test('few points in range: every drawable one is kept; NaN rows skipped', () => {
    const xs = Float64Array.from([0, 1, 2, 3, 4]);
    const ys = Float64Array.from([5, NaN, 3, Infinity, 1]);
    assert.deepEqual(decimateMinMax(xs, ys, 5, { xMin: 0, xMax: 4, buckets: 100 }), [
      { x: 0, y: 5 },
      { x: 2, y: 3 },
      { x: 4, y: 1 },
    ]);
  });

  test('unsorted x: same result as sorted data, drawn left to right', () => {
    const { xs, ys } = series(5_000, 7);
    const perm = Array.from({ length: 5_000 }, (_, i) => i);
    // Two runs of steps glued out of order: 2500..4999 then 0..2499.
    const order = [...perm.slice(2500), ...perm.slice(0, 2500)];
    const ux = Float64Array.from(order, (i) => xs[i]);
    const uy = Float64Array.from(order, (i) => ys[i]);
    const out = decimateMinMax(ux, uy, 5_000, { xMin: 0, xMax: 4_999, buckets: 30 });
    for (let i = 1; i < out.length; i++) assert.ok(out[i].x >= out[i - 1].x, 'sorted output');
    for (const [, g] of bucketExtremes(xs, ys, 0, 4_999, 30, false)) {
      assert.ok(out.some((p) => p.y === g.min) && out.some((p) => p.y === g.max));
    }
  });

  test('reuses the output array and its point objects', () => {
    const { xs, ys } = series(3_000);
    const out: XY[] = [];
    decimateMinMax(xs, ys, 3_000, { xMin: 0, xMax: 2_999, buckets: 10, sorted: true }, out);
    const first = out[0];
    const n1 = out.length;
    decimateMinMax(xs, ys, 100, { xMin: 0, xMax: 99, buckets: 10, sorted: true }, out);
    assert.equal(out[0], first, 'same object');
    assert.ok(out.length <= 22 && out.length < n1 + 100);
    assert.equal(out[out.length - 1].x, 99, 'only the first 100 rows considered');
  });

  test('incremental: feeding a growing series in chunks gives exactly the one-shot result', () => {
    const { xs, ys } = series(12_000, 3, 1);
    ys[500] = NaN;
    ys[7000] = -1; // dropped on log y only
    const cases = [
      { xMin: 1, xMax: 16_384, buckets: 64 },
      { xMin: 1, xMax: 16_384, buckets: 64, logX: true, logY: true },
      { xMin: 2_000.5, xMax: 9_000, buckets: 25 }, // zoomed: a point before and one after
      { xMin: 20_000, xMax: 30_000, buckets: 10 }, // right of all data: only the point before
    ];
    const r = rng(9);
    for (const c of cases) {
      const dec = new MinMaxDecimator();
      let n = 0;
      while (n < xs.length) {
        n = Math.min(xs.length, n + 1 + Math.floor(r() * 900));
        const got = dec.update(xs, ys, n, c, 'src').map((p) => ({ ...p }));
        const want = decimateMinMax(xs, ys, n, { ...c, sorted: true });
        assert.deepEqual(got, want, `${JSON.stringify(c)} at n=${n}`);
      }
    }
  });

  test('incremental: new options or a new source start over', () => {
    const { xs, ys } = series(5_000);
    const dec = new MinMaxDecimator();
    dec.update(xs, ys, 5_000, { xMin: 0, xMax: 4_999, buckets: 10 }, 1);
    const zoomed = dec.update(xs, ys, 5_000, { xMin: 100, xMax: 200, buckets: 10 }, 1).map((p) => ({ ...p }));
    assert.deepEqual(zoomed, decimateMinMax(xs, ys, 5_000, { xMin: 100, xMax: 200, buckets: 10, sorted: true }));
    const other = Float64Array.from(ys, (y) => -y);
    const flipped = dec.update(xs, other, 5_000, { xMin: 100, xMax: 200, buckets: 10 }, 2);
    assert.ok(flipped.every((p) => p.y === other[p.x]), 'values read from the new source');
  });

  test('binary search bounds', () => {
    const xs = [1, 2, 2, 2, 5];
    assert.equal(lowerBound(xs, 5, 2), 1);
    assert.equal(upperBound(xs, 5, 2), 4);
    assert.equal(lowerBound(xs, 5, 6), 5);
    assert.equal(upperBound(xs, 5, 0), 0);
  });

  test('the automatic upper bound covers the data and changes only every ~1/8 of growth', () => {
    assert.equal(autoUpperBound(0, 1000), 1024);
    assert.equal(autoUpperBound(0, 1024), 1024);
    assert.equal(autoUpperBound(0, 1025), 1152);
    assert.equal(autoUpperBound(0, 1100), 1152, 'streaming from 1025 to 1152 keeps the same bound');
    assert.equal(autoUpperBound(5, 5), 5);
    for (const hi of [3, 77, 1e5 + 3, 123456.7]) assert.ok(autoUpperBound(0, hi) >= hi && autoUpperBound(0, hi) <= hi * 1.25);
  });
});
