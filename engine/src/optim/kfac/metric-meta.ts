// The stats K-FAC reports (see kfac.ts), declared for the views.
import { LM_THRESHOLDS, underPrefixes, type MetricDeclaration } from '../../metrics/meta';

export const KFAC_METRICS: readonly MetricDeclaration[] = underPrefixes(
  ['kfac', 'kfc'],
  [
    { key: 'damping', kind: 'multiplicative', order: 0, doc: 'λ, the damping of the curvature (Levenberg-Marquardt adapted)' },
    { key: 'rho', kind: 'plain', order: 1, referenceLines: LM_THRESHOLDS, doc: 'ρ, actual over predicted decrease of the quadratic model' },
    { key: 'alpha', kind: 'plain', order: 2, doc: 'α, the step along the K-FAC direction (quadratic model)' },
    { key: 'mu', kind: 'plain', order: 3, doc: 'μ, the momentum along the previous update (quadratic model)' },
    { key: 'qmodel_change', kind: 'plain', order: 4, doc: 'the change the quadratic model predicts' },
    { key: 'learning_rate', kind: 'learning-rate' },
    { key: 'A_trace/*', kind: 'multiplicative', doc: 'trace of the layer\'s input-activation factor A' },
    { key: 'G_trace/*', kind: 'multiplicative', doc: 'trace of the layer\'s output-gradient factor G' },
    { key: 'A_cond/*', kind: 'multiplicative', doc: 'condition number of the damped factor A' },
    { key: 'G_cond/*', kind: 'multiplicative', doc: 'condition number of the damped factor G' },
    { key: 'inverse_ms', kind: 'plain', unit: 'ms' },
  ],
);
