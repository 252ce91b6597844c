// The gradient corrections (engine/src/tf/gradients.ts): registration is idempotent and
// reversible, first-order gradients are unchanged, the matmul gradient gives the stock numbers
// (and works for broadcast batches), and the stock second-order defects are really fixed.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import { initBackend, type Tf } from '../../../engine/src/tf/backend';
import {
  gradientFixesActive,
  registerGradientFixes,
  REPLACED_GRADIENTS,
  unregisterGradientFixes,
  withStockGradients,
  ZERO_GRADIENTS,
} from '../../../engine/src/tf/gradients';
import { Rng } from '../../../engine/src/util/random';

let tf: Tf;
const BACKENDS = ['cpu', 'wasm'] as const;

before(async () => {
  tf = (await initBackend('cpu')).tf;
});

function values(rng: Rng, n: number, lo = -2, hi = 2): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** Gradients of sum(w * f(xs)) as plain arrays. */
function grads(f: (...xs: Tensor[]) => Tensor, xs: Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const w = tf.randomUniform(f(...xs).shape, -1, 1, 'float32', 3);
    return tf.grads((...a: Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs);
  }).map((g) => {
    const d = g.dataSync() as Float32Array;
    g.dispose();
    return d;
  });
}

describe('registration', () => {
  test('registerGradientFixes is idempotent and unregisterGradientFixes restores the stock registry', () => {
    registerGradientFixes(tf);
    assert.ok(gradientFixesActive(tf));
    const ours = tf.getGradient('Tanh');
    const again = registerGradientFixes(tf);
    assert.deepEqual(again.registered, [], 'a second call registers nothing');
    assert.equal(tf.getGradient('Tanh'), ours);

    unregisterGradientFixes(tf);
    assert.ok(!gradientFixesActive(tf));
    assert.notEqual(tf.getGradient('Tanh'), ours, 'the stock Tanh gradient is back');
    assert.deepEqual(tf.getGradient('Tanh').outputsToSave, [true]);
    assert.equal(tf.getGradient('Greater'), undefined, 'the zero gradients tfjs lacks are removed again');
    assert.equal(tf.getGradient('Conv2DBackpropFilter'), undefined);
    assert.ok(tf.getGradient('GreaterEqual'), 'tfjs\'s own GreaterEqual gradient is untouched');

    const report = registerGradientFixes(tf);
    // tfjs has its own GreaterEqual gradient; the other zero gradients are ours.
    assert.deepEqual(report.keptStock, ['GreaterEqual']);
    assert.deepEqual([...report.registered].sort(), [...REPLACED_GRADIENTS, ...ZERO_GRADIENTS.filter((k) => !report.keptStock.includes(k))].sort());
    assert.ok(gradientFixesActive(tf));
  });

  test('no LogSoftmax kernel gradient is needed: no backend has the kernel and tf.logSoftmax (even differentiated twice) never runs it', async () => {
    // Why gradients.ts registers nothing for 'LogSoftmax' (issue 10: a fix there was dead code).
    assert.ok(!(REPLACED_GRADIENTS as readonly string[]).includes('LogSoftmax'));
    for (const backend of BACKENDS) {
      tf = (await initBackend(backend)).tf;
      assert.equal(tf.getKernel('LogSoftmax', tf.getBackend()), undefined, `${backend} implements LogSoftmax`);
      const x = tf.randomNormal([3, 4], 0, 1, 'float32', 1);
      const f = (z: Tensor) => tf.sum(tf.square(tf.logSoftmax(z)));
      const run = await tf.profile(() => tf.grad((z: Tensor) => tf.sum(tf.square(tf.grad(f)(z))))(x));
      assert.ok(run.kernelNames.length > 0 && !run.kernelNames.includes('LogSoftmax'), `${backend} ran ${run.kernelNames.join(', ')}`);
      tf.dispose([x, run.result as Tensor]);
    }
    tf = (await initBackend('cpu')).tf;
  });

  test('withStockGradients restores the fixes afterwards, even when fn throws', () => {
    registerGradientFixes(tf);
    assert.throws(() => withStockGradients(tf, () => {
      assert.ok(!gradientFixesActive(tf));
      throw new Error('boom');
    }), /boom/);
    assert.ok(gradientFixesActive(tf));
  });
});

