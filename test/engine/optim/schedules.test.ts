// Learning-rate schedules: values at chosen steps, written out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedules } from '../../../engine/src/optim';

const { constant, linear, linearWarmup, cosineDecay, piecewiseConstant, linearScaling, join, warmupCosineDecay, scaled } = schedules;

function assertValues(s: (k: number) => number, expected: Record<number, number>, what: string): void {
  for (const [k, v] of Object.entries(expected)) {
    const got = s(Number(k));
    assert.ok(Math.abs(got - v) <= 1e-12 * (1 + Math.abs(v)), `${what} at step ${k}: got ${got}, expected ${v}`);
  }
}

test('constant', () => {
  assertValues(constant(0.3), { 0: 0.3, 1: 0.3, 100000: 0.3 }, 'constant');
  assert.throws(() => constant(NaN), /finite/);
});

test('linear and linear warmup', () => {
  // 1 -> 0 over 4 steps: 1, 0.75, 0.5, 0.25, 0, then 0
  assertValues(linear(1, 0, 4), { 0: 1, 1: 0.75, 2: 0.5, 3: 0.25, 4: 0, 9: 0 }, 'linear');
  // warmup to 0.1 over 5 steps from 0: 0, 0.02, 0.04, 0.06, 0.08, 0.1, then 0.1
  assertValues(linearWarmup(0.1, 5), { 0: 0, 1: 0.02, 2: 0.04, 3: 0.06, 4: 0.08, 5: 0.1, 50: 0.1 }, 'warmup');
  // from 0.01: 0.01 + 0.09 k / 5
  assertValues(linearWarmup(0.1, 5, 0.01), { 0: 0.01, 1: 0.028, 4: 0.082, 5: 0.1 }, 'warmup from 0.01');
  assertValues(linearWarmup(0.1, 0), { 0: 0.1, 3: 0.1 }, 'no warmup');
  assert.throws(() => linear(1, 0, -1), /transition steps must be an integer >= 0/);
});

test('cosine decay', () => {
  // init 1 over 10 steps: (1 + cos(pi k / 10)) / 2
  assertValues(cosineDecay(1, 10), { 0: 1, 2: 0.5 * (1 + Math.cos(0.2 * Math.PI)), 5: 0.5, 10: 0, 20: 0 }, 'cosine');
  assert.ok(Math.abs(cosineDecay(1, 10)(2) - 0.9045084971874737) < 1e-15);
  // alpha 0.1: 0.9 (1 + cos) / 2 + 0.1, times init 2
  assertValues(cosineDecay(2, 10, 0.1), { 0: 2, 5: 2 * (0.9 * 0.5 + 0.1), 10: 0.2, 11: 0.2 }, 'cosine alpha');
  assert.throws(() => cosineDecay(1, 0), /cosine decay steps must be an integer > 0/);
  assert.throws(() => cosineDecay(1, 10, 2), /alpha must be in \[0, 1\]/);
});

test('piecewise constant', () => {
  // [0, 3): 1; [3, 6): 0.1; [6, inf): 0.01
  const s = piecewiseConstant([3, 6], [1, 0.1, 0.01]);
  assertValues(s, { 0: 1, 2: 1, 3: 0.1, 5: 0.1, 6: 0.01, 1000: 0.01 }, 'piecewise');
  assertValues(piecewiseConstant([], [0.5]), { 0: 0.5, 7: 0.5 }, 'one piece');
  assert.throws(() => piecewiseConstant([3], [1]), /one more value than boundaries/);
  assert.throws(() => piecewiseConstant([3, 3], [1, 2, 3]), /strictly increasing/);
});

test('linear scaling with batch size: lr = base * B / B0', () => {
  assertValues(linearScaling(0.1, 256, 32), { 0: 0.8, 99: 0.8 }, 'constant base'); // 0.1 * 256 / 32
  assertValues(linearScaling(cosineDecay(0.1, 10), 64, 128), { 0: 0.05, 5: 0.025, 10: 0 }, 'scheduled base');
  assert.throws(() => linearScaling(0.1, 0, 32), /batch size must be > 0/);
});

test('composition: join restarts each schedule count; warmup then cosine', () => {
  // constant 1 for 3 steps, then linear 2 -> 0 over 4 steps counted from step 3
  const j = join([constant(1), linear(2, 0, 4)], [3]);
  assertValues(j, { 0: 1, 2: 1, 3: 2, 4: 1.5, 5: 1, 7: 0, 10: 0 }, 'join');
  // warmup 0 -> 1 over 2 steps, then cosine to 0.1 reaching it at step 6 (4 cosine steps):
  // 0, 0.5, 1, 0.9 (1 + cos(pi/4)) / 2 + 0.1, 0.55, 0.9 (1 + cos(3 pi/4)) / 2 + 0.1, 0.1
  const w = warmupCosineDecay({ peak: 1, warmupSteps: 2, totalSteps: 6, end: 0.1 });
  assertValues(w, {
    0: 0,
    1: 0.5,
    2: 1,
    3: 0.45 * (1 + Math.SQRT1_2) + 0.1,
    4: 0.55,
    5: 0.45 * (1 - Math.SQRT1_2) + 0.1,
    6: 0.1,
    100: 0.1,
  }, 'warmup cosine');
  assertValues(scaled(w, 3), { 1: 1.5, 4: 1.65 }, 'scaled');
  assert.throws(() => warmupCosineDecay({ peak: 1, warmupSteps: 5, totalSteps: 5 }), /total steps \(5\) must be an integer > warmup steps \(5\)/);
});

test('schedules are pure functions of the step (any call order)', () => {
  const s = warmupCosineDecay({ peak: 0.3, warmupSteps: 10, totalSteps: 100 });
  const forward = Array.from({ length: 120 }, (_, k) => s(k));
  const backward = Array.from({ length: 120 }, (_, k) => s(119 - k)).reverse();
  assert.deepEqual(forward, backward);
});
