// Initializers: determinism for a seed, the documented distributions, Martens' sparse
// initialization, and the deliberately poor ones.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initValues, makeModel, paramRng, parseInit, type InitSpec, type Model } from '../../../engine/src/models';
import { useBackend } from './helpers';

before(() => useBackend('cpu'));

function draw(init: InitSpec, shape: number[], seed = 1): Float32Array {
  return initValues(parseInit(init), shape, paramRng(seed, 0));
}

function moments(v: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    s += v[i];
    s2 += v[i] * v[i];
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min, max };
}

function snapshot(m: Model, seed: number): Record<string, number[]> {
  const p = m.init(seed);
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(p)) out[k] = Array.from(t.dataSync());
  tf.dispose(Object.values(p));
  return out;
}

describe('determinism', () => {
  const models: [string, () => Model][] = [
    ['mlp', () => makeModel({ type: 'mlp', widths: [16, 8] }, { inputShape: [10], outputSize: 3 })],
    ['cnn', () => makeModel({ type: 'cnn' }, { inputShape: [8, 8, 1], outputSize: 10 })],
    ['relu2', () => makeModel({ type: 'relu2', width: 32 }, { inputShape: [4] })],
    ['autoencoder (sparse)', () => makeModel({ type: 'autoencoder', init: 'sparse' }, { inputShape: [64] })],
  ];
  for (const [name, make] of models) {
    test(`${name}: same seed, same parameters (also from a fresh model); another seed, others`, () => {
      const a = snapshot(make(), 7);
      const b = snapshot(make(), 7);
      assert.deepEqual(a, b);
      const c = snapshot(make(), 8);
      for (const k of Object.keys(a)) {
        if (a[k].every((v) => v === 0)) continue; // biases
        assert.notDeepEqual(c[k], a[k], `${k} changes with the seed`);
      }
    });
  }

  test('each layer draws from its own stream: equal shapes do not get equal weights', () => {
    const m = makeModel({ type: 'mlp', widths: [6, 6], task: 'regression' }, { inputShape: [6], outputSize: 6 });
    const s = snapshot(m, 3);
    assert.notDeepEqual(s['dense1/w'], s['dense2/w']);
    assert.notDeepEqual(s['dense2/w'], s['output/w']);
    assert.ok(s['dense1/b'].every((v) => v === 0), 'biases start at 0');
  });
});

