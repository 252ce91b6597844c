// Supervised networks (classification, regression, autoencoder) trained with TensorFlow.js: each
// experiment is a sweep of trials run in worker processes (sweep/worker.ts trains one trial).
import { NEURAL_PROBLEM_TYPES } from '../../experiment/types';
import type { SweepPlan } from '../../sweep/plan';
import type { ProblemKind } from '../types';
import { neuralFindings } from './findings';
import { SUPERVISED_METRICS } from './metrics';
import { planSupervised, runSupervisedPlan, type SweepOptions } from './run';

export const supervisedProblem: ProblemKind<SweepPlan, SweepOptions> = {
  kind: 'supervised',
  problemTypes: NEURAL_PROBLEM_TYPES,
  metrics: SUPERVISED_METRICS,
  plan: planSupervised,
  run: runSupervisedPlan,
  findings: (result) => neuralFindings(result.criticalBatchSize),
};
