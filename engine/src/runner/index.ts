// Runs an experiment of any problem type: the NQM's analytic grid search (nqm-runner.ts) or a
// neural sweep in worker processes (sweep/runner.ts), with the paper's findings for each.
import { nqmFindings, type Finding } from '../analysis/nqm-findings';
import type { ResolvedExperiment } from '../experiment/types';
import { isNeuralProblem } from '../experiment/types';
import type { RunStore } from '../store';
import { neuralFindings } from '../sweep/findings';
import { runNeuralExperiment, type SweepOptions } from '../sweep/runner';
import { runNqmExperiment } from './nqm-runner';
import type { ExperimentResult } from './report-types';

export type ExperimentOptions = SweepOptions;

export function runExperiment(exp: ResolvedExperiment, store: RunStore, options: ExperimentOptions = {}): Promise<ExperimentResult> {
  if (isNeuralProblem(exp.problem)) return runNeuralExperiment(exp, store, options);
  return runNqmExperiment(exp, store, options);
}

export function findingsFor(exp: ResolvedExperiment, result: ExperimentResult): Finding[] {
  return isNeuralProblem(exp.problem) ? neuralFindings(result.criticalBatchSize) : nqmFindings(result.criticalBatchSize);
}
