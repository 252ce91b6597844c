import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { METRIC_DECLARATIONS, metricMeta, LM_THRESHOLDS } from '../../../engine/src/protocol/metric-catalog';
import { inferMetricMeta } from '../../../engine/src/metrics/infer';

describe('metric catalog', () => {
  test('declared metrics get their declaration: K-FAC rho its Levenberg-Marquardt guides, damping a multiplicative scale', () => {
    assert.deepEqual(metricMeta('kfac/rho').referenceLines, LM_THRESHOLDS);
    assert.deepEqual(LM_THRESHOLDS.map((l) => l.value), [0.25, 0.75]);
    assert.equal(metricMeta('kfac/damping').kind, 'multiplicative');
    assert.equal(metricMeta('kfc/damping').kind, 'multiplicative', 'KFC runs under its own prefix');
    assert.equal(metricMeta('testAccuracy').kind, 'accuracy');
    assert.equal(metricMeta('loss').kind, 'loss');
    assert.equal(metricMeta('learningRate').kind, 'learning-rate');
  });

  test('per-layer stats match their pattern whatever the layer name', () => {
    assert.equal(metricMeta('kfac/A_trace/dense_0/kernel').kind, 'multiplicative');
    assert.match(metricMeta('kfac/G_cond/conv_1').doc ?? '', /condition number/);
    // The pattern needs a layer: the bare prefix is not a per-layer stat.
    assert.equal(metricMeta('kfac/A_trace/').kind, inferMetricMeta('kfac/A_trace/').kind);
  });

  test('a declaration wins over what the name suggests', () => {
    // "qmodel_change" would pass for plain anyway; "accuracy" is not a loss although "err" is in no name.
    const declared = METRIC_DECLARATIONS.find((d) => d.key === 'kfac/alpha')!;
    assert.equal(metricMeta('kfac/alpha'), metricMeta('kfac/alpha'), 'cached');
    assert.equal(metricMeta('kfac/alpha').kind, declared.kind);
    assert.equal(metricMeta('kfac/alpha').order, 2);
    assert.equal(metricMeta('ngd/residual').kind, 'loss');
  });

  test('undeclared metrics (imported runs): judged from the name', () => {
    assert.equal(metricMeta('val_perplexity').kind, 'loss');
    assert.equal(metricMeta('my_rho').referenceLines, LM_THRESHOLDS);
    assert.equal(metricMeta('custom/lr').kind, 'learning-rate');
    assert.equal(metricMeta('top1_acc_error_rate').kind, 'plain');
    assert.equal(metricMeta('widgets').kind, 'plain');
    assert.equal(metricMeta('widgets').referenceLines, undefined);
  });

  test('a key declared twice (by two problems) is declared alike, and every kind is known', () => {
    for (const d of METRIC_DECLARATIONS) {
      assert.ok(['loss', 'accuracy', 'learning-rate', 'multiplicative', 'plain'].includes(d.kind), d.key);
      assert.equal(metricMeta(d.key).kind, d.kind, `${d.key} is declared with two kinds`);
    }
    // The problems' rows are in the catalog: what a view asks about a column a problem writes comes from the problem.
    assert.equal(metricMeta('testLoss').label, 'test loss');
  });
});
