// `optlab run --resume`: what an earlier, interrupted session of the same experiment left in the
// store. Each trial of the plan is matched to the newest earlier run of the same trial (same
// optimizer entry, batch size, grid point, optimizer options and seed); a completed or diverged one is
// reused as it is, any other is run again, from its checkpoint.json when that is usable. An
// earlier run whose owner is still alive means another process is running the experiment: that is
// refused, not raced.
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedExperiment } from '../../experiment/types';
import { METRICS_JSONL, type MetricRow, type RunRecord, type RunStore } from '../../store';
import type { SweepPlan } from '../../sweep/plan';
import { meetsTarget } from '../../train/target';
import type { TargetMetric, TrainResult } from '../../train/types';

const CHECKPOINT_FILE = 'checkpoint.json';

export type PreviousTrial =
  /** Finished (completed or diverged): its run and summary stand. */
  | { kind: 'reuse'; record: RunRecord }
  /** Interrupted with a usable checkpoint: the new run starts from it, with the rows up to its step. */
  | { kind: 'checkpoint'; record: RunRecord; step: number }
  /** Interrupted (or failed) without a usable checkpoint: run again from the start. */
  | { kind: 'rerun'; record: RunRecord };

export class ResumeRefused extends Error {
  override name = 'ResumeRefused';
}

interface TrialConfig {
  kind?: string;
  optimizer?: { pointer?: string };
  optimizerSpec?: unknown;
  batchSize?: number;
  trialOf?: { gridIndex?: number };
  seed?: number;
}

function trialKey(pointer: string | undefined, batchSize: number | undefined, gridIndex: number | undefined, spec: unknown, seed: unknown): string {
  return JSON.stringify([pointer, batchSize, gridIndex, spec, seed]);
}

/** The earlier runs of each planned trial (by trial index); throws ResumeRefused while one is still owned by a live process. */
export function previousTrials(exp: ResolvedExperiment, plan: SweepPlan, store: RunStore): Map<number, PreviousTrial> {
  if (exp.file === undefined) throw new ResumeRefused('--resume needs the experiment file (runs are matched by it)');
  const file = path.resolve(exp.file);
  const newest = new Map<string, RunRecord>();
  for (const r of store.list()) {
    if (r.experiment.file === undefined || path.resolve(r.experiment.file) !== file) continue;
    if (r.status === 'queued' || r.status === 'running') {
      const owner = r.owner ? `process ${r.owner.pid} on ${r.owner.host}` : 'another process';
      throw new ResumeRefused(`run ${r.id} of ${exp.file} is still ${r.status} (owned by ${owner}): stop that process before resuming`);
    }
    // The earlier session died: write down what readers already derive.
    if (r.orphan) {
      try {
        store.markCrashed(r.id, `${r.orphan.reason}; resumed by process ${process.pid}`);
      } catch {
        // derived on read anyway
      }
    }
    const c = r.config as TrialConfig;
    if (c?.kind !== 'trial') continue;
    const key = trialKey(c.optimizer?.pointer, c.batchSize, c.trialOf?.gridIndex, c.optimizerSpec, c.seed);
    const seen = newest.get(key);
    if (!seen || seen.createdAt <= r.createdAt) newest.set(key, r);
  }
  const out = new Map<number, PreviousTrial>();
  plan.trials.forEach((t, ti) => {
    const pointer = plan.cells[t.cell].optimizer.pointer;
    const record = newest.get(trialKey(pointer, t.batchSize, t.gridIndex, t.optimizerSpec, t.seed));
    if (!record) return;
    if (record.status === 'completed' || record.status === 'diverged') out.set(ti, { kind: 'reuse', record });
    else {
      const step = usableCheckpoint(store.runDir(record.id), exp);
      out.set(ti, step === undefined ? { kind: 'rerun', record } : { kind: 'checkpoint', record, step });
    }
  });
  return out;
}

/**
 * The step of the run's checkpoint when training can continue from it: it exists and parses, the
 * rows up to its step are on disk (a crash can lose the last ones, see the README), and the target
 * had not been met at its last evaluation (a checkpoint is written before the loop stops at the
 * target, and continuing from it would miss that step).
 */
function usableCheckpoint(dir: string, exp: ResolvedExperiment): number | undefined {
  let doc: { step?: unknown; lastEvaluation?: unknown };
  try {
    doc = JSON.parse(fs.readFileSync(path.join(dir, CHECKPOINT_FILE), 'utf8')) as typeof doc;
  } catch {
    return undefined;
  }
  const step = doc.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 1) return undefined;
  if (exp.target.relativeToInitial) return undefined; // the target's own units are not in the checkpoint
  const last = doc.lastEvaluation;
  if (typeof last === 'number' && meetsTarget(exp.target.metric as TargetMetric, last, exp.target.value)) return undefined;
  const steps = rowSteps(path.join(dir, METRICS_JSONL));
  return steps.some((s) => s >= step) ? step : undefined;
}

function rowSteps(file: string): number[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const steps: number[] = [];
  for (const line of text.split('\n')) {
    try {
      const row = JSON.parse(line) as { step?: unknown };
      if (typeof row.step === 'number') steps.push(row.step);
    } catch {
      // a cut-off last line
    }
  }
  return steps;
}

/** The earlier run's rows up to the checkpoint's step (the new run starts with them), and its checkpoint copied into `toDir`. */
export function seedFromCheckpoint(store: RunStore, from: RunRecord, step: number, toDir: string): MetricRow[] {
  const rows = store.readMetrics(from.id).rows.filter((r) => typeof r.step === 'number' && r.step <= step);
  fs.copyFileSync(path.join(store.runDir(from.id), CHECKPOINT_FILE), path.join(toDir, CHECKPOINT_FILE));
  return rows;
}

/** The training result a kept trial's run recorded (its summary; what the report needs of it). */
export function resultFromSummary(record: RunRecord): TrainResult {
  const s = record.summary;
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  const stepsToTarget = num(s.stepsToTarget);
  return {
    status: record.status === 'diverged' ? 'diverged' : stepsToTarget !== null ? 'reached' : 'budget',
    stepsToTarget,
    steps: num(s.steps) ?? 0,
    ...(typeof s.warmupSteps === 'number' && { warmupSteps: s.warmupSteps }),
    examples: num(s.examplesToTarget) ?? 0,
    wallTime: num(s.wallTime) ?? 0,
    finalLoss: num(s.finalLoss),
    targetValue: num(s.target),
    lastEvaluation: num(s.lastEvaluation),
    bestEvaluation: num(s.bestEvaluation),
    evaluations: num(s.evaluations) ?? 0,
    ...(typeof s.divergence === 'string' && { divergence: s.divergence }),
    stoppedByLimit: s.stoppedEarly === true,
    divergeAbove: null,
  };
}
