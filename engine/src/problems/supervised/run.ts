// Runs a supervised (neural) experiment as a sweep: every (optimizer entry, batch size, grid point)
// is a trial, trained in a worker process and recorded as a run in the store (queued, running, then completed,
// diverged, failed or cancelled) whose metrics stream to metrics.jsonl and to the caller. For each
// (optimizer, batch size) cell, the best steps-to-target over the grid (fewest steps; ties to the
// earlier grid point; diverged or not reached = no result) is recorded as the cell's own run (label
// = the optimizer's, batch size set, best hyperparameters, the best trial's curve), exactly as an
// NQM run is, and feeds the critical-batch-size fit. The steps: plan (sweep/plan.ts), create the
// runs (create-runs.ts), schedule the trials (schedule.ts), aggregate (aggregate.ts).
//
// Nothing here loads TensorFlow.js: the workers do.
import type { CriticalBatchReport, ExperimentResult } from '../../analysis/report-types';
import type { ResolvedExperiment } from '../../experiment/types';
import { isNeuralProblem } from '../../experiment/types';
import { StoreError, type RunStatus, type RunStore, type RunWriter, type StatusPatch } from '../../store';
import type { BackendInfo, WorkerSetup } from '../../sweep/messages';
import { planSweep, type SweepPlan } from '../../sweep/plan';
import { ProcessPool, SetupInvalid, type TrialRunner } from '../../sweep/pool';
import { nqmPrediction } from '../../sweep/prediction';
import type { RunOptions } from '../types';
import { cellRuns, sweepReports } from './aggregate';
import { createRuns } from './create-runs';
import { previousTrials, type PreviousTrial } from './resume';
import { scheduleTrials } from './schedule';
import { availableCores, invalidFile, setupOf } from './setup';
import type { SweepState } from './sweep-state';

export interface SweepOptions extends RunOptions {
  /** Overrides the experiment's backend. */
  backend?: WorkerSetup['backend'];
  /** For tests: what runs trials (default: a pool of worker processes). */
  runner?: TrialRunner;
  /** Compute the NQM's prediction for overlay (default true). */
  prediction?: boolean;
}

/** The sweep of a supervised experiment (throws when it is not one or has no budget). */
export function planSupervised(exp: ResolvedExperiment): SweepPlan {
  if (!isNeuralProblem(exp.problem)) throw new Error(`problem type '${exp.problem.type}' is not a neural problem`);
  if (!exp.budget) throw new Error('a neural experiment needs a budget');
  return planSweep(exp);
}

export async function runNeuralExperiment(exp: ResolvedExperiment, store: RunStore, options: SweepOptions = {}): Promise<ExperimentResult> {
  return await runSupervisedPlan(exp, planSupervised(exp), store, options);
}

export async function runSupervisedPlan(exp: ResolvedExperiment, plan: SweepPlan, store: RunStore, options: SweepOptions = {}): Promise<ExperimentResult> {
  const setup = setupOf(exp, plan, options.backend, options.dataAccess);
  const runner = options.runner ?? new ProcessPool({ workers: Math.max(1, Math.min(options.workers ?? availableCores(), plan.trials.length)), onLog: options.onLog });
  const signal = options.signal;

  let info: BackendInfo;
  const onAbort = () => void runner.stop();
  signal?.addEventListener('abort', onAbort);
  try {
    if (signal?.aborted) throw new Error('cancelled');
    // Before any worker starts: a resume that must be refused (the experiment still runs elsewhere) costs nothing.
    const previous = options.resume ? previousTrials(exp, plan, store) : new Map<number, PreviousTrial>();
    try {
      info = await runner.start(setup);
    } catch (err) {
      if (err instanceof SetupInvalid) throw invalidFile(exp, err);
      if (signal?.aborted) throw new Error('cancelled');
      throw err;
    }

    if (options.resume) {
      const kept = [...previous.values()].filter((p) => p.kind === 'reuse').length;
      const fromCheckpoint = [...previous.values()].filter((p) => p.kind === 'checkpoint').length;
      options.onLog?.(`resuming: ${kept} of ${plan.trials.length} trials kept from earlier runs, ${fromCheckpoint} continue from a checkpoint, ${plan.trials.length - kept - fromCheckpoint} run again`);
    }
    const { trials, cells } = createRuns(exp, plan, info, store, options, previous);
    const sweep: SweepState = {
      exp,
      plan,
      trials,
      cells,
      outcomes: new Map(),
      setStatus: (w: RunWriter, status: RunStatus, patch: StatusPatch = {}) => {
        w.setStatus(status, patch);
        options.onRunStatus?.(w.id, status, patch);
      },
    };
    const { summaries, failure } = await scheduleTrials(sweep, runner, store, options);

    if (signal?.aborted || failure !== undefined) {
      const cancelled = signal?.aborted === true;
      const message = failure instanceof Error ? failure.message : String(failure);
      // Every unfinished run is recorded as cancelled or failed where the store still allows it
      // (after a write failure it may not: readers then see them crashed once this process ends).
      const close = (w: RunWriter) => {
        try {
          if (w.status === 'queued' || w.status === 'running') {
            if (cancelled) sweep.setStatus(w, 'cancelled');
            else sweep.setStatus(w, 'failed', { error: { message, where: failure instanceof StoreError && failure.path !== undefined ? failure.path : exp.file } });
          }
        } catch {
          // the first failure is the one reported
        }
        try {
          w.close();
        } catch {
          // idem
        }
      };
      trials.forEach((t) => close(t.writer));
      cells.forEach((c) => close(c.writer));
      if (cancelled) throw new Error('cancelled');
      throw failure;
    }

    const reports = sweepReports(sweep);
    const runs = cellRuns(sweep);
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
