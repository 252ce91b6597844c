// Optimizer state as data: serialize / deserialize round trips (a resumed run continues bit for
// bit), malformed input, disposal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  adamw,
  deserializeState,
  disposeState,
  makeOptimizer,
  serializeState,
  stateTensors,
  schedules,
  takeStep,
  type Optimizer,
  type Params,
  type State,
} from '../../../engine/src/optim';

/** Seeded gradients of a small quadratic at step k: g = 0.5 x + noise. */
function gradsAt(params: Params, k: number): Params {
  return tf.tidy(() =>
    Object.fromEntries(
      Object.entries(params).map(([name, p], i) => [name, tf.add(tf.mul(p, 0.5), tf.randomNormal(p.shape, 0, 1, 'float32', 1000 * (i + 1) + k))]),
    ),
  );
}

function steps(tx: Optimizer, params: Params, state: State, from: number, to: number): { params: Params; state: State } {
  for (let k = from; k < to; k++) {
    const g = gradsAt(params, k);
    const r = takeStep(tx, params, state, g);
    tf.dispose([...Object.values(g), ...Object.values(params)]);
    params = r.params;
    state = r.state;
  }
  return { params, state };
}

const read = (p: Params) => Object.fromEntries(Object.entries(p).map(([k, t]) => [k, Array.from(t.dataSync())]));

test('serialize -> JSON -> deserialize continues a run identically', () => {
  // AdamW with clipping, a warmup-cosine schedule and an EMA: every kind of state (counts, moments, EMA params).
  const make = () =>
    adamw(schedules.warmupCosineDecay({ peak: 0.05, warmupSteps: 2, totalSteps: 8 }), 0.9, 0.99, 1e-6, 0.01, { clipNorm: 2, ema: 0.9 });
  const init = (): Params => ({ w: tf.tensor2d([[1, -2, 0.5], [0.25, 3, -1]]), b: tf.tensor1d([0.1, -0.1, 2]) });

  const straight = make();
  const p0 = init();
  const full = steps(straight, p0, straight.init(p0), 0, 6);

  // Interrupted after 3 steps: checkpoint (through a JSON string), drop everything, restore into a new optimizer.
  const first = make();
  const q0 = init();
  const half = steps(first, q0, first.init(q0), 0, 3);
  const checkpoint = JSON.stringify({ params: serializeState(half.params), state: serializeState(half.state) });
  disposeState(half.state);
  disposeState(half.params);
  const loaded = JSON.parse(checkpoint) as { params: unknown; state: unknown };
  const second = make();
  const resumed = steps(second, deserializeState<Params>(loaded.params), deserializeState(loaded.state), 3, 6);

  assert.deepEqual(read(resumed.params), read(full.params)); // bit for bit
  assert.deepEqual(serializeState(resumed.state), serializeState(full.state));
  assert.deepEqual(read(second.averaged!(resumed.state as never)!), read(straight.averaged!(full.state as never)!));
  // A wrong restore is detected: resuming from the step-0 state does not give the same result.
  const q1 = init();
  const fresh = steps(second, q1, second.init(q1), 3, 6);
  assert.notDeepEqual(read(fresh.params), read(full.params));
  for (const s of [resumed, full, fresh]) {
    disposeState(s.state);
    disposeState(s.params);
  }
});

