// The rows the training loop writes (loop.ts) and the NQM curves (runner), declared for the views.
import type { MetricDeclaration } from '../metrics/meta';

export const TRAINING_METRICS: readonly MetricDeclaration[] = [
  { key: 'loss', kind: 'loss', doc: 'minibatch loss (NQM: expected loss)' },
  { key: 'accuracy', kind: 'accuracy', doc: 'minibatch accuracy' },
  { key: 'testLoss', kind: 'loss' },
  { key: 'testAccuracy', kind: 'accuracy' },
  { key: 'trainLoss', kind: 'loss' },
  { key: 'trainAccuracy', kind: 'accuracy' },
  { key: 'learningRate', kind: 'learning-rate' },
];
