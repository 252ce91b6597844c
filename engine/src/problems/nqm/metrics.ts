// The rows an NQM run writes: the best grid point's expected loss at log-spaced steps.
import { metric, type MetricMeta } from '../metric-meta';

export const NQM_METRICS: readonly MetricMeta[] = [
  metric('step', 'step', 'progress', { unit: 'steps', scale: 'log' }),
  metric('examples', 'examples seen', 'progress', { unit: 'examples', scale: 'log' }),
  metric('loss', 'expected loss', 'loss', { scale: 'log' }),
  metric('learningRate', 'learning rate', 'optimizer', { scale: 'log' }),
];
