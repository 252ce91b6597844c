// What a metric nobody declared probably is (runs imported from elsewhere, keys of older stores,
// custom stats): judged from its name. Declarations (protocol/metric-catalog.ts) always win over this.
import { LM_THRESHOLDS, type MetricMeta } from './meta';

/** Metrics whose values shrink by orders of magnitude: losses, errors. */
export function isLossLikeName(metric: string): boolean {
  const m = metric.toLowerCase();
  return /loss|error|err$|^err|perplexity|ppl|nll|mse|residual|suboptimality|regret|gap/.test(m) && !/acc/.test(m);
}

/** Learning rates: a sweep spaces them by factors. */
export function isLearningRateName(metric: string): boolean {
  const m = metric.toLowerCase().replace(/[\s_-]/g, '');
  return m === 'lr' || m.endsWith('learningrate') || m.endsWith('/lr') || m.endsWith('.lr');
}

/**
 * Optimizer stats on a multiplicative scale ("kfac/damping", "kfac/G_cond/<layer>",
 * "kfac/A_trace/<layer>", "ngd/gram_lambda_min"): judged on the stat's name, not its layer.
 */
export function isScaleLikeName(metric: string): boolean {
  const parts = metric.split('/');
  const stat = (parts.length >= 3 ? parts[1] : parts[parts.length - 1]).toLowerCase();
  return /damping|trace|lambda|(^|_)(cond(ition)?|eig(en)?)(_|$)/.test(stat);
}

export function inferMetricMeta(metric: string): MetricMeta {
  // A reduction ratio anywhere ("rho", "kfac/rho", "my_rho") gets the Levenberg-Marquardt guides.
  const referenceLines = /(^|[/_.])rho$/i.test(metric) ? LM_THRESHOLDS : undefined;
  const kind = isScaleLikeName(metric) ? 'multiplicative' : isLossLikeName(metric) ? 'loss' : isLearningRateName(metric) ? 'learning-rate' : 'plain';
  return referenceLines ? { kind, referenceLines } : { kind };
}
