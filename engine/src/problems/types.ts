// A kind of problem an experiment file can pose (the noisy quadratic model, a supervised network,
// later games and sequences): how its experiments are planned, run, reported and judged. The runner
// knows nothing else about a kind; problems/index.ts lists them.
//
// The interface is deliberately silent about the mathematics: a kind may have one loss or one per
// player, a symmetric Hessian or not, a stateless model or a recurrent one. What every kind shares
// is the experiment's shape: optimizer entries x batch sizes, each run recorded in the store with
// metric rows, and a steps-to-target table per optimizer that feeds the critical-batch-size fit.
import type { Finding } from '../analysis/nqm-findings';
import type { ExperimentResult, RunSummary } from '../analysis/report-types';
import type { ResolvedExperiment } from '../experiment/types';
import type { MetricRow, RunStatus, RunStore, StatusPatch } from '../store';
import type { MetricDeclaration } from '../metrics/meta';
import type { DatasetAccess } from '../data/dataset-access';

/** What a caller (CLI, engine server, tests) hears while an experiment runs, and how it steers it. */
export interface RunOptions {
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, run: RunSummary) => void;
  /** Every run is created (queued) before any starts. */
  onRunsCreated?: (runs: { id: string; label: string; optimizer: string; batchSize: number }[]) => void;
  onRunStatus?: (runId: string, status: RunStatus, patch: StatusPatch) => void;
  /** Rows as they are appended to a run's metrics.jsonl; `seq` is the first row's sequence number (its line there). */
  onMetrics?: (runId: string, rows: MetricRow[], seq: number) => void;
  /** Lines worker processes print, and notes that are not failures. */
  onLog?: (line: string) => void;
  /**
   * Continue an interrupted session of the same experiment file in this store: finished trials are
   * kept, the others run again (from their checkpoints where usable). Kinds whose runs take
   * seconds (the NQM) simply run again.
   */
  resume?: boolean;
  /** Where dataset files may be read from; default: the experiment file's folder and the working folder. */
  dataAccess?: DatasetAccess;
}

export interface ProblemKind<Plan = unknown, Options extends RunOptions = RunOptions> {
  /** The registry key: 'nqm', 'supervised'. */
  readonly kind: string;
  /** The problem.type values of experiment files that this kind runs. */
  readonly problemTypes: readonly string[];
  /** The metrics its runs write (optimizers' own statistics are described by the optimizers). */
  readonly metrics: readonly MetricDeclaration[];
  /** The trials of an experiment, before anything runs (throws when the experiment cannot be planned). */
  plan(exp: ResolvedExperiment): Plan;
  /** Runs the plan: records every run in the store and returns the experiment-level report. */
  run(exp: ResolvedExperiment, plan: Plan, store: RunStore, options: Options): Promise<ExperimentResult>;
  /** The paper's claims checked against the report. */
  findings(result: ExperimentResult): Finding[];
}