test('every kind of leaf round-trips: non-finite numbers, int32/bool tensors, Float64Array, nesting', () => {
  const state: State = {
    n: [1.5, NaN, Infinity, -Infinity, -0],
    s: 'text',
    flag: true,
    none: null,
    f: tf.tensor2d([[1e-30, -0], [NaN, Infinity]]),
    i: tf.tensor1d([1, -7, 2 ** 30], 'int32'),
    bools: tf.tensor1d([true, false, true], 'bool'),
    scalar: tf.scalar(0.1),
    host: Float64Array.from([0.1, 1 / 3, -0, NaN, -Infinity, 1e-310]),
    nested: [{ t: tf.tensor3d([[[1], [2]]]) }, []],
  };
  const json = JSON.parse(JSON.stringify(serializeState(state)));
  const back = deserializeState(json) as Record<string, unknown>;
  assert.deepEqual(back.n, [1.5, NaN, Infinity, -Infinity, -0]);
  assert.equal(back.s, 'text');
  assert.equal(back.flag, true);
  assert.equal(back.none, null);
  const f = back.f as tf.Tensor;
  assert.deepEqual(f.shape, [2, 2]);
  assert.deepEqual(Array.from(f.dataSync()), Array.from((state.f as tf.Tensor).dataSync()));
  assert.equal((back.i as tf.Tensor).dtype, 'int32');
  assert.deepEqual(Array.from((back.i as tf.Tensor).dataSync()), [1, -7, 2 ** 30]);
  assert.equal((back.bools as tf.Tensor).dtype, 'bool');
  assert.deepEqual(Array.from((back.bools as tf.Tensor).dataSync()), [1, 0, 1]);
  assert.deepEqual((back.scalar as tf.Tensor).shape, []);
  assert.ok(back.host instanceof Float64Array);
  assert.deepEqual(back.host, state.host); // float64 exactly, -0, NaN and subnormals included
  assert.equal((back.scalar as tf.Tensor).dataSync()[0], Math.fround(0.1));
  assert.deepEqual(((back.nested as State[])[0] as { t: tf.Tensor }).t.shape, [1, 2, 1]);
  assert.equal(stateTensors(back as State).length, 5);
  const before = tf.memory().numTensors;
  disposeState(back as State);
  assert.equal(tf.memory().numTensors, before - 5);
  disposeState(state);
});

test('malformed checkpoints are errors naming the place; nothing leaks', () => {
  const n = tf.memory().numTensors;
  const good = { $tensor: { dtype: 'float32', shape: [2], data: [1, 2] } };
  assert.throws(() => deserializeState({ a: good, b: { $tensor: { dtype: 'float32', shape: [3], data: [1, 2] } } }), /at b: tensor data has 2 values, shape \[3\] needs 3/);
  assert.equal(tf.memory().numTensors, n, 'the tensor made before the error is freed');
  assert.throws(() => deserializeState([{ $tensor: { dtype: 'complex64', shape: [1], data: [1] } }]), /at \[0\]: unsupported tensor dtype "complex64"/);
  assert.throws(() => deserializeState({ x: { $tensor: { dtype: 'float32', shape: [1], data: ['oops'] } } }), /expected a number, got "oops"/);
  assert.throws(() => deserializeState({ $weird: 1 }), /unknown tag "\$weird"/);
  assert.throws(() => serializeState({ $count: 1 }), /starts with "\$"/);
  const t = tf.scalar(1);
  t.dispose();
  assert.throws(() => serializeState({ mu: [t] }), /at mu\[0\]: tensor is disposed/);
});

test('the factory optimizers serialize too (state shapes are plain data)', () => {
  const tx = makeOptimizer({ type: 'rmsprop', learningRate: 0.01, momentum: 0.9, ema: 0.99, schedule: { warmupSteps: 3 } });
  const p0: Params = { w: tf.ones([2, 2]) };
  const s = steps(tx, p0, tx.init(p0), 0, 2);
  const json = serializeState(s.state);
  assert.doesNotThrow(() => JSON.stringify(json));
  // [grad norm, rms {nu}, momentum {trace}, lr {count}, update norm, ema {ema}]
  assert.deepEqual((json as unknown[]).map((x) => (x && typeof x === 'object' ? Object.keys(x) : x)), [null, ['nu'], ['trace'], ['count'], null, ['ema']]);
  assert.equal((json as { count: number }[])[3].count, 2);
  const back = deserializeState(json);
  assert.deepEqual(serializeState(back), json);
  disposeState(back);
  disposeState(s.state);
  disposeState(s.params);
});
