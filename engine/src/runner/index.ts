// Runs an experiment of any problem type through its kind (problems/index.ts), and checks the
// paper's findings against the result.
import type { Finding } from '../analysis/nqm-findings';
import type { CriticalBatchReport, ExperimentResult } from '../analysis/report-types';
import type { ResolvedExperiment } from '../experiment/types';
import { problemKindOf } from '../problems';
import type { SweepOptions } from '../problems/supervised/run';
import type { RunStore } from '../store';

/** Every kind's options (a kind ignores what it does not use). */
export type ExperimentOptions = SweepOptions;

/**
 * Runs the experiment, then records what the engine concluded (fits, prediction, findings) in the
 * store beside its runs (store/experiment-results.ts), where the editor reads it. Failing to record
 * it loses no run: it is reported through onLog and the result is still returned.
 */
export async function runExperiment(exp: ResolvedExperiment, store: RunStore, options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const kind = problemKindOf(exp.problem.type);
  const result = await kind.run(exp, kind.plan(exp), store, options);
  const recorded: RecordedExperimentResult = {
    criticalBatchSize: result.criticalBatchSize,
    findings: kind.findings(result),
    ...(result.prediction && { prediction: result.prediction }),
  };
  try {
    store.writeExperimentResult({ name: exp.name, ...(exp.file !== undefined && { file: exp.file }) }, [...result.runs.map((r) => r.id), ...(result.trials ?? []).map((t) => t.id)], recorded);
  } catch (err) {
    options.onLog?.(`could not record the experiment's result in ${store.root}: ${err instanceof Error ? err.message : String(err)} (its runs are recorded)`);
  }
  return result;
}

/** What the store keeps of an experiment's session (ExperimentResultRecord.result). */
export interface RecordedExperimentResult {
  criticalBatchSize: CriticalBatchReport[];
  findings: Finding[];
  prediction?: CriticalBatchReport[];
}

export function findingsFor(exp: ResolvedExperiment, result: ExperimentResult): Finding[] {
  return problemKindOf(exp.problem.type).findings(result);
}
