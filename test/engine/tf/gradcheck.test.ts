// The gradcheck suite (engine/src/tf/gradcheck.ts): every op the engine differentiates, first
// order against central differences and second order (Hessian-vector products by double backprop)
// against differences of the gradient, on every backend present. Then the proof that the suite can
// fail: the same checks with the stock tfjs gradients find the second-order defects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKEND_PACKAGES, BackendUnavailableError, initBackend, nodeModuleLoader, type BackendName } from '../../../engine/src/tf/backend';
import { formatGradcheckTable, gradcheckCases, resultOk, runGradcheck, type GradcheckResult } from '../../../engine/src/tf/gradcheck';
import { gradientFixesActive, withStockGradients } from '../../../engine/src/tf/gradients';

const CASES = gradcheckCases();
const BACKENDS = ['cuda', 'tensorflow', 'wasm', 'cpu'] as const;
const results = new Map<BackendName, GradcheckResult[]>();
const absent = new Map<BackendName, string>();

// Runs the whole suite once per backend present (a few seconds in all); the tests below read it.
before(async () => {
  for (const backend of BACKENDS) {
    let tf;
    try {
      tf = (await initBackend(backend)).tf;
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
      absent.set(backend, err.detail.reason);
      continue;
    }
    assert.ok(gradientFixesActive(tf));
    results.set(backend, runGradcheck(tf, CASES));
  }
});

after(() => {
  const all = [...results.values()].flat();
  if (all.length) console.log(`\ngradcheck: max relative error per op (1st: gradient vs finite differences; 2nd: Hessian-vector product vs differences of the gradient)\n${formatGradcheckTable(all)}\n`);
});

test('cpu and wasm are among the backends checked', () => {
  assert.ok(results.has('cpu') && results.has('wasm'), `checked: ${[...results.keys()].join(', ')}`);
});

const loader = nodeModuleLoader(__filename);
for (const backend of BACKENDS) {
  if (backend !== 'cpu' && loader.resolve(BACKEND_PACKAGES[backend]) === undefined) {
    test(`gradcheck on ${backend}`, { skip: `${BACKEND_PACKAGES[backend]} is not installed` }, () => {});
    continue;
  }
  describe(`gradcheck on ${backend}`, () => {
    for (const c of CASES) {
      test(c.name, (t) => {
        const rs = results.get(backend);
        if (!rs) {
          t.skip(`${backend}: ${absent.get(backend) ?? 'unavailable'}`);
          return;
        }
        const r = rs.find((x) => x.name === c.name)!;
        const detail = JSON.stringify({ first: r.first, second: r.second });
        if (r.knownBrokenFirstOrder) {
          // A stock tfjs kernel with a wrong first-order gradient on this backend (documented).
          assert.equal(r.first.status, 'fail', `expected the known tfjs defect (${r.knownBrokenFirstOrder}): ${detail}`);
          assert.ok(resultOk(r));
          return;
        }
        assert.ok(r.first.status === 'pass' || r.first.status === 'unsupported', `first order: ${detail}`);
        if (r.first.status === 'unsupported') {
          // Only the native conv2d on a backend without Conv2DBackpropFilter (wasm) may be unsupported.
          assert.match(r.first.message!, /Conv2DBackpropFilter/);
          assert.ok(c.name.includes('(native)'), detail);
          return;
        }
        if (c.knownBrokenSecondOrder) {
          // A stock customGrad op: documents the tfjs defect (the engine uses its own forms).
          assert.ok(r.second.status === 'fail' || r.second.status === 'error', `expected the known tfjs defect: ${detail}`);
          return;
        }
        assert.equal(r.second.status, c.firstOrderOnly ? 'skipped' : 'pass', `second order: ${detail}`);
        assert.ok(resultOk(r));
      });
    }
  });
}

describe('without the fixes the suite fails (stock tfjs gradients)', () => {
  test('on cpu and wasm: errors and silently wrong second derivatives, all caught; the fixes repair them', async () => {
    const names = ['tanh', 'tanh(x)*x', 'softmax', 'elu', 'exp', 'norm then tanh', 'leakyRelu', 'max(axis)', 'conv2d same (native)', 'MLP tanh + softmax CE', 'tf.losses.sigmoidCrossEntropy (stock)'];
    for (const backend of ['cpu', 'wasm'] as const) {
      const { tf } = await initBackend(backend);
      const stock = withStockGradients(tf, () => runGradcheck(tf, CASES, { only: names }));
      const by = (n: string) => stock.find((r) => r.name === n)!;
      // Where the output clone is the only path the outer gradient sees nothing: H v = 0, error 1...
      for (const n of ['tanh', 'softmax', 'elu', 'exp']) assert.ok(by(n).second.status === 'fail' && by(n).second.error! > 0.5, `${n}: ${JSON.stringify(by(n).second)}`);
      // ...and where another path exists, a silently wrong number.
      assert.ok(by('tanh(x)*x').second.error! > 0.1, `stock tanh(x)*x: ${JSON.stringify(by('tanh(x)*x').second)}`);
      assert.ok(by('norm then tanh').second.error! > 0.1);
      assert.ok(by('tf.losses.sigmoidCrossEntropy (stock)').second.error! > 0.5);
      // Missing gradients of comparison ops and of Conv2DBackpropFilter.
      assert.equal(by('leakyRelu').second.status, 'error');
      assert.match(by('leakyRelu').second.message!, /gradient function not found for Greater/);
      assert.match(by('max(axis)').second.message!, /gradient function not found for Equal/);
      assert.match(by('MLP tanh + softmax CE').second.message!, /gradient function not found/);
      if (backend === 'cpu') assert.match(by('conv2d same (native)').second.message!, /gradient function not found for Conv2DBackpropFilter/);
      // First order is right either way.
      for (const r of stock) assert.ok(r.first.status === 'pass' || r.first.status === 'unsupported', `${r.name}: ${JSON.stringify(r.first)}`);
      const brokenWithStock = stock.filter((r) => !resultOk(r)).map((r) => r.name);
      assert.ok(brokenWithStock.length >= 10, `stock: ${brokenWithStock.join(', ')}`);

      assert.ok(gradientFixesActive(tf), 'the fixes are back after withStockGradients');
      const fixed = runGradcheck(tf, CASES, { only: names });
      assert.deepEqual(fixed.filter((r) => !resultOk(r)).map((r) => r.name), []);
    }
  });
});
