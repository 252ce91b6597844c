// Runs an NQM plan: one run per (optimizer entry, batch size), each the reference grid search for
// the fewest steps to the target; the best point's expected-loss curve is logged as metrics; per
// optimizer, the steps-vs-batch-size table feeds the critical-batch-size fit (report.ts).
import type { ExperimentResult, RunSummary } from '../../analysis/report-types';
import type { ResolvedExperiment, ResolvedOptimizer } from '../../experiment/types';
import { lossCurve, logSpacedSteps } from '../../nqm/dynamics';
import { lowerBoundSteps } from '../../nqm/model';
import { solveGridTasks } from '../../nqm/parallel';
import type { NqmBatchResult, NqmOptimizer, NqmProblem } from '../../nqm/types';
import { StoreError, type MetricRow, type RunStatus, type RunStore, type RunWriter, type StatusPatch } from '../../store';
import { ENGINE_VERSION } from '../../version';
import type { RunOptions } from '../types';
import { planNqm, type NqmPlan } from './plan';
import { nqmReports } from './report';

export const NQM_BACKEND = 'float64-analytic';

function optimizerAt(opt: ResolvedOptimizer, r: NqmBatchResult): NqmOptimizer | null {
  if (r.learningRate === null) return null;
  if (opt.type === 'momentum') return { kind: 'momentum', lr: r.learningRate, momentum: r.momentum ?? 0, precondition: opt.precondition };
  if (opt.type === 'ema') return { kind: 'ema', lr: r.learningRate, decay: r.decay ?? 0, precondition: opt.precondition };
  return { kind: 'sgd', lr: r.learningRate, precondition: opt.precondition };
}

function hyperparametersOf(opt: ResolvedOptimizer, r: NqmBatchResult): Record<string, number | null> {
  const hp: Record<string, number | null> = { learningRate: r.learningRate, precondition: opt.precondition };
  if (opt.type === 'momentum') hp.momentum = r.momentum ?? null;
  if (opt.type === 'ema') hp.decay = r.decay ?? null;
  return hp;
}

/** Logs the expected-loss curve of the best grid point, to twice the steps-to-target. */
function writeCurve(writer: RunWriter, problem: NqmProblem, opt: NqmOptimizer, r: NqmBatchResult, logPoints: number): { rows: MetricRow[]; from: number } {
  const last = Math.max(10, 2 * (r.steps ?? 0));
  const steps = logSpacedSteps(last, logPoints);
  const losses = lossCurve(problem, opt, r.batchSize, steps);
  const rows: MetricRow[] = [];
  for (let i = 0; i < steps.length; i++) rows.push({ step: steps[i], examples: steps[i] * r.batchSize, loss: losses[i], learningRate: opt.kind === 'pwc' ? null : opt.lr });
  return { rows, from: writer.appendRows(rows).from };
}

/** A run diverged when no grid point reached the target and every one's loss grows without bound. */
export function nqmRunStatus(r: NqmBatchResult): 'completed' | 'diverged' {
  return r.steps === null && r.evaluated > 0 && r.diverged === r.evaluated ? 'diverged' : 'completed';
}

export async function runNqmExperiment(exp: ResolvedExperiment, store: RunStore, options: RunOptions = {}): Promise<ExperimentResult> {
  return await runNqmPlan(exp, planNqm(exp), store, options);
}

export async function runNqmPlan(exp: ResolvedExperiment, plan: NqmPlan, store: RunStore, options: RunOptions = {}): Promise<ExperimentResult> {
  const { spec, problem, tasks, owners } = plan;
  const writers: RunWriter[] = [];
  const runs: (RunSummary | undefined)[] = new Array(tasks.length);
  let done = 0;
  const setStatus = (w: RunWriter, status: RunStatus, patch: StatusPatch = {}) => {
    w.setStatus(status, patch);
    options.onRunStatus?.(w.id, status, patch);
  };
  try {
    for (const [i, task] of tasks.entries()) {
      writers.push(
        store.create({
          experiment: { name: exp.name, file: exp.file },
          label: owners[i].label,
          optimizer: owners[i].type,
          batchSize: task.batchSize,
          spec: (exp.raw as { optimizers?: unknown[] })?.optimizers?.[Number(owners[i].pointer.split('/').pop())] ?? null,
          config: { problem: exp.problem, target: exp.target, optimizer: owners[i], batchSize: task.batchSize },
          engine: { version: ENGINE_VERSION, backend: NQM_BACKEND },
          status: 'queued',
        }),
      );
    }
    options.onRunsCreated?.(writers.map((w, i) => ({ id: w.id, label: owners[i].label, optimizer: owners[i].type, batchSize: tasks[i].batchSize })));
    for (const w of writers) setStatus(w, 'running');
    await solveGridTasks(tasks, {
      workers: options.workers,
      signal: options.signal,
      onResult: (task, r) => {
        const writer = writers[task.id];
        const opt = owners[task.id];
        const best = optimizerAt(opt, r);
        if (best) {
          const { rows, from } = writeCurve(writer, problem, best, r, exp.logPoints);
          options.onMetrics?.(writer.id, rows, from);
        }
        const summary = {
          stepsToTarget: r.steps,
          reachedTarget: r.steps !== null,
          examplesToTarget: r.steps === null ? null : r.steps * r.batchSize,
          lowerBound: lowerBoundSteps(problem, r.batchSize),
          gridPoints: r.evaluated,
          gridPointsReachingTarget: r.reached,
          target: spec.target,
        };
        const hyperparameters = hyperparametersOf(opt, r);
        const status = nqmRunStatus(r);
        try {
          setStatus(writer, status, { summary: { ...summary, gridPointsDiverged: r.diverged }, hyperparameters });
        } finally {
          // Released even when run.json cannot be written (close() then records 'failed' if it can).
          writer.close();
        }
        const run: RunSummary = {
          id: writer.id, label: opt.label, optimizer: opt.type, batchSize: r.batchSize, status, stepsToTarget: r.steps, hyperparameters,
          ...(status === 'diverged' && { detail: `diverged: the loss of every grid point (${r.evaluated}) grows without bound` }),
        };
        runs[task.id] = run;
        done += 1;
        options.onProgress?.(done, tasks.length, run);
      },
    });
  } catch (err) {
    // Whatever finished stays recorded; the rest is marked so nothing is left 'running' (where the
    // store still allows it: after a write failure, readers see them crashed once this process ends).
    const cancelled = options.signal?.aborted === true;
    const where = err instanceof StoreError && err.path !== undefined ? err.path : exp.file;
    for (const w of writers) {
      try {
        if (w.status === 'queued' || w.status === 'running') {
          if (cancelled) setStatus(w, 'cancelled');
          else setStatus(w, 'failed', { error: { message: err instanceof Error ? err.message : String(err), where } });
        }
      } catch {
        // the first failure is the one reported
      }
      try {
        w.close();
      } catch {
        // idem
      }
    }
    throw err;
  }

  const summaries = runs as RunSummary[];
  return { experiment: exp.name, file: exp.file, runs: summaries, criticalBatchSize: nqmReports(exp, plan, summaries) };
}
