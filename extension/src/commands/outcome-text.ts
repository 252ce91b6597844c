// The notification texts at the end of an experiment session. Pure, so the wording is tested.
import path from 'node:path';
import type { SessionOutcome } from '../engine/session-book';
import { formatDuration, formatNumber, plural } from '../model/format';

export function outcomeName(o: SessionOutcome): string {
  return o.experiment ?? path.basename(o.file).replace(/\.optlab\.json$/i, '');
}

export function finishedText(o: SessionOutcome): string {
  const f = o.finished;
  const parts = [`${outcomeName(o)}: ${plural(f?.runs.length ?? o.runIds.length, 'run')} finished in ${formatDuration(o.durationMs)}.`];
  if (f) {
    const fitted = f.criticalBatchSize.filter((r) => r.bCrit !== null);
    if (fitted.length) {
      const shown = fitted.slice(0, 3).map((r) => `${r.optimizer} ${formatNumber(r.bCrit as number)}`);
      parts.push(`B_crit: ${shown.join(', ')}${fitted.length > 3 ? ` and ${fitted.length - 3} more` : ''}.`);
    }
    const failedFits = f.criticalBatchSize.filter((r) => r.status === 'error');
    if (failedFits.length) parts.push(`No fit for ${failedFits.map((r) => r.optimizer).join(', ')} (${failedFits[0].error ?? 'too few points'}).`);
    const judged = f.findings.filter((x) => x.holds !== null);
    if (judged.length) {
      const agree = judged.filter((x) => x.holds).length;
      parts.push(`${agree} of ${judged.length} of the paper's findings agree.`);
    }
    const notReached = f.runs.filter((r) => r.stepsToTarget === null).length;
    if (notReached) parts.push(`${plural(notReached, 'run')} did not reach the target.`);
  }
  return parts.join(' ');
}

export function cancelledText(o: SessionOutcome, finishedRuns: number): string {
  const crashed = o.crashedRunIds?.length ?? 0;
  if (crashed) return `${outcomeName(o)}: stopped. ${plural(finishedRuns, 'finished run')} kept; ${plural(crashed, 'unfinished run')} marked crashed.`;
  return `${outcomeName(o)}: cancelled after ${formatDuration(o.durationMs)}. ${plural(finishedRuns, 'finished run')} kept; the unfinished ones are marked cancelled.`;
}

export function failedText(o: SessionOutcome): string {
  const message = (o.message ?? 'unknown error').trim();
  const lines = message.split(/\r?\n/);
  const first = lines[0];
  const more = lines.length > 1 ? ` (+${lines.length - 1} more line${lines.length === 2 ? '' : 's'} in the engine log)` : '';
  const detail = lines.length > 1 ? `${first} ${lines[1].trim()}` : first;
  return `${outcomeName(o)} failed: ${detail}${more}`;
}

/** "file:12:5" in an engine message -> the position of the first problem. */
export function firstProblemPosition(message: string, file: string): { line: number; column: number } | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}
