// The rows a supervised trial writes (train/loop.ts): the minibatch loss and accuracy every logged
// step, the evaluation on the target's split ('test...' or 'train...') every evalEvery steps. The
// optimizer's own statistics (grad/..., kfac/...) are described by the optimizers.
import { metric, type MetricMeta } from '../metric-meta';

export const SUPERVISED_METRICS: readonly MetricMeta[] = [
  metric('step', 'step', 'progress', { unit: 'steps' }),
  metric('examples', 'examples seen', 'progress', { unit: 'examples' }),
  metric('wallTime', 'wall time', 'progress', { unit: 's' }),
  metric('loss', 'minibatch loss', 'loss', { scale: 'log' }),
  metric('trainLoss', 'training loss', 'loss', { scale: 'log' }),
  metric('testLoss', 'test loss', 'loss', { scale: 'log' }),
  metric('accuracy', 'minibatch accuracy', 'accuracy'),
  metric('trainAccuracy', 'training accuracy', 'accuracy'),
  metric('testAccuracy', 'test accuracy', 'accuracy'),
  metric('learningRate', 'learning rate', 'optimizer', { scale: 'log' }),
];
