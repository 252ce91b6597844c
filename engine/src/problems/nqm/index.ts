// The noisy quadratic model (Zhang et al. 2019): its experiments are analytic grid searches, run in
// float64 by the engine itself (no network, no TensorFlow.js).
import { nqmFindings } from '../../analysis/nqm-findings';
import type { ProblemKind } from '../types';
import { NQM_METRICS } from './metrics';
import { planNqm, type NqmPlan } from './plan';
import { runNqmPlan } from './run';

export const nqmProblem: ProblemKind<NqmPlan> = {
  kind: 'nqm',
  problemTypes: ['nqm'],
  metrics: NQM_METRICS,
  plan: planNqm,
  run: runNqmPlan,
  findings: (result) => nqmFindings(result.criticalBatchSize),
};
