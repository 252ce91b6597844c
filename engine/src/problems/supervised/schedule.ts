// Runs a sweep's trials: at most `runner.capacity` at once, in plan order. A trial can only matter
// by beating its cell's best so far, so it gets that many steps at most and is told when the best
// improves while it runs (the chosen points are the same as without this pruning). Optionally
// (budget.relativeToSmallerBatch = f) a trial also gives up after f times the fewest steps any
// smaller batch size of the same optimizer has needed so far.
import type { RunSummary, TrialSummary } from '../../analysis/report-types';
import { StoreError, type RunStatus, type RunStore, type StatusPatch } from '../../store';
import { errorText } from '../../store/errors';
import { bestOfCell, stepLimitFor } from '../../sweep/plan';
import type { TrialRunner } from '../../sweep/pool';
import type { TrainResult } from '../../train/types';
import type { RunOptions } from '../types';
import { finishCell } from './aggregate';
import { seedFromCheckpoint } from './resume';
import type { SweepState } from './sweep-state';

export interface ScheduleOutcome {
  /** Every trial that ran, by trial index. */
  summaries: TrialSummary[];
  /** The first unexpected error of a trial's bookkeeping (the remaining trials were not started). */
  failure: unknown;
}

export async function scheduleTrials(sweep: SweepState, runner: TrialRunner, store: RunStore, options: RunOptions): Promise<ScheduleOutcome> {
  const { exp, plan, trials, cells, outcomes } = sweep;
  const signal = options.signal;
  const maxSteps = exp.budget!.maxSteps;
  const factor = exp.budget!.relativeToSmallerBatch;
  const running = new Set<number>();
  const summaries: TrialSummary[] = new Array(plan.trials.length);
  let done = 0;

  /** The fewest steps any smaller batch size of the same optimizer (and seed) has needed so far. */
  const smallerBest = (ci: number): number | null => {
    let best: number | null = null;
    for (const other of plan.cells) {
      if (other.optimizer !== plan.cells[ci].optimizer || other.batchSize >= plan.cells[ci].batchSize || other.seed !== plan.cells[ci].seed) continue;
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
      sweep.setStatus(cell.writer, 'running');
    }
    if (state.reused) {
      keepEarlier(ti);
      return;
    }
    let status: RunStatus;
    let result: TrainResult | undefined;
    let message: string | undefined;
    if (limit < 1) {
      // The cell's best reached the target at step 1: nothing can beat it.
      status = 'completed';
      state.result = undefined;
      sweep.setStatus(state.writer, 'running');
    } else {
      sweep.setStatus(state.writer, 'running');
      if (state.resumeFrom) {
        // The rows up to the checkpoint first, then the worker continues from it.
        const rows = seedFromCheckpoint(store, state.resumeFrom.run, state.resumeFrom.step, state.writer.dir);
        const { from } = state.writer.appendRows(rows);
        state.writer.flush();
        options.onMetrics?.(state.writer.id, rows, from);
      }
      running.add(ti);
      const r = await runner.run(
        { trial: ti, optimizerSpec: t.optimizerSpec, batchSize: t.batchSize, runDir: state.writer.dir, stepLimit: limit, seed: t.seed, ...(state.resumeFrom && { resumeFrom: state.writer.dir }) },
        {
          onMetrics: (rows) => {
            if (storeFailure) return;
            let from: number;
            try {
              ({ from } = state.writer.appendRows(rows));
              // Written at once (the worker already batches 100 ms): a crash loses only rows in transit.
              state.writer.flush();
            } catch (err) {
              failStore(err);
              return;
            }
            options.onMetrics?.(state.writer.id, rows, from);
          },
        },
      );
      running.delete(ti);
      // The worker could not write into the run's folder (its checkpoint): the store is failing.
      if (!r.ok && r.store) failStore(new StoreError(r.message, { ...(r.store.path !== undefined && { path: r.store.path }), cause: { code: r.store.code } }));
      if (storeFailure) {
        // The store cannot take this trial's rows (full disk, no permission, ...): the trial failed,
        // whatever the worker says, and so does every trial stopped because of it.
        status = 'failed';
        message = errorText(storeFailure);
      } else if (r.ok) {
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
      // K-FAC's burn-in: statistics-only updates before step 1, not counted in the steps above.
      ...(result?.warmupSteps !== undefined && { warmupSteps: result.warmupSteps }),
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
    if (status === 'failed') patch.error = { message: message ?? 'failed', where: storeFailure ? state.writer.metricsPath : exp.file };
    // The writer is closed (its file released) even when recording the status fails; a failed
    // metrics file makes close() record the run 'failed' if run.json can still be written.
    let writeError: unknown;
    try {
      if (state.writer.status === 'running') sweep.setStatus(state.writer, status, patch);
    } catch (err) {
      writeError = err;
    }
    try {
      state.writer.close();
    } catch (err) {
      writeError ??= err;
    }
    if (writeError !== undefined) {
      failStore(writeError);
      throw writeError;
    }
    summaries[ti] = { id: state.writer.id, label: t.label, optimizer: plan.cells[ci].optimizer.label, batchSize: t.batchSize, status, stepsToTarget: steps, steps: result?.steps ?? 0, hyperparameters: t.hyperparameters, ...(message !== undefined && { message }) };
    const secs = result ? ` in ${result.wallTime.toFixed(1)} s` : '';
    trialFinished(ti, status, steps, progressDetail(status, steps, limit, result, message) + secs);
  };

  /** A resumed sweep's trial whose earlier run finished: its outcome is that run's. */
  const keepEarlier = (ti: number): void => {
    const t = plan.trials[ti];
    const state = trials[ti];
    const steps = state.result?.stepsToTarget ?? null;
    outcomes.set(ti, steps);
    summaries[ti] = { id: state.writer.id, label: t.label, optimizer: plan.cells[t.cell].optimizer.label, batchSize: t.batchSize, status: state.status, stepsToTarget: steps, steps: state.result?.steps ?? 0, hyperparameters: t.hyperparameters };
    state.writer.close();
    trialFinished(ti, state.status, steps, `kept from run ${state.writer.id} (${steps === null ? state.status : `${steps} steps`})`);
  };

  /** What every finished trial does: prune the cell's running trials, report progress, finish the cell when it is complete. */
  const trialFinished = (ti: number, status: RunStatus, steps: number | null, detail: string): void => {
    const t = plan.trials[ti];
    const ci = t.cell;
    const cell = cells[ci];
    const state = trials[ti];
    // A better result prunes the cell's running trials.
    const best = bestOfCell(plan, ci, outcomes);
    if (best !== cell.incumbent) {
      cell.incumbent = best;
      const affected = (oc: number) => oc === ci || (factor !== undefined && plan.cells[oc].optimizer === plan.cells[ci].optimizer && plan.cells[oc].batchSize > t.batchSize);
      for (const other of running) if (affected(plan.trials[other].cell)) runner.setLimit(other, limitOf(other));
    }
    cell.finished++;
    done++;
    options.onProgress?.(done, plan.trials.length, {
      id: state.writer.id,
      label: t.label,
      optimizer: plan.cells[ci].optimizer.type,
      batchSize: t.batchSize,
      status: status === 'diverged' ? 'completed' : (status as RunSummary['status']),
      stepsToTarget: steps,
      hyperparameters: t.hyperparameters,
      detail,
    });
    if (cell.finished === plan.cells[ci].trials.length && !signal?.aborted) finishCell(sweep, ci, store, options);
  };

  let next = 0;
  let failure: unknown;
  let storeFailure: unknown;
  /** The first write failure stops the sweep: no new trial starts and running ones are stopped. */
  function failStore(err: unknown): void {
    if (storeFailure !== undefined) return;
    storeFailure = err;
    failure ??= err;
    void runner.stop();
  }
  const lane = async () => {
    while (next < plan.order.length && !signal?.aborted && failure === undefined) {
      const ti = plan.order[next++];
      try {
        await runOne(ti);
      } catch (err) {
        if (err instanceof StoreError) failStore(err);
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: runner.capacity }, lane));
  return { summaries, failure };
}

/** The progress line's account of a finished trial. */
function progressDetail(status: RunStatus, steps: number | null, limit: number, result: TrainResult | undefined, message: string | undefined): string {
  if (status === 'diverged') return `diverged (${result?.divergence ?? ''})`;
  if (status === 'failed') return `failed: ${message}`;
  if (status === 'cancelled') return 'cancelled';
  if (steps !== null) return `${steps} steps`;
  if (limit < 1 || result?.stoppedByLimit) return `stopped at ${Math.max(0, result?.steps ?? 0)} steps (step limit from the best results so far)`;
  return `not reached in ${result?.steps ?? 0} steps`;
}
