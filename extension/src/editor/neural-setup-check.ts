// Problems of a neural experiment that only the engine's factories find (an option K-FAC does not
// take, a model option of another architecture, a dataset with the wrong task), found while the
// file is edited instead of when a run starts. The same checks the engine runs before a sweep:
// every optimizer entry's first grid point through makeOptimizer, and the data and model through
// the trial worker's prepare(). Loading a dataset can take a while (MNIST from disk), so the
// data/model result is cached per problem block; optimizer specs are cheap and checked each time.
// No VS Code here.
import path from 'node:path';
import { parseExperiment } from '../../../engine/src/experiment/load';
import type { ExperimentIssue } from '../../../engine/src/experiment/validate';
import type { ResolvedExperiment, ResolvedNeuralProblem } from '../../../engine/src/experiment/types';
import { errorMessage } from '../util/timing';

type NeuralEngine = typeof import('./neural-engine.js');

export class NeuralSetupCheck {
  private engine: Promise<NeuralEngine> | undefined;
  private problemCache: { key: string; issues: ExperimentIssue[] } | undefined;

  constructor(private readonly load: () => Promise<NeuralEngine> = () => import('./neural-engine.js')) {}

  /**
   * Issues with JSON pointers (for placeIssues). [] when the text is not a valid neural
   * experiment: schema problems are the synchronous diagnostics' job.
   */
  async issues(text: string, file?: string): Promise<ExperimentIssue[]> {
    let exp: ResolvedExperiment;
    try {
      exp = parseExperiment(text, file);
    } catch {
      return [];
    }
    if (exp.problem.type === 'nqm') return [];
    this.engine ??= this.load();
    const engine = await this.engine;
    return [...this.problemIssues(engine, exp), ...this.optimizerIssues(engine, exp)];
  }

  private optimizerIssues(engine: NeuralEngine, exp: ResolvedExperiment): ExperimentIssue[] {
    const out: ExperimentIssue[] = [];
    let plan;
    try {
      plan = engine.planSweep(exp);
    } catch {
      return out; // the sweep's own validation reports it when run
    }
    for (const opt of exp.optimizers) {
      const cell = plan.cells.find((c) => c.optimizer === opt);
      const trial = cell === undefined ? undefined : plan.trials[cell.trials[0]];
      if (trial === undefined) continue;
      try {
        engine.makeOptimizer(trial.optimizerSpec, { batchSize: trial.batchSize });
      } catch (err) {
        if (!(err instanceof engine.OptimizerSpecError)) throw err;
        out.push({ path: `${opt.pointer}${engine.optionPathToPointer(err.path)}`, message: err.message });
      }
    }
    return out;
  }

  private problemIssues(engine: NeuralEngine, exp: ResolvedExperiment): ExperimentIssue[] {
    const problem = exp.problem as ResolvedNeuralProblem;
    const baseDir = exp.file ? path.dirname(exp.file) : process.cwd();
    const key = JSON.stringify([problem, baseDir]);
    if (this.problemCache?.key === key) return this.problemCache.issues;
    let issues: ExperimentIssue[] = [];
    try {
      engine.prepare({ problem, target: exp.target, budget: exp.budget ?? { maxSteps: 1 }, seed: exp.seed, backend: 'cpu', baseDir, logEvery: 1, probes: [] });
    } catch (err) {
      issues =
        err instanceof engine.SetupInvalid
          ? [{ path: err.path, message: err.message }]
          : [{ path: '/problem', message: `the engine could not prepare this problem: ${errorMessage(err)}` }];
    }
    this.problemCache = { key, issues };
    return issues;
  }
}
