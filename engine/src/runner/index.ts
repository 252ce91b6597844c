// Runs an experiment of any problem type through its kind (problems/index.ts), and checks the
// paper's findings against the result.
import type { Finding } from '../analysis/nqm-findings';
import type { ExperimentResult } from '../analysis/report-types';
import type { ResolvedExperiment } from '../experiment/types';
import { problemKindOf } from '../problems';
import type { SweepOptions } from '../problems/supervised/run';
import type { RunStore } from '../store';

/** Every kind's options (a kind ignores what it does not use). */
export type ExperimentOptions = SweepOptions;

export async function runExperiment(exp: ResolvedExperiment, store: RunStore, options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const kind = problemKindOf(exp.problem.type);
  return await kind.run(exp, kind.plan(exp), store, options);
}

export function findingsFor(exp: ResolvedExperiment, result: ExperimentResult): Finding[] {
  return problemKindOf(exp.problem.type).findings(result);
}
