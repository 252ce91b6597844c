// What the user is told when the engine process dies: what happened, which runs were marked
// crashed, that their recorded metrics are kept. Pure, so the wording is tested.
import { experimentBaseName } from '../model/experiment-runs';
import { describeExit, type CrashReport } from './engine-supervisor';

export function crashMessage(report: CrashReport): string {
  const how = describeExit(report.code, report.signal);
  const parts = [`The OptLab engine stopped unexpectedly (${how}${report.pid !== undefined ? `, pid ${report.pid}` : ''}).`];
  const affected = report.sessions.filter((s) => s.crashed.length > 0);
  if (affected.length) {
    const list = affected.map((s) => `${s.crashed.length} of ${s.experiment ?? experimentBaseName(s.file)}`).join(', ');
    const total = affected.reduce((n, s) => n + s.crashed.length, 0);
    parts.push(`${total} unfinished run${total === 1 ? ' was' : 's were'} marked crashed (${list}); the metrics they recorded are kept.`);
  } else if (report.sessions.length) {
    parts.push('No run was left unfinished.');
  }
  const kept = report.sessions.reduce((n, s) => n + s.finishedRuns, 0);
  if (kept) parts.push(`${kept} finished run${kept === 1 ? ' is' : 's are'} unaffected.`);
  if (report.markErrors.length) parts.push(`${report.markErrors.length} run${report.markErrors.length === 1 ? '' : 's'} could not be marked: see the engine log.`);
  const lastErr = report.stderrTail.filter((l) => l.trim()).pop();
  if (lastErr) parts.push(`Last engine error: ${lastErr.length > 160 ? `${lastErr.slice(0, 157)}...` : lastErr}`);
  return parts.join(' ');
}
