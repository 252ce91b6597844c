// optlab run <file> [--store DIR] [--json] [--workers N] [--backend NAME] [--resume]
import path from 'node:path';
import { intervalText } from '../../analysis/compare-critical-batch';
import type { Finding } from '../../analysis/nqm-findings';
import { loadExperiment } from '../../experiment/load';
import { isNeuralProblem } from '../../experiment/types';
import { findingsFor, runExperiment } from '../../runner';
import type { CriticalBatchReport, ExperimentResult } from '../../analysis/report-types';
import { RunStore } from '../../store';
import { numberFlag, parseArgs, UsageError } from '../args';
import { num, table } from '../format';

export const RUN_USAGE = 'optlab run <file.optlab.json> [--store DIR] [--json] [--workers N] [--backend auto|cuda|tensorflow|wasm|cpu] [--resume] [--allow-outside-workspace]';
/** Exit code of a run that finished but in which some trials failed (not diverged, not unreached): its result is incomplete. */
export const EXIT_TRIALS_FAILED = 3;
const BACKENDS = ['auto', 'cuda', 'tensorflow', 'wasm', 'cpu'] as const;

export function storeFrom(values: Map<string, string>): RunStore {
  const dir = values.get('store');
  return new RunStore(dir ? path.resolve(dir) : RunStore.defaultRoot(process.cwd()));
}

/** The steps cell of a row: a failed cell says so (never just "not reached"). */
function stepsCell(p: CriticalBatchReport['points'][number]): string {
  if (p.incomplete) return `incomplete: ${p.incomplete.failed.length}/${p.incomplete.trials} trials failed${p.steps === null ? '' : ` (best of the rest ${num(p.steps)})`}`;
  return p.steps === null ? 'not reached' : num(p.steps);
}

export function scalingTable(report: CriticalBatchReport): string {
  const slopeTo = new Map(report.slopes.map((s) => [s.toBatchSize, s.slope]));
  const seeds = report.points.some((p) => p.seedSteps !== undefined);
  // Neural sweeps: every searched option beyond the learning rate that varies; no lower bound.
  const neural = report.points.some((p) => p.hyperparameters !== undefined) || report.points.every((p) => Number.isNaN(p.lowerBound));
  if (neural) {
    const keys = [...new Set(report.points.flatMap((p) => Object.keys(p.hyperparameters ?? {})))].filter((k) => k !== 'learningRate');
    const header = ['batch size', seeds ? 'steps (geo. mean)' : 'steps', ...(seeds ? ['per seed'] : []), 'examples', seeds ? 'lr (most seeds)' : 'best lr', ...keys, 'slope'];
    const rows = report.points.map((p) => [
      String(p.batchSize),
      stepsCell(p),
      ...(seeds ? [(p.seedSteps ?? []).map((x) => (x === null ? '-' : num(x))).join(' ')] : []),
      p.steps === null ? '-' : num(p.steps * p.batchSize),
      num(p.learningRate),
      ...keys.map((k) => num(p.hyperparameters?.[k], 6)),
      slopeTo.has(p.batchSize) ? num(slopeTo.get(p.batchSize)!, 3) : '-',
    ]);
    return table(header, rows);
  }
  const extra = report.type === 'momentum' ? 'momentum' : report.type === 'ema' ? 'decay' : null;
  const header = ['batch size', 'steps', 'examples', 'best lr', ...(extra ? [extra] : []), 'lower bound', 'slope'];
  const rows = report.points.map((p) => [
    String(p.batchSize),
    stepsCell(p),
    p.steps === null ? '-' : num(p.steps * p.batchSize),
    num(p.learningRate),
    ...(extra ? [num(extra === 'momentum' ? p.momentum : p.decay, 6)] : []),
    num(p.lowerBound),
    slopeTo.has(p.batchSize) ? num(slopeTo.get(p.batchSize)!, 3) : '-',
  ]);
  return table(header, rows);
}

