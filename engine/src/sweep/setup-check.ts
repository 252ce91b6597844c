// Problems of a neural experiment that only the engine's factories find (an option K-FAC does not
// take, a model option of another architecture, a dataset with the wrong task), found while the
// file is edited instead of when a run starts: the editor asks the engine process (a 'checkSetup'
// request) and places the issues by their JSON pointers. The same checks the engine runs before a
// sweep: every optimizer entry's first grid point through makeOptimizer, and the data and model
// through the trial worker's prepare(). Loading a dataset can take a while (MNIST from disk), so
// the data/model result is cached per problem block; optimizer specs are cheap and checked each time.
import path from 'node:path';
import { parseExperiment } from '../experiment/load';
import { batchSizesWithPointers } from '../experiment/grid';
import type { ExperimentFile, ResolvedExperiment, ResolvedNeuralProblem } from '../experiment/types';
import type { ExperimentIssue } from '../experiment/validate';
import type { DatasetAccess } from '../data/dataset-access';

export type SetupFactories = typeof import('./setup-factories.js');

export class SetupCheck {
  private factories: Promise<SetupFactories> | undefined;
  private problemCache: { key: string; issues: ExperimentIssue[] } | undefined;

  constructor(private readonly load: () => Promise<SetupFactories> = () => import('./setup-factories.js')) {}

  /**
   * Issues with JSON pointers. [] when the text is not a valid neural experiment: schema problems
   * are the synchronous validation's job, and an NQM study has no factories to run.
   */
  async issues(text: string, file?: string, dataAccess?: DatasetAccess): Promise<ExperimentIssue[]> {
    let exp: ResolvedExperiment;
    try {
      exp = parseExperiment(text, file);
    } catch {
      return [];
    }
    if (exp.problem.type === 'nqm') return [];
    this.factories ??= this.load();
    const factories = await this.factories;
    return [...this.problemIssues(factories, exp, dataAccess), ...this.optimizerIssues(factories, exp)];
  }

  private optimizerIssues(f: SetupFactories, exp: ResolvedExperiment): ExperimentIssue[] {
    const out: ExperimentIssue[] = [];
    let plan;
    try {
      plan = f.planSweep(exp);
    } catch {
      return out; // the sweep's own validation reports it when run
    }
    for (const opt of exp.optimizers) {
      const cell = plan.cells.find((c) => c.optimizer === opt);
      const trial = cell === undefined ? undefined : plan.trials[cell.trials[0]];
      if (trial === undefined) continue;
      try {
        f.makeOptimizer(trial.optimizerSpec, { batchSize: trial.batchSize });
      } catch (err) {
        if (!(err instanceof f.OptimizerSpecError)) throw err;
        out.push({ path: `${opt.pointer}${f.optionPathToPointer(err.path)}`, message: err.message });
      }
    }
    return out;
  }

  private problemIssues(f: SetupFactories, exp: ResolvedExperiment, given?: DatasetAccess): ExperimentIssue[] {
    const problem = exp.problem as ResolvedNeuralProblem;
    const baseDir = exp.file ? path.dirname(exp.file) : process.cwd();
    const dataAccess = f.dataAccessOf(exp, given);
    const key = JSON.stringify([problem, baseDir, exp.batchSizes, dataAccess]);
    if (this.problemCache?.key === key) return this.problemCache.issues;
    let issues: ExperimentIssue[] = [];
    try {
      f.prepare({ problem, target: exp.target, budget: exp.budget ?? { maxSteps: 1 }, seed: exp.seed, backend: 'cpu', baseDir, logEvery: 1, probes: [], batchSizes: batchSizesWithPointers((exp.raw as ExperimentFile).batchSizes), dataAccess });
    } catch (err) {
      issues =
        err instanceof f.SetupInvalid
          ? [{ path: err.path, message: err.message }]
          : [{ path: '/problem', message: `the engine could not prepare this problem: ${err instanceof Error ? err.message : String(err)}` }];
    }
    this.problemCache = { key, issues };
    return issues;
  }
}
