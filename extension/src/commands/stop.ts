// OptLab: Stop Run / Stop All. The engine stops whole sessions: stopping one run stops the session
// it belongs to (finished runs stay; the unfinished ones are marked cancelled).
import * as vscode from 'vscode';
import { runLabel } from '../model/run-view';
import type { Services } from '../services';
import { runIdsFromArgs } from './args';
import { pickRun } from './pickers';

export async function stopRunCommand(s: Services, arg?: unknown, selection?: unknown): Promise<void> {
  let ids = runIdsFromArgs(arg, selection);
  if (!ids.length) {
    const picked = await pickRun(s, { placeHolder: 'Stop which run?', statuses: ['running', 'queued'] });
    if (!picked) return;
    ids = [picked];
  }
  const sessions = new Map<string, { experiment: string; unfinished: number; clicked: string[] }>();
  const notOurs: string[] = [];
  for (const id of ids) {
    const session = s.engine.sessionOfRun(id);
    const record = s.runs.get(id);
    const label = record ? runLabel(record) : id;
    if (!session || session.outcome) {
      if (record && (record.status === 'running' || record.status === 'queued')) notOurs.push(label);
      continue;
    }
    const entry = sessions.get(session.requestId) ?? {
      experiment: session.experiment ?? session.file,
      unfinished: s.engine.sessions().includes(session) ? [...session.runs.values()].filter((r) => r.status === 'running' || r.status === 'queued').length : 0,
      clicked: [],
    };
    entry.clicked.push(label);
    sessions.set(session.requestId, entry);
  }
  if (notOurs.length) {
    void vscode.window.showWarningMessage(
      `${notOurs.join(', ')} ${notOurs.length === 1 ? 'is' : 'are'} recorded as running but not run by this window's engine (another process runs ${notOurs.length === 1 ? 'it' : 'them'}, or it ended without updating the store). Stop that process to stop ${notOurs.length === 1 ? 'it' : 'them'}.`,
    );
  }
  if (!sessions.size) {
    if (!notOurs.length) void vscode.window.showInformationMessage('Nothing to stop: the selected runs are not running.');
    return;
  }
  for (const [requestId, info] of sessions) {
    const others = info.unfinished - info.clicked.length;
    if (others > 0) {
      const ok = await vscode.window.showWarningMessage(
        `Stopping ${info.clicked.join(', ')} stops its experiment session: ${others} other unfinished run${others === 1 ? '' : 's'} of ${info.experiment} stop too. Finished runs are kept.`,
        { modal: true },
        'Stop Session',
      );
      if (ok !== 'Stop Session') continue;
    }
    s.engine.cancel(requestId);
  }
}

export async function stopAllCommand(s: Services): Promise<void> {
  const active = s.engine.sessions();
  if (!active.length) {
    void vscode.window.showInformationMessage('No OptLab experiment is running.');
    return;
  }
  s.engine.cancel();
  s.log.info(`stop all: cancelling ${active.length} session(s)`);
}