/** "95% [227, 513] (bootstrap over 3 seeds)", or why there is none. */
export function intervalLine(report: CriticalBatchReport): string {
  const m = report.bCritIntervalMethod;
  if (!report.bCritInterval || !m) return 'no interval';
  const how = m.method === 'bootstrap-seeds' ? `bootstrap over ${m.seeds} seeds` : 'profile likelihood';
  return `${Math.round(m.level * 100)}% ${intervalText(report)} (${how})`;
}

export function fitLine(report: CriticalBatchReport): string {
  if (report.bCrit === null) return `critical batch size: not fitted (${report.error})`;
  const head = `critical batch size: B_crit = ${num(report.bCrit)}, ${intervalLine(report)}  (S_min = ${num(report.sMin)} steps, E_min = ${num(report.eMin)} examples; fit S(B) = S_min (1 + B_crit/B))`;
  return report.status === 'partial' ? `${head}\n  partial fit: ${report.warnings.join('; ')}` : head;
}

export function findingsText(findings: Finding[]): string {
  return findings
    .map((f) => {
      const tag = f.inconclusive !== undefined ? 'inconclusive' : f.holds === null ? '?' : f.holds ? 'agrees' : 'DIFFERS';
      return `  [${tag}] ${f.claim}\n           ${f.evidence}${f.inconclusive !== undefined ? `\n           inconclusive: ${f.inconclusive}` : ''}`;
    })
    .join('\n');
}

/**
 * One batch size: a comparison of optimizers (steps to target with the best grid point), not a
 * scaling study, so there is no critical batch size to fit.
 */
export function comparisonTable(result: ExperimentResult): string {
  const rows = result.criticalBatchSize.map((r) => {
    const p = r.points[0];
    const hp = Object.entries(p?.hyperparameters ?? {}).map(([k, v]) => `${k} ${num(v)}`).join(', ');
    const tried = (result.trials ?? []).filter((t) => t.optimizer === r.optimizer).length;
    return [r.optimizer, p?.steps == null ? 'not reached' : String(p.steps), p?.steps == null ? '-' : num(p.steps * p.batchSize), hp || '-', String(tried)];
  });
  return table(['optimizer', 'steps to target', 'examples', 'best grid point', 'trials'], rows);
}

/** Trials that failed or crashed (a diverged or unreached trial is a result, these are not). */
export function failedTrials(result: ExperimentResult): NonNullable<ExperimentResult['trials']> {
  return (result.trials ?? []).filter((t) => t !== undefined && (t.status === 'failed' || t.status === 'crashed'));
}

/** 0, or EXIT_TRIALS_FAILED when the sweep finished with failed trials. */
export function exitCodeOf(result: ExperimentResult): number {
  return failedTrials(result).length > 0 ? EXIT_TRIALS_FAILED : 0;
}

function failureLines(result: ExperimentResult): string[] {
  const failed = failedTrials(result);
  if (failed.length === 0) return [];
  const shown = failed.slice(0, 5).map((t) => `  ${t.label}: ${t.status}${t.message ? ` (${t.message})` : ''}`);
  if (failed.length > 5) shown.push(`  ... and ${failed.length - 5} more (--json lists them)`);
  return ['', `INCOMPLETE: ${failed.length} of ${result.trials!.length} trials failed (not diverged, not unreached); their cells are left out of the fits (exit code ${EXIT_TRIALS_FAILED}):`, ...shown];
}

