// What a target metric means, without TensorFlow.js: the loop and a resumed sweep (which must not
// load tfjs in the CLI process) judge a measured value the same way.
import type { TargetMetric } from './types';

export const isLossMetric = (m: TargetMetric): boolean => m === 'trainLoss' || m === 'testLoss';
export const isTestMetric = (m: TargetMetric): boolean => m === 'testLoss' || m === 'testAccuracy';

/** Whether a measured value meets the target (losses at or below, accuracies at or above). */
export function meetsTarget(metric: TargetMetric, measured: number, value: number): boolean {
  if (!Number.isFinite(measured)) return false;
  return isLossMetric(metric) ? measured <= value : measured >= value;
}
