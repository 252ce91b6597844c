// Runs an experiment of any problem type: the NQM's analytic grid search (nqm-runner.ts) or a
// neural sweep in worker processes (sweep/runner.ts), with the paper's findings for each.
import { nqmFindings, type Finding } from '../analysis/nqm-findings';
import type { ResolvedExperiment } from '../experiment/types';
import { isNeuralProblem } from '../experiment/types';
import type { RunStore } from '../store';
import { neuralFindings } from '../sweep/findings';
import { runNeuralExperiment, type SweepOptions } from '../sweep/runner';
import { NQM_BACKEND, runNqmExperiment } from './nqm-runner';
import type { ExperimentResult } from './report-types';

export type ExperimentOptions = SweepOptions;

export function runExperiment(exp: ResolvedExperiment, store: RunStore, options: ExperimentOptions = {}): Promise<ExperimentResult> {
  if (isNeuralProblem(exp.problem)) return runNeuralExperiment(exp, store, options);
  return runNqmExperiment(exp, store, options);
}

export function findingsFor(exp: ResolvedExperiment, result: ExperimentResult): Finding[] {
  return isNeuralProblem(exp.problem) ? neuralFindings(result.criticalBatchSize) : nqmFindings(result.criticalBatchSize);
}

/** What the engine computes with, for a problem type (before any neural worker has started). */
export function backendLabel(exp: ResolvedExperiment): string {
  return isNeuralProblem(exp.problem) ? `tfjs (${exp.backend ?? 'auto'})` : NQM_BACKEND;
}
