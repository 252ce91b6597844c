// The rows a supervised trial writes (train/loop.ts): the minibatch loss and accuracy every logged
// step, the evaluation on the target's split ('test...' or 'train...') every evalEvery steps. The
// optimizer's own statistics (grad/..., kfac/...) are declared by the optimizers.
import type { MetricDeclaration } from '../../metrics/meta';

export const SUPERVISED_METRICS: readonly MetricDeclaration[] = [
  { key: 'step', kind: 'plain', label: 'step', group: 'progress', unit: 'steps' },
  { key: 'examples', kind: 'plain', label: 'examples seen', group: 'progress', unit: 'examples' },
  { key: 'wallTime', kind: 'plain', label: 'wall time', group: 'progress', unit: 's' },
  { key: 'loss', kind: 'loss', label: 'minibatch loss', group: 'loss' },
  { key: 'trainLoss', kind: 'loss', label: 'training loss', group: 'loss' },
  { key: 'testLoss', kind: 'loss', label: 'test loss', group: 'loss' },
  { key: 'accuracy', kind: 'accuracy', label: 'minibatch accuracy', group: 'accuracy' },
  { key: 'trainAccuracy', kind: 'accuracy', label: 'training accuracy', group: 'accuracy' },
  { key: 'testAccuracy', kind: 'accuracy', label: 'test accuracy', group: 'accuracy' },
  { key: 'learningRate', kind: 'learning-rate', label: 'learning rate', group: 'optimizer' },
];
