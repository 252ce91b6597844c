// Runs a neural experiment as a sweep: every (optimizer entry, batch size, grid point) is a trial,
// trained in a worker process and recorded as a run in the store (queued, running, then completed,
// diverged, failed or cancelled) whose metrics stream to metrics.jsonl and to the caller. For each
// (optimizer, batch size) cell, the best steps-to-target over the grid (fewest steps; ties to the
// earlier grid point; diverged or not reached = no result) is recorded as the cell's own run (label
// = the optimizer's, batch size set, best hyperparameters, the best trial's curve), exactly as an
// NQM run is, and feeds the critical-batch-size fit (criticalBatchReport).
//
// A trial can only matter by beating its cell's best so far, so it is given that many steps at most
// (and is told when the best improves while it runs): the chosen points are the same as without
// this pruning, and the sweep does a fraction of the work. Optionally (budget.relativeToSmallerBatch
// = f), a trial also gives up after f times the fewest steps any smaller batch size of the same
// optimizer has needed so far: steps to target do not grow with the batch size (the model the
// critical-batch-size fit assumes), so this only cuts trials that would not change the curve's shape
// unless they were more than f times worse than that model.
//
// Nothing here loads TensorFlow.js: the workers do.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseJsonWithLocation } from '../experiment/json-locate';
import type { ResolvedExperiment, ResolvedNeuralProblem } from '../experiment/types';
import { isNeuralProblem } from '../experiment/types';
import { ExperimentError, type ExperimentIssue } from '../experiment/validate';
import { criticalBatchReport, type RunnerOptions } from '../runner/nqm-runner';
import type { CriticalBatchReport, ExperimentResult, RunSummary, ScalingRow, TrialSummary } from '../runner/report-types';
import type { MetricRow, RunStatus, RunStore, RunWriter, StatusPatch } from '../store';
import type { TrainResult } from '../train/types';
import { ENGINE_VERSION } from '../version';
import type { BackendInfo, WorkerSetup } from './messages';
import { bestOfCell, planSweep, stepLimitFor, type SweepPlan } from './plan';
import { ProcessPool, SetupInvalid, type TrialRunner } from './pool';
import { nqmPrediction } from './prediction';

export interface SweepOptions extends RunnerOptions {
  /** Overrides the experiment's backend. */
  backend?: WorkerSetup['backend'];
  /** Lines the worker processes print. */
  onLog?: (line: string) => void;
  /** For tests: what runs trials (default: a pool of worker processes). */
  runner?: TrialRunner;
  /** Compute the NQM's prediction for overlay (default true). */
  prediction?: boolean;
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** The experiment's problem for the workers. */
function setupOf(exp: ResolvedExperiment, plan: SweepPlan, backend: WorkerSetup['backend'] | undefined): WorkerSetup {
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
  };
}

