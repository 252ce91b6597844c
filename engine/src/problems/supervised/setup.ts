// What every worker of a sweep is set up with (backend, data, model, the optimizer probes), and a
// setup the engine rejects as an ExperimentError that points at the file's line.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseJsonWithLocation } from '../../experiment/json-locate';
import { batchSizesWithPointers } from '../../experiment/grid';
import type { ExperimentFile, ResolvedExperiment, ResolvedNeuralProblem } from '../../experiment/types';
import { ExperimentError, type ExperimentIssue } from '../../experiment/validate';
import { type DatasetAccess, dataAccessOf } from '../../data/dataset-access';
import type { WorkerSetup } from '../../sweep/messages';
import type { SweepPlan } from '../../sweep/plan';
import type { SetupInvalid } from '../../sweep/pool';

export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** The experiment's problem for the workers. */
export function setupOf(exp: ResolvedExperiment, plan: SweepPlan, backend: WorkerSetup['backend'] | undefined, dataAccess?: DatasetAccess): WorkerSetup {
  const problem = exp.problem as ResolvedNeuralProblem;
  const probes = exp.optimizers.map((opt) => {
    const first = plan.trials[plan.cells.find((c) => c.optimizer === opt)!.trials[0]];
    return { pointer: opt.pointer, spec: first.optimizerSpec, batchSize: first.batchSize };
  });
  return {
    problem,
    target: exp.target,
    budget: exp.budget!,
    seed: exp.seed,
    backend: backend ?? exp.backend ?? 'auto',
    baseDir: exp.file ? path.dirname(exp.file) : process.cwd(),
    logEvery: exp.logEvery ?? 1,
    ...(exp.checkpointEvery !== undefined && { checkpointEvery: exp.checkpointEvery }),
    probes,
    batchSizes: batchSizesWithPointers((exp.raw as ExperimentFile).batchSizes),
    dataAccess: dataAccessOf(exp, dataAccess),
  };
}

/** An engine-side problem with the file (a model option makeModel rejects) as an ExperimentError with its line. */
export function invalidFile(exp: ResolvedExperiment, err: SetupInvalid): ExperimentError {
  const issue: ExperimentIssue = { path: err.path, message: err.message };
  if (exp.file) {
    try {
      const doc = parseJsonWithLocation(readFileSync(exp.file, 'utf8'), exp.file);
      let at = doc.locate(err.path, 'value')?.start;
      for (let p = err.path; !at && p.includes('/'); p = p.slice(0, p.lastIndexOf('/'))) at = doc.locate(p, 'value')?.start;
      if (at) Object.assign(issue, { line: at.line, column: at.column });
    } catch {
      // the path alone still says where
    }
  }
  return new ExperimentError([issue], exp.file);
}

