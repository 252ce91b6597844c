// The stats the natural-gradient optimizer reports (see natural-gradient.ts), declared for the views.
import { underPrefixes, type MetricDeclaration } from '../../metrics/meta';

export const NGD_METRICS: readonly MetricDeclaration[] = underPrefixes(
  ['ngd'],
  [
    { key: 'damping', kind: 'multiplicative', order: 0 },
    { key: 'learning_rate', kind: 'learning-rate' },
    { key: 'residual', kind: 'loss' },
    { key: 'cg_residual', kind: 'loss' },
    { key: 'cg_iterations', kind: 'plain' },
    { key: 'gram_lambda_min', kind: 'multiplicative', doc: 'smallest eigenvalue of the output-space Gram matrix' },
    { key: 'gram_lambda_max', kind: 'multiplicative', doc: 'largest eigenvalue of the output-space Gram matrix' },
    { key: 'gram_condition', kind: 'multiplicative' },
  ],
);