export function resultText(result: ExperimentResult, findings: Finding[]): string {
  const out: string[] = [`Experiment ${result.experiment}: ${result.runs.length} runs`];
  const batchSizes = new Set(result.criticalBatchSize.flatMap((r) => r.points.map((p) => p.batchSize)));
  if (batchSizes.size === 1 && result.trials) {
    out.push('', `Steps to target at batch size ${[...batchSizes][0]} (best grid point of each optimizer)`, comparisonTable(result));
    if (result.backend) out.push('', `Computed on ${result.backend}`);
    out.push(...failureLines(result));
    return out.join('\n') + '\n';
  }
  for (const report of result.criticalBatchSize) {
    out.push('', `== ${report.optimizer} ==`, scalingTable(report), fitLine(report));
  }
  if (result.backend) out.push('', `Computed on ${result.backend}`);
  out.push('', 'Summary', table(
    ['optimizer', 'B_crit', 'interval', 'S_min', 'E_min', 'fit'],
    result.criticalBatchSize.map((r) => [r.optimizer, num(r.bCrit), r.bCrit === null ? '-' : intervalLine(r), num(r.sMin), num(r.eMin), r.incompleteBatchSizes?.length ? `${r.status}, incomplete at B=${r.incompleteBatchSizes.join(', ')}` : r.status]),
  ));
  if (findings.length) out.push('', `Findings of the paper (${result.trials ? 'real networks' : 'science-spec 1.4'}), as computed here:`, findingsText(findings));
  out.push(...failureLines(result));
  return out.join('\n') + '\n';
}

export async function runCommand(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { values: ['store', 'workers', 'backend'], booleans: ['json', 'resume', 'allow-outside-workspace'] }, 'run');
  if (parsed.positional.length !== 1) throw new UsageError(`usage: ${RUN_USAGE}`);
  const workers = numberFlag(parsed, 'workers', 'run', (x) => Number.isInteger(x) && x >= 1, 'a positive integer');
  const backend = parsed.values.get('backend');
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`optlab run: --backend must be one of ${BACKENDS.join(', ')}, got '${backend}'`);
  const file = path.resolve(parsed.positional[0]);
  const experiment = loadExperiment(file);
  const store = storeFrom(parsed.values);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  process.stderr.write(`optlab: running ${experiment.name} (${experiment.optimizers.length} optimizers x ${experiment.batchSizes.length} batch sizes) into ${store.root}\n`);
  let result: ExperimentResult;
  const neural = isNeuralProblem(experiment.problem);
  try {
    result = await runExperiment(experiment, store, {
      workers,
      signal: controller.signal,
      resume: parsed.booleans.has('resume'),
      // Datasets are read from the experiment file's folder and the working folder only, unless allowed.
      dataAccess: { roots: [], allowOutside: parsed.booleans.has('allow-outside-workspace') },
      ...(backend !== undefined && { backend: backend as (typeof BACKENDS)[number] }),
      onLog: (line) => process.stderr.write(`[worker] ${line}\n`),
      onProgress: (done, total, run) => {
        if (neural) {
          process.stderr.write(`[${String(done).padStart(String(total).length)}/${total}] ${run.label}: ${run.detail ?? (run.stepsToTarget === null ? 'target not reached' : `${run.stepsToTarget} steps`)}\n`);
          return;
        }
        const hp = Object.entries(run.hyperparameters)
          .filter(([k]) => k !== 'precondition')
          .map(([k, v]) => `${k === 'learningRate' ? 'lr' : k} ${num(v)}`)
          .join(', ');
        const steps = run.stepsToTarget === null ? 'target not reached' : `${run.stepsToTarget} steps`;
        process.stderr.write(`[${String(done).padStart(String(total).length)}/${total}] ${run.label} B=${run.batchSize}: ${steps}${hp ? ` (${hp})` : ''}\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const findings = findingsFor(experiment, result);
  process.stderr.write(`optlab: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (parsed.booleans.has('json')) process.stdout.write(JSON.stringify({ ...result, findings }, null, 2) + '\n');
  else process.stdout.write(resultText(result, findings));
  const code = exitCodeOf(result);
  if (code !== 0) process.stderr.write(`optlab: finished, but ${failedTrials(result).length} trial(s) failed (not diverged): the result is incomplete (exit code ${code})\n`);
  return code;
}
