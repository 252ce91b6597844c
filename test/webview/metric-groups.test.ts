import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { autoLogY, isScaleLike } from '../../webview/src/model/axis-scale.js';
import { chosenLayer, drawnMetrics, isInternalMetric, layoutMetrics, splitInternal, type ChartSlot } from '../../webview/src/model/metric-groups.js';
import { LM_THRESHOLDS, rangeWithLines, referenceLines } from '../../webview/src/model/reference-lines.js';
import type { Extent } from '../../webview/src/model/series-store.js';

const ext = (min: number, max: number): Extent => ({ min, max, minPositive: min > 0 ? min : Infinity, finite: 2 });
const slotNames = (slots: ChartSlot[]) => slots.map((s) => (s.kind === 'metric' ? s.metric : `${s.family.id}[${s.family.layers.join(',')}]`));

/** What a K-FAC run streams: results, first-order norms, K-FAC scalars and per-layer factor stats. */
const KFAC_KEYS = [
  'loss',
  'accuracy',
  'learningRate',
  'testLoss',
  'grad/global_norm',
  'update/global_norm',
  'kfac/rho',
  'kfac/inverse_ms',
  'kfac/damping',
  'kfac/mu',
  'kfac/alpha',
  'kfac/qmodel_change',
  ...['dense_10', 'dense_2', 'dense_1'].flatMap((l) => [`kfac/A_trace/${l}`, `kfac/G_cond/${l}`]),
  'ngd/residual',
  'ngd/cg_iterations',
  'ngd/gram_lambda_min',
];

describe('dashboard metric groups', () => {
  test('results stay in the main grid in their given order; chain stats go to internals', () => {
    const layout = layoutMetrics(KFAC_KEYS);
    assert.deepEqual(layout.main, ['loss', 'accuracy', 'learningRate', 'testLoss']);
    assert.deepEqual(
      layout.internals.map((g) => g.prefix),
      ['kfac', 'ngd', 'grad', 'update'],
      'curvature chains first, then the rest alphabetically',
    );
  });

  test('K-FAC scalars in reading order, then one slot per per-layer stat with its layers in natural order', () => {
    const kfac = layoutMetrics(KFAC_KEYS).internals[0];
    assert.deepEqual(slotNames(kfac.slots), [
      'kfac/damping',
      'kfac/rho',
      'kfac/alpha',
      'kfac/mu',
      'kfac/qmodel_change',
      'kfac/inverse_ms',
      'kfac/A_trace[dense_1,dense_2,dense_10]',
      'kfac/G_cond[dense_1,dense_2,dense_10]',
    ]);
  });

  test('40 layers are 2 chart slots, not 80 charts; only the chosen layer of each is drawn', () => {
    const layers = Array.from({ length: 40 }, (_, i) => `layer${i}`);
    const keys = ['loss', ...layers.flatMap((l) => [`kfac/A_trace/${l}`, `kfac/G_trace/${l}`])];
    const layout = layoutMetrics(keys);
    assert.equal(layout.internals[0].slots.length, 2);
    assert.deepEqual(drawnMetrics(layout, { 'kfac/G_trace': 'layer7' }), ['loss', 'kfac/A_trace/layer0', 'kfac/G_trace/layer7']);
    assert.deepEqual(drawnMetrics(layout, { 'kfac/G_trace': 'gone' }), ['loss', 'kfac/A_trace/layer0', 'kfac/G_trace/layer0'], 'a saved layer that no longer exists falls back to the first');
  });

  test('layer names may contain slashes (parameter paths)', () => {
    assert.deepEqual(splitInternal('kfac/A_trace/block1/dense/kernel'), { prefix: 'kfac', stat: 'A_trace', layer: 'block1/dense/kernel' });
    assert.deepEqual(splitInternal('kfac/damping'), { prefix: 'kfac', stat: 'damping' });
    const fam = layoutMetrics(['kfac/A_trace/block1/dense', 'kfac/A_trace/block0/dense']).internals[0].slots[0];
    assert.equal(fam.kind, 'family');
    if (fam.kind === 'family') assert.equal(chosenLayer(fam.family, undefined), 'block0/dense');
  });

  test('keys without a prefix, or with an empty one, are results', () => {
    assert.equal(isInternalMetric('loss'), false);
    assert.equal(isInternalMetric('/loss'), false);
    assert.equal(isInternalMetric('loss/'), false);
    assert.equal(isInternalMetric('grad/global_norm'), true);
    assert.deepEqual(layoutMetrics(['loss', 'testAccuracy']).internals, []);
  });
});

describe('optimizer-internals axes', () => {
  test('damping, condition numbers, traces and eigenvalue bounds are log when positive and spanning a decade', () => {
    for (const k of ['kfac/damping', 'kfac/G_cond/dense_1', 'kfac/A_trace/dense_1', 'ngd/gram_lambda_min', 'kfc/eig_max/conv1']) {
      assert.equal(isScaleLike(k), true, k);
      assert.equal(autoLogY(k, [ext(0.01, 0.9)]), true, `${k}: two decades`);
      assert.equal(autoLogY(k, [ext(0.5, 0.9)]), false, `${k}: within a decade a log axis would have one label`);
    }
    assert.equal(autoLogY('kfac/damping', [ext(0, 1)]), false, 'a zero would vanish');
    assert.equal(autoLogY('kfac/damping', []), false, 'no data yet');
  });

  test('other stats keep their linear axes (names are matched on the stat, not on substrings of words)', () => {
    for (const k of ['kfac/rho', 'kfac/alpha', 'kfac/mu', 'kfac/qmodel_change', 'kfac/inverse_seconds', 'grad/weight_norm', 'ngd/cg_iterations']) {
      assert.equal(isScaleLike(k), false, k);
      assert.equal(autoLogY(k, [ext(1e-4, 10)]), false, k);
    }
    assert.equal(isScaleLike('kfac/A_trace/second_layer'), true, 'the layer name does not matter');
    assert.equal(isScaleLike('kfac/inverse_ms/cond_layer'), false, 'nor when it looks like a stat');
  });

  test('rho gets the Levenberg-Marquardt thresholds 1/4 and 3/4; nothing else does', () => {
    assert.deepEqual(referenceLines('kfac/rho').map((l) => l.value), [0.25, 0.75]);
    assert.deepEqual(referenceLines('rho').map((l) => l.value), [0.25, 0.75]);
    assert.deepEqual(referenceLines('kfc/reduction_rho').map((l) => l.value), [0.25, 0.75]);
    assert.deepEqual(referenceLines('kfac/rhos'), []);
    assert.deepEqual(referenceLines('kfac/damping'), []);
    assert.deepEqual(referenceLines('throw_rho_x'), []);
  });

  test('a y range stretches to show both thresholds', () => {
    assert.deepEqual(rangeWithLines(0.9, 1.1, LM_THRESHOLDS), [0.25, 1.1]);
    assert.deepEqual(rangeWithLines(-3, 0.5, LM_THRESHOLDS), [-3, 0.75]);
    assert.deepEqual(rangeWithLines(0, 1, LM_THRESHOLDS), [0, 1]);
  });
});
