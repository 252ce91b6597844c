// K-FAC's per-layer stats (listed per layer up to 8 layers, summarised as max and mean beyond),
// the default of asyncInverses (worker-thread inverses only for factors of asyncMinSize rows or
// more) and when inverses are refreshed (the first three updates, then every T3). Each was a
// surviving mutant of `npm run mutation` (the bound 8 -> 9; >= -> < in the default; k < 3 ->
// k >= 3), so these tests pin the documented behaviour down.
import { before, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { disposeState, type LayerTap, type Params } from '../../../../engine/src/optim';
import { kfac, resolveKfacOptions, type KfacOptions, type KfacState } from '../../../../engine/src/optim/kfac';
import { initBackend } from '../../../../engine/src/tf/backend';

before(async () => {
  await initBackend('cpu');
});

const B = 6;

/** `layers` bias-free 2 -> 2 dense layers with taps whose inputs differ in scale per layer. */
function layersProblem(layers: number, step = 0) {
  const taps: Record<string, LayerTap> = {};
  const params: Params = {};
  const grads: Params = {};
  for (let l = 0; l < layers; l++) {
    taps[`l${l}`] = {
      kind: 'dense',
      weight: `w${l}`,
      inputs: tf.mul(tf.randomNormal([B, 2], 0, 1, 'float32', 100 + l), l + 1),
      outputGrads: tf.mul(tf.randomNormal([B, 2], 0, 1, 'float32', 200 + l), 1 + step),
    };
    params[`w${l}`] = tf.randomNormal([2, 2], 0, 1, 'float32', 300 + l);
    grads[`w${l}`] = tf.randomNormal([2, 2], 0, 1, 'float32', 400 + l + 17 * step);
  }
  const traceA = (l: number) => tf.tidy(() => tf.sum(tf.square(taps[`l${l}`].inputs)).dataSync()[0] / B);
  const dispose = () => {
    for (const t of Object.values(taps)) tf.dispose([t.inputs, t.outputGrads]);
    tf.dispose([...Object.values(params), ...Object.values(grads)]);
  };
  return { taps, params, grads, traceA, dispose };
}

const fixed: Partial<KfacOptions> = { learningRate: 0.1, momentum: 0, damping: 1, burnIn: 0, adaptDamping: false };

test('per-layer stats up to 8 layers, max and mean over layers from 9 [guards: MAX_LAYER_STATS]', () => {
  for (const layers of [8, 9]) {
    const p = layersProblem(layers);
    const tx = kfac({ ...fixed, asyncInverses: false });
    const r = tx.update(p.grads, tx.init(p.params), p.params, { layerStats: p.taps, stats: true });
    const traces = Array.from({ length: layers }, (_, l) => p.traceA(l));
    const s = r.stats!;
    if (layers === 8) {
      traces.forEach((t, l) => assert.ok(Math.abs(s[`A_trace/l${l}`] - t) < 1e-4 * t, `A_trace/l${l}: ${s[`A_trace/l${l}`]} vs ${t}`));
      assert.equal(s['A_trace/max'], undefined);
    } else {
      assert.equal(s['A_trace/l0'], undefined, 'per-layer stats listed for 9 layers');
      const max = Math.max(...traces);
      const mean = traces.reduce((a, b) => a + b, 0) / layers;
      assert.ok(Math.abs(s['A_trace/max'] - max) < 1e-4 * max, `A_trace/max ${s['A_trace/max']} vs ${max}`);
      assert.ok(Math.abs(s['A_trace/mean'] - mean) < 1e-4 * mean, `A_trace/mean ${s['A_trace/mean']} vs ${mean}`);
    }
    tf.dispose(Object.values(r.updates));
    disposeState(r.state);
    p.dispose();
  }
});

/** Runs 6 updates (inverses refreshed every 2) and reports after which updates inverses were pending on the worker. */
function pendingAfter(options: Partial<KfacOptions>): number[] {
  const tx = kfac({ ...fixed, inverseEvery: 2, inverseLag: 1, ...options });
  let state: KfacState | null = null;
  const pending: number[] = [];
  for (let k = 0; k < 6; k++) {
    const p = layersProblem(1, k);
    state ??= tx.init(p.params);
    const r = tx.update(p.grads, state, p.params, { layerStats: p.taps, stats: false });
    state = r.state;
    if (state.pending) pending.push(k);
    tf.dispose(Object.values(r.updates));
    p.dispose();
  }
  disposeState(state);
  return pending;
}

test('asyncInverses defaults to false below asyncMinSize rows and to true from it [guards: the default rule]', () => {
  // Factors are 2 x 2: the default asyncMinSize (256) keeps them on the main thread.
  assert.deepEqual(pendingAfter({}), []);
  // From update 3 on, refreshes (every 2nd update) go to the worker when the factors are big enough.
  assert.deepEqual(pendingAfter({ asyncMinSize: 2 }), [4]);
  assert.deepEqual(pendingAfter({ asyncMinSize: 3 }), []);
});

test('inverses are refreshed on the first three updates and then every inverseEvery updates [guards: k < 3, k % T3]', () => {
  const tx = kfac({ ...fixed, inverseEvery: 4, asyncInverses: false });
  let state: KfacState | null = null;
  const refreshed: number[] = [];
  for (let k = 0; k < 10; k++) {
    const p = layersProblem(1, k);
    state ??= tx.init(p.params);
    const before = state.inverses;
    const r = tx.update(p.grads, state, p.params, { layerStats: p.taps, stats: false });
    state = r.state;
    if (state.inverses !== before) refreshed.push(k);
    tf.dispose(Object.values(r.updates));
    p.dispose();
  }
  disposeState(state);
  assert.deepEqual(refreshed, [0, 1, 2, 4, 8]);
});

test('inverseLag defaults to ceil(inverseEvery / 2) [guards: the default, a mutation survivor]', () => {
  for (const [every, lag] of [[20, 10], [5, 3], [1, 1], [7, 4]]) assert.equal(resolveKfacOptions({ inverseEvery: every }).inverseLag, lag, `inverseEvery ${every}`);
  assert.equal(resolveKfacOptions({ inverseEvery: 6, inverseLag: 2 }).inverseLag, 2);
});

test('options outside their ranges are rejected, on either side [mutation survivors: options.ts && -> || in the range checks]', () => {
  // The range checks read `finite(x) && low && high`; each option gets a value below, above and NaN.
  const bad: [keyof KfacOptions, number[], RegExp][] = [
    ['momentum', [-0.1, 1, 1.5, NaN], /momentum must be in \[0, 1\)/],
    ['emaDecay', [-0.1, 1, 2, NaN], /emaDecay must be in \[0, 1\)/],
    ['dampingDecay', [0, -0.5, 1, 2, NaN], /dampingDecay must be in \(0, 1\)/],
    ['statsFraction', [0, -0.5, 1.5, NaN], /statsFraction must be in \(0, 1\]/],
    ['quadModelFraction', [0, -0.5, 1.5, NaN], /quadModelFraction must be in \(0, 1\]/],
    ['minDamping', [-1, NaN], /minDamping must be >= 0/],
    ['inverseEvery', [0, 1.5], /inverseEvery must be an integer >= 1/],
    ['adaptEvery', [0, 1.5], /adaptEvery must be an integer >= 1/],
    ['subsetMinRows', [0, 1.5], /subsetMinRows must be an integer >= 1/],
  ];
  for (const [key, values, message] of bad) {
    for (const v of values) assert.throws(() => resolveKfacOptions({ [key]: v }), (e: Error) => e instanceof RangeError && message.test(e.message), `${key} ${v}`);
  }
  assert.throws(() => resolveKfacOptions({ minDamping: 2, maxDamping: 1 }), /maxDamping must be >= minDamping/);
  for (const v of [0.001, 0.5, 0.999]) {
    for (const key of ['momentum', 'emaDecay', 'dampingDecay', 'statsFraction', 'quadModelFraction'] as const) assert.equal(resolveKfacOptions({ [key]: v })[key], v, `${key} ${v}`);
  }
  assert.equal(resolveKfacOptions({ momentum: 0, emaDecay: 0, statsFraction: 1, quadModelFraction: 1 }).statsFraction, 1);
});

test('needs ask for a statistics subset only when statsFraction < 1, and a minimum of rows only when it is > 1 [mutation survivors: kfac.ts < -> <=, > -> >=]', () => {
  // The declaration the training loop reads: a fraction of 1 or a minimum of 1 row would be no-ops
  // there, but the transform declares exactly what its options ask for.
  assert.equal(kfac(fixed).needs.layerStatsFraction, undefined);
  assert.equal(kfac(fixed).needs.subsetMinRows, undefined);
  const half = kfac({ ...fixed, statsFraction: 0.5 }).needs;
  assert.equal(half.layerStatsFraction, 0.5);
  assert.equal(half.subsetMinRows, undefined);
  assert.equal(kfac({ ...fixed, statsFraction: 0.5, subsetMinRows: 2 }).needs.subsetMinRows, 2);
  assert.equal(kfac({ ...fixed, subsetMinRows: 2 }).needs.subsetMinRows, undefined, 'no subset, no minimum');
});

test('timing: each phase reports the clock time it took, from 0 (a frozen clock gives 0 everywhere) [mutation survivor: kfac.ts ?? 0 -> ?? 1]', () => {
  const clock = mock.method(performance, 'now', () => 1234.5);
  try {
    const p = layersProblem(2);
    const tx = kfac({ ...fixed, asyncInverses: false, timing: true });
    const r = tx.update(p.grads, tx.init(p.params), p.params, { layerStats: p.taps, stats: true });
    const phases = Object.entries(r.stats!).filter(([k]) => k.startsWith('time_'));
    assert.ok(phases.length >= 2, `timing phases: ${phases.map(([k]) => k).join(', ')}`);
    for (const [k, v] of phases) assert.equal(v, 0, k);
    tf.dispose(Object.values(r.updates));
    disposeState(r.state);
    p.dispose();
  } finally {
    clock.mock.restore();
  }
});

test('A_cond and G_cond are the same (max + d) / (min + d) with exact (eigen) and Cholesky inverses [mutation survivor: inverses.ts gCond / -> *]', () => {
  const conds = [true, false].map((exactInverses) => {
    const p = layersProblem(1);
    const tx = kfac({ ...fixed, damping: 0.3, asyncInverses: false, exactInverses });
    const r = tx.update(p.grads, tx.init(p.params), p.params, { layerStats: p.taps, stats: true });
    const s = r.stats!;
    const out = [s['A_cond/l0'], s['G_cond/l0']];
    tf.dispose(Object.values(r.updates));
    disposeState(r.state);
    p.dispose();
    return out;
  });
  for (const [i, name] of ['A_cond', 'G_cond'].entries()) {
    const [eigen, chol] = [conds[0][i], conds[1][i]];
    assert.ok(eigen > 1 && Math.abs(eigen - chol) < 1e-4 * chol, `${name}: eigen ${eigen} vs Cholesky ${chol}`);
  }
});
