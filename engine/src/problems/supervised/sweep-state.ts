// What the steps of a supervised sweep (create-runs, schedule, aggregate) share while it runs.
import type { ResolvedExperiment } from '../../experiment/types';
import type { RunRecord, RunStatus, RunWriter, StatusPatch } from '../../store';
import type { SweepPlan } from '../../sweep/plan';
import type { TrainResult } from '../../train/types';

export interface TrialState {
  writer: RunWriter;
  status: RunStatus;
  result?: TrainResult;
  message?: string;
  /** A resumed sweep: this trial's earlier run finished, and is kept (its writer is that run's). */
  reused?: boolean;
  /** A resumed sweep: the trial continues from this earlier run's checkpoint at `step`. */
  resumeFrom?: { run: RunRecord; step: number };
}

/** A cell (optimizer entry x batch size): its own run, the best of its grid. */
export interface CellState {
  writer: RunWriter;
  started: boolean;
  finished: number;
  /** The cell's best trial so far (bestOfCell). */
  incumbent: number | null;
}

export interface SweepState {
  exp: ResolvedExperiment;
  plan: SweepPlan;
  trials: TrialState[];
  cells: CellState[];
  /** Steps to target of each finished trial; null = not reached (diverged, failed, stopped). */
  outcomes: Map<number, number | null>;
  /** Sets a run's status and tells the caller. */
  setStatus(w: RunWriter, status: RunStatus, patch?: StatusPatch): void;
}
