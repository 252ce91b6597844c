// The rows an NQM run writes: the best grid point's expected loss at log-spaced steps.
import type { MetricDeclaration } from '../../metrics/meta';

export const NQM_METRICS: readonly MetricDeclaration[] = [
  { key: 'step', kind: 'plain', label: 'step', group: 'progress', unit: 'steps' },
  { key: 'examples', kind: 'plain', label: 'examples seen', group: 'progress', unit: 'examples' },
  { key: 'loss', kind: 'loss', label: 'expected loss', group: 'loss', doc: 'the expected loss of the best grid point (closed form)' },
  { key: 'learningRate', kind: 'learning-rate', label: 'learning rate', group: 'optimizer' },
];