/** An engine-side problem with the file (a model option makeModel rejects) as an ExperimentError with its line. */
function invalidFile(exp: ResolvedExperiment, err: SetupInvalid): ExperimentError {
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

interface TrialState {
  writer: RunWriter;
  status: RunStatus;
  result?: TrainResult;
  message?: string;
}

interface CellState {
  writer: RunWriter;
  started: boolean;
  finished: number;
  incumbent: number | null;
}

export async function runNeuralExperiment(exp: ResolvedExperiment, store: RunStore, options: SweepOptions = {}): Promise<ExperimentResult> {
  if (!isNeuralProblem(exp.problem)) throw new Error(`problem type '${exp.problem.type}' is not a neural problem`);
  if (!exp.budget) throw new Error('a neural experiment needs a budget');
  const plan = planSweep(exp);
  const setup = setupOf(exp, plan, options.backend);
  const runner = options.runner ?? new ProcessPool({ workers: Math.max(1, Math.min(options.workers ?? availableCores(), plan.trials.length)), onLog: options.onLog });
  const signal = options.signal;
  const maxSteps = exp.budget.maxSteps;

  let info: BackendInfo;
  const onAbort = () => void runner.stop();
  signal?.addEventListener('abort', onAbort);
  try {
    if (signal?.aborted) throw new Error('cancelled');
    try {
      info = await runner.start(setup);
    } catch (err) {
      if (err instanceof SetupInvalid) throw invalidFile(exp, err);
      if (signal?.aborted) throw new Error('cancelled');
      throw err;
    }

    // ---- the runs: one per trial, then one per cell (newer, so they are what "latest result" finds) ----
    const rawOptimizers = (exp.raw as { optimizers?: unknown[] })?.optimizers ?? [];
    const specOf = (pointer: string) => rawOptimizers[Number(pointer.split('/').pop())] ?? null;
    const backendRecord = { backend: info.backend, device: info.device, versions: info.versions, description: info.description };
    const problemRecord = { ...exp.problem, dataset: info.dataset, modelName: info.model, parameters: info.parameters };
    const trials: TrialState[] = plan.trials.map((t) => {
      const cell = plan.cells[t.cell];
      const writer = store.create({
        experiment: { name: exp.name, file: exp.file },
        label: t.label,
        optimizer: cell.optimizer.type,
        spec: specOf(cell.optimizer.pointer),
        config: { kind: 'trial', problem: problemRecord, target: exp.target, budget: exp.budget, seed: exp.seed, optimizer: cell.optimizer, optimizerSpec: t.optimizerSpec, batchSize: t.batchSize, trialOf: { label: cell.optimizer.label, batchSize: t.batchSize, gridIndex: t.gridIndex }, backend: backendRecord },
        hyperparameters: { ...t.hyperparameters, batchSize: t.batchSize },
        engine: { version: ENGINE_VERSION, backend: info.backend },
        status: 'queued',
      });
      return { writer, status: 'queued' };
    });
    const cells: CellState[] = plan.cells.map((c) => ({
      writer: store.create({
        experiment: { name: exp.name, file: exp.file },
        label: c.optimizer.label,
        optimizer: c.optimizer.type,
        batchSize: c.batchSize,
        spec: specOf(c.optimizer.pointer),
        config: { kind: 'best-of-grid', problem: problemRecord, target: exp.target, budget: exp.budget, seed: exp.seed, optimizer: c.optimizer, batchSize: c.batchSize, grid: c.optimizer.grids, backend: backendRecord },
        engine: { version: ENGINE_VERSION, backend: info.backend },
        status: 'queued',
      }),
      started: false,
      finished: 0,
      incumbent: null,
    }));
    options.onRunsCreated?.([
      ...cells.map((c, i) => ({ id: c.writer.id, label: plan.cells[i].optimizer.label, optimizer: plan.cells[i].optimizer.type, batchSize: plan.cells[i].batchSize })),
      ...trials.map((t, i) => ({ id: t.writer.id, label: plan.trials[i].label, optimizer: plan.cells[plan.trials[i].cell].optimizer.type })) as { id: string; label: string; optimizer: string; batchSize: number }[],
    ]);

    const setStatus = (w: RunWriter, status: RunStatus, patch: StatusPatch = {}) => {
      w.setStatus(status, patch);
      options.onRunStatus?.(w.id, status, patch);
    };
    const outcomes = new Map<number, number | null>();
    const running = new Set<number>();
    let done = 0;
    const summaries: TrialSummary[] = new Array(plan.trials.length);

    const finishCell = (ci: number) => {
      const cell = cells[ci];
      const c = plan.cells[ci];
      const best = bestOfCell(plan, ci, outcomes);
      const counts = { reached: 0, diverged: 0, notReached: 0, failed: 0, cancelled: 0 };
      for (const t of c.trials) {
        const s = trials[t].status;
        if (s === 'diverged') counts.diverged++;
        else if (s === 'failed') counts.failed++;
        else if (s === 'cancelled') counts.cancelled++;
        else if (outcomes.get(t) !== null && outcomes.get(t) !== undefined) counts.reached++;
        else counts.notReached++;
      }
      const hp = best === null ? Object.fromEntries(Object.keys(plan.trials[c.trials[0]].hyperparameters).map((k) => [k, null])) : plan.trials[best].hyperparameters;
      const steps = best === null ? null : outcomes.get(best)!;
      if (best !== null) {
        const rows = store.readMetrics(trials[best].writer.id).rows;
        const { from } = cell.writer.appendRows(rows);
        options.onMetrics?.(cell.writer.id, rows, from);
      }
      if (!cell.started) setStatus(cell.writer, 'running');
      const summary = {
        stepsToTarget: steps,
        reachedTarget: steps !== null,
        examplesToTarget: steps === null || best === null ? null : (trials[best].result?.examples ?? steps * c.batchSize),
        bestTrial: best === null ? null : trials[best].writer.id,
        trials: c.trials.length,
        trialsReached: counts.reached,
        trialsDiverged: counts.diverged,
        trialsNotReached: counts.notReached,
        trialsFailed: counts.failed,
        target: exp.target.value,
        targetMetric: exp.target.metric,
        wallTime: c.trials.reduce((s, t) => s + (trials[t].result?.wallTime ?? 0), 0),
      };
      const status: RunStatus = counts.failed === c.trials.length ? 'failed' : 'completed';
      const patch: StatusPatch = { summary, hyperparameters: hp };
      if (status === 'failed') patch.error = { message: trials[c.trials[0]].message ?? 'every trial failed' };
      setStatus(cell.writer, status, patch);
      cell.writer.close();
    };

    const factor = exp.budget.relativeToSmallerBatch;
    /** The fewest steps any smaller batch size of the same optimizer has needed so far. */
    const smallerBest = (ci: number): number | null => {
      let best: number | null = null;
      for (const other of plan.cells) {
        if (other.optimizer !== plan.cells[ci].optimizer || other.batchSize >= plan.cells[ci].batchSize) continue;
        const inc = cells[other.index].incumbent;
        const s = inc === null ? null : outcomes.get(inc)!;
        if (s !== null && (best === null || s < best)) best = s;
      }
      return best;
    };
    const limitOf = (ti: number) => {
      const ci = plan.trials[ti].cell;
      const inc = cells[ci].incumbent;
      let limit = stepLimitFor(plan, ti, inc, inc === null ? null : outcomes.get(inc)!, maxSteps);
      if (factor !== undefined) {
        const s = smallerBest(ci);
        if (s !== null) limit = Math.min(limit, Math.max(1, Math.ceil(factor * s)));
      }
      return limit;
    };

    const runOne = async (ti: number): Promise<void> => {
      const t = plan.trials[ti];
      const ci = t.cell;
      const state = trials[ti];
      const cell = cells[ci];
      const limit = limitOf(ti);
      if (!cell.started) {
        cell.started = true;
        setStatus(cell.writer, 'running');
      }
      let status: RunStatus;
      let result: TrainResult | undefined;
      let message: string | undefined;
      if (limit < 1) {
        // The cell's best reached the target at step 1: nothing can beat it.
        status = 'completed';
        state.result = undefined;
        setStatus(state.writer, 'running');
      } else {
        setStatus(state.writer, 'running');
        running.add(ti);
        const r = await runner.run(
          { trial: ti, optimizerSpec: t.optimizerSpec, batchSize: t.batchSize, runDir: state.writer.dir, stepLimit: limit },
          {
            onMetrics: (rows) => {
              const { from } = state.writer.appendRows(rows);
              options.onMetrics?.(state.writer.id, rows, from);
            },
          },
        );
        running.delete(ti);
        if (r.ok) {
          result = r.result;
          status = result.status === 'diverged' ? 'diverged' : result.status === 'cancelled' ? 'cancelled' : 'completed';
        } else {
          message = r.message;
          status = signal?.aborted || r.message === 'cancelled' ? 'cancelled' : 'failed';
        }
      }
      const steps = result?.status === 'reached' ? result.stepsToTarget : null;
      outcomes.set(ti, steps);
      state.status = status;
      state.result = result;
      state.message = message;
      const summary: Record<string, unknown> = {
        stepsToTarget: steps,
        reachedTarget: steps !== null,
        examplesToTarget: steps === null ? null : (result?.examples ?? steps * t.batchSize),
        steps: result?.steps ?? 0,
        stoppedEarly: limit < 1 || (result?.stoppedByLimit ?? false),
        stepLimit: Math.max(0, limit),
        finalLoss: result?.finalLoss ?? null,
        lastEvaluation: result?.lastEvaluation ?? null,
        bestEvaluation: result?.bestEvaluation ?? null,
        evaluations: result?.evaluations ?? 0,
        wallTime: result?.wallTime ?? 0,
        target: exp.target.value,
        targetMetric: exp.target.metric,
        ...(result?.divergence !== undefined && { divergence: result.divergence }),
      };
      const patch: StatusPatch = { summary };
      if (status === 'failed') patch.error = { message: message ?? 'failed', where: exp.file };
      if (state.writer.status === 'running') setStatus(state.writer, status, patch);
      state.writer.close();
      summaries[ti] = { id: state.writer.id, label: t.label, optimizer: plan.cells[ci].optimizer.label, batchSize: t.batchSize, status, stepsToTarget: steps, steps: result?.steps ?? 0, hyperparameters: t.hyperparameters };
      // A better result prunes the cell's running trials.
      const best = bestOfCell(plan, ci, outcomes);
      if (best !== cell.incumbent) {
        cell.incumbent = best;
        const affected = (oc: number) => oc === ci || (factor !== undefined && plan.cells[oc].optimizer === plan.cells[ci].optimizer && plan.cells[oc].batchSize > t.batchSize);
        for (const other of running) if (affected(plan.trials[other].cell)) runner.setLimit(other, limitOf(other));
      }
      cell.finished++;
      done++;
      const detail =
        status === 'diverged'
          ? `diverged (${result?.divergence ?? ''})`
          : status === 'failed'
            ? `failed: ${message}`
            : status === 'cancelled'
              ? 'cancelled'
              : steps !== null
                ? `${steps} steps`
                : limit < 1 || result?.stoppedByLimit
                  ? `stopped at ${Math.max(0, result?.steps ?? 0)} steps (step limit from the best results so far)`
                  : `not reached in ${result?.steps ?? 0} steps`;
      const secs = result ? ` in ${result.wallTime.toFixed(1)} s` : '';
      options.onProgress?.(done, plan.trials.length, {
        id: state.writer.id,
        label: t.label,
        optimizer: plan.cells[ci].optimizer.type,
        batchSize: t.batchSize,
        status: status === 'diverged' ? 'completed' : (status as RunSummary['status']),
        stepsToTarget: steps,
        hyperparameters: t.hyperparameters,
        detail: detail + secs,
      });
      if (cell.finished === plan.cells[ci].trials.length && !signal?.aborted) finishCell(ci);
    };

    // ---- schedule: at most `capacity` trials at once, in plan order ----
    let next = 0;
    let failure: unknown;
    const lane = async () => {
      while (next < plan.order.length && !signal?.aborted && failure === undefined) {
        const ti = plan.order[next++];
        try {
          await runOne(ti);
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: runner.capacity }, lane));

    if (signal?.aborted || failure !== undefined) {
      const cancelled = signal?.aborted === true;
      const message = failure instanceof Error ? failure.message : String(failure);
      const close = (w: RunWriter) => {
        if (w.status === 'queued' || w.status === 'running') {
          if (cancelled) setStatus(w, 'cancelled');
          else setStatus(w, 'failed', { error: { message, where: exp.file } });
        }
        w.close();
      };
      trials.forEach((t) => close(t.writer));
      cells.forEach((c) => close(c.writer));
      if (cancelled) throw new Error('cancelled');
      throw failure;
    }

    // ---- the critical-batch-size reports, one per optimizer entry ----
    const reports: CriticalBatchReport[] = exp.optimizers.map((opt) => {
      const rows: ScalingRow[] = [];
      plan.cells.forEach((c, ci) => {
        if (c.optimizer !== opt) return;
        const best = bestOfCell(plan, ci, outcomes);
        const hp = best === null ? null : plan.trials[best].hyperparameters;
        const row: ScalingRow = { batchSize: c.batchSize, steps: best === null ? null : outcomes.get(best)!, learningRate: hp?.learningRate ?? null, lowerBound: Number.NaN };
        if (opt.type === 'momentum' || opt.type === 'nesterov') row.momentum = hp?.momentum ?? null;
        if (hp) row.hyperparameters = hp;
        rows.push(row);
      });
      return criticalBatchReport(opt.label, { type: opt.type, precondition: 0 }, rows);
    });
    const runs: RunSummary[] = plan.cells.map((c, ci) => {
      const best = bestOfCell(plan, ci, outcomes);
      const w = cells[ci].writer;
      return {
        id: w.id,
        label: c.optimizer.label,
        optimizer: c.optimizer.type,
        batchSize: c.batchSize,
        status: w.status === 'failed' ? 'failed' : 'completed',
        stepsToTarget: best === null ? null : outcomes.get(best)!,
        hyperparameters: best === null ? {} : { ...plan.trials[best].hyperparameters },
      };
    });
    let prediction: CriticalBatchReport[] | undefined;
    if (options.prediction !== false) {
      try {
        prediction = await nqmPrediction(exp, { workers: options.workers, signal });
      } catch (err) {
        options.onLog?.(`the NQM prediction could not be computed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return {
      experiment: exp.name,
      ...(exp.file !== undefined && { file: exp.file }),
      runs,
      criticalBatchSize: reports,
      trials: summaries,
      backend: info.description,
      ...(prediction && { prediction }),
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await runner.stop();
  }
}

export type { MetricRow };
