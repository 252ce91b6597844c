// How a run appears in the experiment explorer: label, description, icon, context value and tooltip,
// derived from its run.json record and, while it runs, from what the engine reports live.
import type { MetricRow, RunRecord, RunStatus } from '../../../engine/src';
import { escapeMarkdown, formatAgo, formatCount, formatNumber, formatValue, humanizeKey } from './format';

/** What the engine has told us about a run that the store may not show yet. */
export interface LiveRunState {
  status?: RunStatus;
  /** The latest metric row received. */
  lastRow?: MetricRow;
  /** Progress of the run's session: finished runs / all runs. */
  session?: { done: number; total: number };
}

/** "SGD p=0.5 · B=1024". */
export function runLabel(run: Pick<RunRecord, 'label' | 'batchSize'>): string {
  return run.batchSize === undefined ? run.label : `${run.label} · B=${run.batchSize}`;
}

/** The live status wins over the store while the store has not caught up (it is flushed every 250 ms). */
export function effectiveStatus(run: Pick<RunRecord, 'status'>, live?: LiveRunState): RunStatus {
  if (!live?.status) return run.status;
  // A terminal status in the store is final; the live one can only be newer while the store says queued/running.
  return run.status === 'queued' || run.status === 'running' ? live.status : run.status;
}

export function runContextValue(status: RunStatus): string {
  return `run.${status}`;
}

export interface IconSpec {
  /** Codicon id, e.g. 'sync~spin'. */
  id: string;
  /** Theme color id, when the icon is colored. */
  color?: string;
}

export function runIcon(status: RunStatus): IconSpec {
  switch (status) {
    case 'running':
      return { id: 'sync~spin', color: 'charts.blue' };
    case 'queued':
      return { id: 'clock' };
    case 'completed':
      return { id: 'pass', color: 'testing.iconPassed' };
    case 'failed':
    case 'crashed':
      return { id: 'error', color: 'testing.iconFailed' };
    case 'cancelled':
      return { id: 'circle-slash', color: 'disabledForeground' };
    case 'diverged':
      return { id: 'warning', color: 'problemsWarningIcon.foreground' };
  }
}

function stepsToTarget(summary: Record<string, unknown>): number | null | undefined {
  const s = summary.stepsToTarget;
  if (typeof s === 'number') return s;
  if (s === null) return null;
  return undefined;
}

/** One line: steps-to-target for finished runs, live progress for running ones, the error otherwise. */
export function runDescription(run: RunRecord, live?: LiveRunState): string {
  const status = effectiveStatus(run, live);
  switch (status) {
    case 'completed': {
      const steps = stepsToTarget(run.summary);
      if (steps === null) return 'target not reached';
      if (steps !== undefined) return `${formatCount(steps)} steps to target`;
      const loss = run.summary.finalLoss ?? run.summary.loss;
      return typeof loss === 'number' ? `loss ${formatNumber(loss)}` : 'completed';
    }
    case 'running': {
      const parts = ['running'];
      const row = live?.lastRow;
      if (row && typeof row.step === 'number') parts.push(`step ${formatCount(row.step)}`);
      if (row && typeof row.loss === 'number') parts.push(`loss ${formatNumber(row.loss)}`);
      if (parts.length === 1 && live?.session && live.session.total > 0) {
        parts.push(`session ${live.session.done}/${live.session.total} done`);
      }
      return parts.join(' · ');
    }
    case 'queued':
      return 'queued';
    case 'diverged': {
      const step = run.summary.divergedAt ?? run.summary.step;
      return typeof step === 'number' ? `diverged at step ${formatCount(step)}` : 'diverged';
    }
    case 'failed':
    case 'crashed':
      return run.error?.message ? `${status}: ${firstLine(run.error.message, 80)}` : status;
    case 'cancelled':
      return 'cancelled';
  }
}

function firstLine(text: string, max: number): string {
  const line = text.split(/\r?\n/, 1)[0];
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Markdown for the tree item's tooltip: identity, hyperparameters and summary. Plain text only (no HTML, no links). */
export function runTooltipMarkdown(run: RunRecord, live?: LiveRunState, now: number = Date.now()): string {
  const status = effectiveStatus(run, live);
  const lines: string[] = [];
  lines.push(`**${escapeMarkdown(runLabel(run))}** — ${escapeMarkdown(status)}`);
  lines.push('');
  lines.push(`${escapeMarkdown(run.experiment.name)} · ${escapeMarkdown(run.optimizer)} · created ${escapeMarkdown(formatAgo(run.createdAt, now))}`);
  lines.push('');
  lines.push(`\`${run.id}\``);
  const table = (title: string, entries: [string, unknown][]) => {
    if (!entries.length) return;
    lines.push('', `| ${title} | |`, '|:--|--:|');
    for (const [k, v] of entries) lines.push(`| ${escapeMarkdown(humanizeKey(k))} | ${escapeMarkdown(formatValue(v))} |`);
  };
  table('Hyperparameters', Object.entries(run.hyperparameters ?? {}));
  table('Summary', Object.entries(run.summary ?? {}));
  if (run.error?.message) {
    lines.push('', `**Error:** ${escapeMarkdown(run.error.message)}${run.error.where ? ` (${escapeMarkdown(run.error.where)})` : ''}`);
  }
  if (status === 'running' && live?.lastRow) {
    const row = live.lastRow;
    const shown = Object.entries(row).filter(([, v]) => typeof v === 'number');
    table('Latest metrics', shown);
  }
  return lines.join('\n');
}

/** Newest first: createdAt, then id (ids start with a UTC timestamp). */
export function compareNewestFirst(a: Pick<RunRecord, 'createdAt' | 'id'>, b: Pick<RunRecord, 'createdAt' | 'id'>): number {
  const ta = Date.parse(a.createdAt);
  const tb = Date.parse(b.createdAt);
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
