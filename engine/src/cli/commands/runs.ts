// optlab ls | show <run-id> | export <run-id> --format csv|json | rm <run-id...>
import { EXPORTERS } from '../../export';
import type { RunRecord } from '../../store';
import { parseArgs, UsageError } from '../args';
import { num, table } from '../format';
import { storeFrom } from './run';

export async function lsCommand(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { values: ['store'], booleans: ['json'] }, 'ls');
  if (parsed.positional.length) throw new UsageError('usage: optlab ls [--store DIR] [--json]');
  const store = storeFrom(parsed.values);
  const { runs, problems } = store.listWithProblems();
  for (const p of problems) process.stderr.write(`optlab: skipped run ${p.id}: ${p.message}\n`);
  if (parsed.booleans.has('json')) {
    process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
    return 0;
  }
  if (!runs.length) {
    process.stdout.write(`no runs in ${store.root}\n`);
    return 0;
  }
  const rows = runs.map((r: RunRecord) => [
    r.id,
    r.experiment.name,
    r.label,
    r.batchSize === undefined ? '-' : String(r.batchSize),
    r.status,
    num(r.summary.stepsToTarget as number | null | undefined),
  ]);
  process.stdout.write(table(['id', 'experiment', 'label', 'batch', 'status', 'steps'], rows) + '\n');
  return 0;
}

export async function showCommand(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { values: ['store'], booleans: ['json'] }, 'show');
  if (parsed.positional.length !== 1) throw new UsageError('usage: optlab show <run-id> [--store DIR] [--json]');
  const store = storeFrom(parsed.values);
  const record = store.get(parsed.positional[0]);
  const metrics = store.readMetrics(record.id);
  for (const w of metrics.warnings) process.stderr.write(`optlab: ${w}\n`);
  if (parsed.booleans.has('json')) {
    process.stdout.write(JSON.stringify({ run: record, metricsRows: metrics.rows.length, truncatedLastLine: metrics.truncatedLastLine }, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `run         ${record.id}`,
    `experiment  ${record.experiment.name}${record.experiment.file ? ` (${record.experiment.file})` : ''}`,
    `label       ${record.label} (${record.optimizer})${record.batchSize !== undefined ? `, batch size ${record.batchSize}` : ''}`,
    record.orphan
      ? `status      crashed (run.json says ${record.orphan.recordedStatus}, but ${record.orphan.reason})`
      : `status      ${record.status}${record.error ? `: ${record.error.message}` : ''}`,
    `engine      ${record.engine.version}, ${record.engine.backend}, node ${record.engine.node}`,
    `created     ${record.createdAt}${record.endedAt ? `, ended ${record.endedAt}` : ''}`,
    `hyperparameters  ${Object.entries(record.hyperparameters).map(([k, v]) => `${k}=${num(v as number)}`).join(', ') || '-'}`,
    'summary',
    ...Object.entries(record.summary).map(([k, v]) => `  ${k.padEnd(26)} ${typeof v === 'number' ? num(v) : JSON.stringify(v)}`),
    `metrics     ${metrics.rows.length} rows${metrics.truncatedLastLine ? ' (last line truncated)' : ''}`,
  ];
  const last = metrics.rows[metrics.rows.length - 1];
  if (last) lines.push(`last row    ${JSON.stringify(last)}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

export async function exportCommand(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { values: ['store', 'format'], booleans: [] }, 'export');
  const formats = EXPORTERS.map((e) => e.id);
  if (parsed.positional.length !== 1) throw new UsageError(`usage: optlab export <run-id> --format ${formats.join('|')} [--store DIR]`);
  const format = parsed.values.get('format') ?? formats[0];
  const exporter = EXPORTERS.find((e) => e.id === format);
  if (!exporter) throw new UsageError(`optlab export: --format must be ${formats.join(' or ')}, got '${format}'`);
  const store = storeFrom(parsed.values);
  const record = store.get(parsed.positional[0]);
  const metrics = store.readMetrics(record.id);
  for (const w of metrics.warnings) process.stderr.write(`optlab: ${w}\n`);
  process.stdout.write(exporter.render(record, metrics.rows));
  return 0;
}

export const RM_USAGE = 'optlab rm <run-id|prefix>... [--store DIR] [--force]';

/**
 * Deletes runs (their folders). A run still queued or running with a live owner process is refused
 * unless --force: deleting it would pull the files from under the process writing them. A run whose
 * owner is gone shows as crashed and is removed like a finished one. Nothing is deleted when any
 * id is unknown, ambiguous or refused.
 */
export async function rmCommand(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { values: ['store'], booleans: ['force'] }, 'rm');
  if (!parsed.positional.length) throw new UsageError(`usage: ${RM_USAGE}`);
  const store = storeFrom(parsed.values);
  const records = [...new Map(parsed.positional.map((id) => store.get(id)).map((r) => [r.id, r])).values()];
  const live = records.filter((r) => r.status === 'queued' || r.status === 'running');
  if (live.length && !parsed.booleans.has('force')) {
    const who = (r: RunRecord) => (r.owner ? `process ${r.owner.pid} on ${r.owner.host}` : 'another process');
    for (const r of live) process.stderr.write(`optlab rm: run ${r.id} is ${r.status} (owned by ${who(r)}, which is alive): stop it first, or pass --force\n`);
    return 1;
  }
  for (const r of records) {
    store.delete(r.id);
    process.stdout.write(`removed ${r.id}\n`);
  }
  return 0;
}