describe('distributions', () => {
  const shape = [400, 300];
  const within = (got: number, want: number, rel: number, what: string) => assert.ok(Math.abs(got - want) <= rel * want, `${what}: ${got} vs ${want}`);

  test('glorot/xavier uniform and normal, he normal/uniform, lecun normal: the documented scales', () => {
    const [fi, fo] = shape;
    const gu = moments(draw('glorot-uniform', shape));
    const lim = Math.sqrt(6 / (fi + fo));
    assert.ok(gu.max <= lim && gu.min >= -lim, 'glorot-uniform within its limit');
    within(gu.max, lim, 0.01, 'glorot-uniform reaches its limit');
    within(gu.std, lim / Math.sqrt(3), 0.02, 'glorot-uniform std');
    assert.deepEqual(draw('xavier-uniform', shape), draw('glorot-uniform', shape), 'xavier-uniform is an alias');
    within(moments(draw('glorot-normal', shape)).std, Math.sqrt(2 / (fi + fo)), 0.02, 'glorot-normal std');
    assert.deepEqual(draw('xavier-normal', shape), draw('glorot-normal', shape));
    within(moments(draw('he-normal', shape)).std, Math.sqrt(2 / fi), 0.02, 'he-normal std');
    within(moments(draw('he-uniform', shape)).max, Math.sqrt(6 / fi), 0.01, 'he-uniform limit');
    within(moments(draw('lecun-normal', shape)).std, Math.sqrt(1 / fi), 0.02, 'lecun-normal std');
    within(moments(draw('normal(0.3)', shape)).std, 0.3, 0.02, 'normal(0.3) std');
    within(moments(draw({ type: 'uniform', limit: 0.2 }, shape)).max, 0.2, 0.01, 'uniform limit');
    for (const name of ['glorot-normal', 'he-normal', 'lecun-normal']) assert.ok(Math.abs(moments(draw(name, shape)).mean) < 0.002, `${name} mean 0`);
  });

  test('conv filters use fanIn = kh*kw*cin', () => {
    within(moments(draw('he-normal', [5, 5, 16, 32])).std, Math.sqrt(2 / (5 * 5 * 16)), 0.03, 'he-normal on a conv filter');
    within(moments(draw('glorot-uniform', [3, 3, 32, 64])).max, Math.sqrt(6 / (9 * 32 + 9 * 64)), 0.01, 'glorot-uniform on a conv filter');
  });

  test("sparse (Martens 2010): exactly k nonzero N(0, 1) incoming weights per unit, all of them when fanIn <= k", () => {
    const [fi, units] = [100, 60];
    const w = draw('sparse', [fi, units]);
    const nonzero: number[] = [];
    for (let j = 0; j < units; j++) {
      let c = 0;
      for (let i = 0; i < fi; i++) if (w[i * units + j] !== 0) c++;
      nonzero.push(c);
    }
    assert.ok(nonzero.every((c) => c === 15), `15 per unit: ${nonzero.join(',')}`);
    const nz = moments(Array.from(w).filter((v) => v !== 0));
    assert.ok(Math.abs(nz.mean) < 0.12 && Math.abs(nz.std - 1) < 0.08, `nonzeros ~ N(0, 1): mean ${nz.mean}, std ${nz.std}`);
    // The chosen inputs differ between units (not the same 15 rows for all).
    const rowsOf = (j: number) => Array.from({ length: fi }, (_, i) => i).filter((i) => w[i * units + j] !== 0).join(',');
    assert.notEqual(rowsOf(0), rowsOf(1));

    const small = draw('sparse(15)', [8, 5]);
    assert.ok(small.every((v) => v !== 0), 'fanIn 8 <= 15: every incoming weight drawn');
    const k4 = draw({ type: 'sparse', k: 4, scale: 0.5 }, [3, 3, 2, 5]);
    for (let c = 0; c < 5; c++) {
      let n = 0;
      for (let i = 0; i < 18; i++) if (k4[i * 5 + c] !== 0) n++;
      assert.equal(n, 4, `conv output channel ${c} has 4 nonzero incoming weights`);
    }
    // In a model: the autoencoder's encoder1 [64, 32] has 15 per unit, decoder1 (fanIn 8) all.
    const m = makeModel({ type: 'autoencoder', init: 'sparse' }, { inputShape: [64] });
    const s = snapshot(m, 0);
    assert.equal(s['encoder1/w'].filter((v) => v !== 0).length, 15 * 32);
    assert.equal(s['decoder1/w'].filter((v) => v !== 0).length, 8 * 32);
  });

  test('poor initializers: zeros, all-equal, scaled(0.01) tiny and scaled(10) huge', () => {
    assert.ok(draw('zeros', [5, 4]).every((v) => v === 0));
    assert.ok(draw('equal', [25, 4]).every((v) => v === Math.fround(1 / 5)), 'equal: 1/sqrt(fanIn) everywhere');
    assert.ok(draw('equal(-0.3)', [3, 4]).every((v) => v === Math.fround(-0.3)));
    const base = draw('glorot-uniform', [20, 10], 5);
    const tiny = draw('scaled(0.01)', [20, 10], 5); // the default base is the model's default, glorot-uniform here
    assert.deepEqual(Array.from(tiny), Array.from(base, (v) => Math.fround(v * 0.01)));
    const huge = draw({ type: 'scaled', factor: 10, base: 'he-normal' }, [20, 10], 5);
    assert.deepEqual(Array.from(huge), Array.from(draw('he-normal', [20, 10], 5), (v) => Math.fround(v * 10)));
    // Through a model: 'scaled' multiplies the model's default initializer (he-normal for a cnn).
    const cnn = (init?: string) => makeModel(init ? { type: 'cnn', init } : { type: 'cnn' }, { inputShape: [8, 8, 1], outputSize: 2 });
    const a = snapshot(cnn(), 2)['conv1/w'];
    const b = snapshot(cnn('scaled(10)'), 2)['conv1/w'];
    assert.deepEqual(b, a.map((v) => Math.fround(v * 10)));
    const eq = snapshot(makeModel({ type: 'mlp', widths: [4], init: 'equal' }, { inputShape: [4], outputSize: 2 }), 0);
    assert.ok(eq['dense1/w'].every((v) => v === 0.5), 'every hidden unit identical: the symmetry never breaks');
  });

  test('spec parsing', () => {
    assert.deepEqual(parseInit('sparse'), { type: 'sparse', k: 15, scale: 1 });
    assert.deepEqual(parseInit(' sparse( 20 ) '), { type: 'sparse', k: 20, scale: 1 });
    assert.deepEqual(parseInit('Scaled(0.01)'), { type: 'scaled', factor: 0.01, base: undefined });
    assert.deepEqual(parseInit({ type: 'scaled', factor: 2, base: 'xavier-normal' }), { type: 'scaled', factor: 2, base: { type: 'glorot-normal' } });
    assert.throws(() => parseInit('he-normal(2)'), /he-normal takes no argument/);
    assert.throws(() => parseInit('sparse(1.5)'), /k must be an integer/);
    assert.throws(() => parseInit('normal'), /needs std/);
    assert.throws(() => parseInit('scaled(-1)'), /factor must be > 0/);
    assert.throws(() => parseInit({ type: 'scaled', factor: 2, base: 'scaled(3)' }), /base must not itself be scaled/);
    assert.throws(() => parseInit(3 as unknown as string), /initializer must be a name/);
  });
});