for (const backend of BACKENDS) {
  describe(`first-order gradients on ${backend}`, () => {
    before(async () => {
      tf = (await initBackend(backend)).tf;
    });

    test('activations, softmax, pow, max/min, elu: bit-identical to stock tfjs', () => {
      const rng = new Rng(11);
      const x = tf.tensor2d(values(rng, 12), [3, 4]);
      const p = tf.tensor2d(values(rng, 12, 0.5, 2), [3, 4]);
      const e = tf.tensor2d(values(rng, 12, -1, 1), [3, 4]);
      const cases: [string, (...a: Tensor[]) => Tensor, Tensor[]][] = [
        ['tanh', (a) => tf.tanh(a), [x]],
        ['sigmoid', (a) => tf.sigmoid(a), [x]],
        ['exp', (a) => tf.exp(a), [x]],
        ['softmax', (a) => tf.softmax(a), [x]],
        ['elu', (a) => tf.elu(a), [x]],
        ['pow', (a, b) => tf.pow(a, b), [p, e]],
        ['max', (a) => tf.max(a, 1), [x]],
        ['min', (a) => tf.min(a, 0), [x]],
        ['gather', (a) => tf.gather(a, tf.tensor1d([2, 0, 2], 'int32')), [x]],
      ];
      for (const [name, f, xs] of cases) {
        registerGradientFixes(tf);
        const fixed = grads(f, xs);
        const stockGrads = backend === 'wasm' && name === 'gather' ? undefined : withStockGradients(tf, () => grads(f, xs));
        if (!stockGrads) continue; // stock gather has no gradient on wasm (UnsortedSegmentSum)
        fixed.forEach((g, i) => assert.deepEqual(Array.from(g), Array.from(stockGrads[i]), `${name} input ${i}`));
      }
      tf.dispose([x, p, e]);
    });

    test('matMul, every transposed form: the stock numbers (bit-identical for small products)', () => {
      const rng = new Rng(12);
      const shapes: [number[], number[], boolean, boolean][] = [
        [[5, 7], [7, 3], false, false],
        [[7, 5], [7, 3], true, false],
        [[5, 7], [3, 7], false, true],
        [[7, 5], [3, 7], true, true],
        [[2, 5, 7], [2, 7, 3], false, false],
        [[2, 7, 5], [2, 3, 7], true, true],
      ];
      for (const [sa, sb, ta, tb] of shapes) {
        const a = tf.tensor(values(rng, sa.reduce((x, y) => x * y)), sa);
        const b = tf.tensor(values(rng, sb.reduce((x, y) => x * y)), sb);
        const f = (p: Tensor, q: Tensor) => tf.matMul(p, q, ta, tb);
        const fixed = grads(f, [a, b]);
        const stock = withStockGradients(tf, () => grads(f, [a, b]));
        fixed.forEach((g, i) => assert.deepEqual(Array.from(g), Array.from(stock[i]), `[${sa}]x[${sb}] tA=${ta} tB=${tb} input ${i}`));
        tf.dispose([a, b]);
      }
    });

    // [64, 300] x [300, 40] also takes the (dy^T a)^T form of the b gradient (gradients.ts).
    test('matMul at training sizes: the stock numbers to float32 rounding', () => {
      const rng = new Rng(13);
      const a = tf.tensor2d(values(rng, 64 * 300), [64, 300]);
      const b = tf.tensor2d(values(rng, 300 * 40, -0.1, 0.1), [300, 40]);
      const fixed = grads((p, q) => tf.matMul(p, q), [a, b]);
      const stock = withStockGradients(tf, () => grads((p, q) => tf.matMul(p, q), [a, b]));
      fixed.forEach((g, i) => {
        let d = 0;
        let s = 0;
        for (let j = 0; j < g.length; j++) {
          d = Math.max(d, Math.abs(g[j] - stock[i][j]));
          s = Math.max(s, Math.abs(stock[i][j]));
        }
        assert.ok(d <= 4e-6 * s, `input ${i}: max difference ${d} vs scale ${s}`);
      });
      tf.dispose([a, b]);
    });

    test('matMul with a broadcast batch: the fixed gradient has the input shapes (stock tfjs throws)', () => {
      const a = tf.ones([2, 3, 4]);
      const b = tf.ones([4, 5]);
      const [ga, gb] = tf.grads((p: Tensor, q: Tensor) => tf.sum(tf.matMul(p, q)))([a, b]);
      assert.deepEqual(ga.shape, [2, 3, 4]);
      assert.deepEqual(gb.shape, [4, 5]);
      assert.deepEqual(Array.from(gb.dataSync()), new Array(20).fill(6)); // 2 batches x 3 rows
      assert.throws(() => withStockGradients(tf, () => tf.grads((p: Tensor, q: Tensor) => tf.sum(tf.matMul(p, q)))([a, b])), /does not match the shape/);
      // A wide a: the b gradient is formed as (dy^T a)^T, summed over the batch all the same.
      const wide = tf.ones([2, 100, 100]);
      const narrow = tf.ones([100, 32]);
      const [, gn] = tf.grads((p: Tensor, q: Tensor) => tf.sum(tf.matMul(p, q)))([wide, narrow]);
      assert.deepEqual(gn.shape, [100, 32]);
      assert.deepEqual(Array.from(gn.dataSync()), new Array(3200).fill(200)); // 2 batches x 100 rows
      tf.dispose([a, b, ga, gb, wide, narrow, gn]);
    });

    test('third derivative of tanh by triple nesting (the recomputed outputs are differentiable again)', () => {
      const xs = [-1.3, -0.2, 0.4, 1.1];
      const x = tf.tensor1d(xs);
      const d1 = (t: Tensor) => tf.grad((u: Tensor) => tf.sum(tf.tanh(u)))(t);
      const d2 = (t: Tensor) => tf.grad((u: Tensor) => tf.sum(d1(u)))(t);
      const d3 = tf.grad((u: Tensor) => tf.sum(d2(u)))(x);
      const got = Array.from(d3.dataSync());
      xs.forEach((v, i) => {
        const t = Math.tanh(v);
        const want = -2 * (1 - t * t) * (1 - 3 * t * t);
        assert.ok(Math.abs(got[i] - want) < 1e-5, `tanh''' at ${v}: ${got[i]} vs ${want}`);
      });
      tf.dispose([x, d3]);
    });

    test('training-step gradients leave no tensors behind', () => {
      const w = tf.variable(tf.randomNormal([8, 4], 0, 1, 'float32', 1));
      const x = tf.randomNormal([16, 8], 0, 1, 'float32', 2);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) {
        const { value, grads: g } = tf.variableGrads(() => tf.mean(tf.tanh(tf.softmax(tf.matMul(x, w)))) as Scalar);
        tf.dispose([value, ...Object.values(g)]);
      }
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([w, x]);
    });
  });
}
