// optlab nqm: one NQM study from flags, without an experiment file or a store.
import { nqmFindings } from '../../analysis/nqm-findings';
import { buildProblem, lowerBoundSteps, REFERENCE_NQM } from '../../nqm/model';
import { solveGridTasks } from '../../nqm/parallel';
import { referenceGrid } from '../../nqm/search';
import type { NqmFamily, NqmSpec } from '../../nqm/types';
import { criticalBatchReport } from '../../analysis/critical-batch-report';
import type { ScalingRow } from '../../analysis/report-types';
import { numberFlag, parseArgs, UsageError } from '../args';
import { findingsText, fitLine, scalingTable } from './run';

export const NQM_USAGE =
  'optlab nqm --optimizer sgd|momentum|ema [--precondition P] [--batch-sizes 4,16,64] [--dim 10000] [--bins 100] [--target 0.01] [--exponent 1] [--workers N] [--json]';

export async function nqmCommand(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { values: ['optimizer', 'precondition', 'batch-sizes', 'dim', 'bins', 'target', 'exponent', 'workers'], booleans: ['json'] }, 'nqm');
  if (parsed.positional.length) throw new UsageError(`optlab nqm: unexpected argument '${parsed.positional[0]}'\nusage: ${NQM_USAGE}`);
  const family = (parsed.values.get('optimizer') ?? 'sgd') as NqmFamily;
  if (!['sgd', 'momentum', 'ema'].includes(family)) throw new UsageError(`optlab nqm: --optimizer must be sgd, momentum or ema, got '${family}'`);
  const precondition = numberFlag(parsed, 'precondition', 'nqm', (x) => x >= 0 && x <= 2, 'a number in [0, 2]') ?? 0;
  const spec: NqmSpec = {
    ...REFERENCE_NQM,
    dim: numberFlag(parsed, 'dim', 'nqm', (x) => Number.isInteger(x) && x >= 1, 'a positive integer') ?? REFERENCE_NQM.dim,
    bins: numberFlag(parsed, 'bins', 'nqm', (x) => Number.isInteger(x) && x >= 0 && x !== 1, '0 (unbinned) or an integer >= 2') ?? REFERENCE_NQM.bins,
    target: numberFlag(parsed, 'target', 'nqm', (x) => x > 0, 'a positive number') ?? REFERENCE_NQM.target,
    exponent: numberFlag(parsed, 'exponent', 'nqm', (x) => x > 0, 'a positive number') ?? REFERENCE_NQM.exponent,
  };
  const rawSizes = parsed.values.get('batch-sizes') ?? Array.from({ length: 10 }, (_, i) => 2 ** (2 * i + 2)).join(',');
  const batchSizes = rawSizes.split(',').map((s) => Number(s.trim()));
  const bad = batchSizes.findIndex((b) => !Number.isInteger(b) || b < 1);
  if (bad >= 0) throw new UsageError(`optlab nqm: --batch-sizes must be positive integers separated by commas; entry ${bad + 1} is '${rawSizes.split(',')[bad]}'`);
  if (new Set(batchSizes).size !== batchSizes.length) throw new UsageError('optlab nqm: --batch-sizes has a duplicate');
  const workers = numberFlag(parsed, 'workers', 'nqm', (x) => Number.isInteger(x) && x >= 1, 'a positive integer');

  const problem = buildProblem(spec);
  const grid = referenceGrid(family);
  const results = await solveGridTasks(
    batchSizes.map((batchSize, id) => ({ id, spec, family, precondition, batchSize, grid })),
    { workers },
  );
  const rows: ScalingRow[] = results.map((r) => {
    const row: ScalingRow = { batchSize: r.batchSize, steps: r.steps, learningRate: r.learningRate, lowerBound: lowerBoundSteps(problem, r.batchSize) };
    if (family === 'momentum') row.momentum = r.momentum ?? null;
    if (family === 'ema') row.decay = r.decay ?? null;
    return row;
  });
  const label = family === 'sgd' ? `SGD p=${precondition}` : `${family === 'momentum' ? 'Momentum' : 'EMA'} p=${precondition}`;
  const report = criticalBatchReport(label, { type: family, precondition }, rows);
  if (parsed.booleans.has('json')) {
    const points = rows.map(({ lowerBound: _lb, ...p }) => p);
    const doc = {
      optimizer: family,
      precondition,
      problem: spec,
      points,
      criticalBatchSize: { sMin: report.sMin, eMin: report.eMin, bCrit: report.bCrit, bCritInterval: report.bCritInterval, bCritIntervalMethod: report.bCritIntervalMethod, extrapolated: report.extrapolated, status: report.status, warnings: report.warnings, ...(report.error ? { error: report.error } : {}) },
      lowerBound: rows.map((r) => ({ batchSize: r.batchSize, steps: r.lowerBound })),
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  const findings = nqmFindings([report]);
  const out = [`NQM d=${spec.dim} (${spec.bins ? `${spec.bins} bins` : 'unbinned'}), target loss ${spec.target}: ${label}`, scalingTable(report), fitLine(report)];
  if (findings.length) out.push('', findingsText(findings));
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
