// Runs an NQM experiment: one run per (optimizer entry, batch size), each the reference grid search
// for the fewest steps to the target; the best point's expected-loss curve is logged as metrics;
// per optimizer, the steps-vs-batch-size table feeds the critical-batch-size fit.
import { fitCriticalBatch, CriticalBatchError, type CriticalBatchFit } from '../analysis/critical-batch';
import type { NqmOptimizerType, ResolvedExperiment, ResolvedOptimizer } from '../experiment/types';
import { lossCurve, logSpacedSteps } from '../nqm/dynamics';
import { buildProblem, lowerBoundSteps } from '../nqm/model';
import { solveGridTasks, type GridTask } from '../nqm/parallel';
import type { NqmBatchResult, NqmGrid, NqmOptimizer, NqmProblem, NqmSpec } from '../nqm/types';
import type { MetricRow, RunStatus, RunStore, RunWriter, StatusPatch } from '../store';
import { ENGINE_VERSION } from '../version';
import type { CriticalBatchReport, ExperimentResult, RunSummary, ScalingRow } from './report-types';

export type { CriticalBatchReport, ExperimentResult, RunSummary, ScalingRow } from './report-types';

export const NQM_BACKEND = 'float64-analytic';

export interface RunnerOptions {
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, run: RunSummary) => void;
  /** Every run is created (queued) before any starts. */
  onRunsCreated?: (runs: { id: string; label: string; optimizer: string; batchSize: number }[]) => void;
  onRunStatus?: (runId: string, status: RunStatus, patch: StatusPatch) => void;
  /** Rows as they are appended to a run's metrics.jsonl; `seq` is the first row's sequence number. */
  onMetrics?: (runId: string, rows: MetricRow[], seq: number) => void;
}

export function nqmSpecOf(exp: ResolvedExperiment): NqmSpec {
  const p = exp.problem;
  if (p.type !== 'nqm') throw new Error(`problem type '${p.type}' is not an NQM problem`);
  return { dim: p.dim, exponent: p.exponent, bins: p.bins, noise: p.noise, initVariance: p.initVariance, target: exp.target.value };
}

function gridOf(opt: ResolvedOptimizer): NqmGrid {
  return { learningRates: opt.learningRates, momenta: opt.momenta, decays: opt.decays };
}

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

export function criticalBatchReport(label: string, opt: Pick<ResolvedOptimizer, 'type' | 'precondition'>, rows: ScalingRow[]): CriticalBatchReport {
  const base = { optimizer: label, type: opt.type, precondition: opt.precondition, points: rows };
  try {
    const fit: CriticalBatchFit = fitCriticalBatch(rows.map((r) => ({ ...r })));
    return { ...base, sMin: fit.sMin, eMin: fit.eMin, bCrit: fit.bCrit, status: fit.status, warnings: fit.warnings, slopes: fit.slopes };
  } catch (err) {
    if (!(err instanceof CriticalBatchError)) throw err;
    return { ...base, sMin: null, eMin: null, bCrit: null, status: 'error', warnings: [], slopes: [], error: err.message };
  }
}

export async function runNqmExperiment(exp: ResolvedExperiment, store: RunStore, options: RunnerOptions = {}): Promise<ExperimentResult> {
  if (exp.problem.type !== 'nqm') throw new Error(`problem type '${exp.problem.type}' is not an NQM problem`);
  const spec = nqmSpecOf(exp);
  const problem = buildProblem(spec);
  const tasks: GridTask[] = [];
  const writers: RunWriter[] = [];
  const owners: ResolvedOptimizer[] = [];
  for (const opt of exp.optimizers) {
    for (const batchSize of exp.batchSizes) {
      const writer = store.create({
        experiment: { name: exp.name, file: exp.file },
        label: opt.label,
        optimizer: opt.type,
        batchSize,
        spec: (exp.raw as { optimizers?: unknown[] })?.optimizers?.[Number(opt.pointer.split('/').pop())] ?? null,
        config: { problem: exp.problem, target: exp.target, optimizer: opt, batchSize },
        engine: { version: ENGINE_VERSION, backend: NQM_BACKEND },
        status: 'queued',
      });
      writers.push(writer);
      owners.push(opt);
      tasks.push({ id: tasks.length, spec, family: opt.type as NqmOptimizerType, precondition: opt.precondition, batchSize, grid: gridOf(opt) });
    }
  }

  const runs: (RunSummary | undefined)[] = new Array(tasks.length);
  let done = 0;
  const setStatus = (w: RunWriter, status: RunStatus, patch: StatusPatch = {}) => {
    w.setStatus(status, patch);
    options.onRunStatus?.(w.id, status, patch);
  };
  options.onRunsCreated?.(writers.map((w, i) => ({ id: w.id, label: owners[i].label, optimizer: owners[i].type, batchSize: tasks[i].batchSize })));
  for (const w of writers) setStatus(w, 'running');
  try {
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
        setStatus(writer, 'completed', { summary, hyperparameters });
        writer.close();
        const run: RunSummary = { id: writer.id, label: opt.label, optimizer: opt.type, batchSize: r.batchSize, status: 'completed', stepsToTarget: r.steps, hyperparameters };
        runs[task.id] = run;
        done += 1;
        options.onProgress?.(done, tasks.length, run);
      },
    });
  } catch (err) {
    // Whatever finished stays recorded; the rest is marked so nothing is left 'running'.
    const cancelled = options.signal?.aborted === true;
    for (const w of writers) {
      if (w.status === 'running') {
        if (cancelled) setStatus(w, 'cancelled');
        else setStatus(w, 'failed', { error: { message: err instanceof Error ? err.message : String(err), where: exp.file } });
        w.close();
      }
    }
    throw err;
  }

  const reports: CriticalBatchReport[] = exp.optimizers.map((opt) => {
    const rows: ScalingRow[] = [];
    tasks.forEach((t, i) => {
      if (owners[i] !== opt) return;
      const run = runs[i]!;
      const row: ScalingRow = { batchSize: t.batchSize, steps: run.stepsToTarget, learningRate: run.hyperparameters.learningRate, lowerBound: lowerBoundSteps(problem, t.batchSize) };
      if (opt.type === 'momentum') row.momentum = run.hyperparameters.momentum;
      if (opt.type === 'ema') row.decay = run.hyperparameters.decay;
      rows.push(row);
    });
    return criticalBatchReport(opt.label, opt, rows);
  });
  return { experiment: exp.name, file: exp.file, runs: runs as RunSummary[], criticalBatchSize: reports };
}
