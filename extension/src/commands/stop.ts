// OptLab: Stop Run / Stop All. The engine stops whole sessions: stopping one run stops the session
// it belongs to (finished runs stay; the unfinished ones are marked cancelled).
import os from 'node:os';
import * as vscode from 'vscode';
import type { RunRecord } from '../../../engine/src';
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
  const notOurs: RunRecord[] = [];
  const orphans: RunRecord[] = [];
  for (const id of ids) {
    const session = s.engine.sessionOfRun(id);
    const record = s.runs.get(id);
    const label = record ? runLabel(record) : id;
    if (!session || session.outcome) {
      // Read again: the list may predate the death of the run's owner process.
      const fresh = freshRecord(s, id) ?? record;
      if (fresh?.orphan) orphans.push(fresh);
      else if (fresh && (fresh.status === 'running' || fresh.status === 'queued')) notOurs.push(fresh);
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
  if (orphans.length) markOrphansCrashed(s, orphans);
  if (notOurs.length) await stopOtherProcesses(s, notOurs);
  if (!sessions.size) {
    if (!notOurs.length && !orphans.length) void vscode.window.showInformationMessage('Nothing to stop: the selected runs are not running.');
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

function freshRecord(s: Services, id: string): RunRecord | undefined {
  try {
    return s.runs.store.get(id);
  } catch {
    return undefined;
  }
}

/** Runs whose owner process is gone (shown as crashed): writes 'crashed' into their run.json. */
function markOrphansCrashed(s: Services, orphans: RunRecord[]): void {
  const failures: string[] = [];
  for (const r of orphans) {
    try {
      s.runs.store.markCrashed(r.id, r.orphan?.reason ?? 'its owner process is gone');
      s.log.info(`marked run ${r.id} crashed: ${r.orphan?.reason ?? ''}`);
    } catch (err) {
      failures.push(`${runLabel(r)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  s.runs.invalidate();
  s.tree.refreshNow();
  if (failures.length) void vscode.window.showErrorMessage(`Could not mark ${failures.join('; ')}`);
  else void vscode.window.showInformationMessage(`${orphans.map(runLabel).join(', ')}: the process that ran ${orphans.length === 1 ? 'it' : 'them'} is gone; marked crashed.`);
}

/**
 * Runs recorded as running by another live process (an `optlab run` in a terminal, another
 * window): on this host, that process can be asked to stop (SIGTERM: it marks its unfinished runs
 * cancelled); elsewhere, only its owner can.
 */
async function stopOtherProcesses(s: Services, runs: RunRecord[]): Promise<void> {
  const byPid = new Map<number, RunRecord[]>();
  const remote: RunRecord[] = [];
  for (const r of runs) {
    if (r.owner && r.owner.host === os.hostname() && r.owner.pid !== process.pid) byPid.set(r.owner.pid, [...(byPid.get(r.owner.pid) ?? []), r]);
    else remote.push(r);
  }
  if (remote.length) {
    void vscode.window.showWarningMessage(
      `${remote.map(runLabel).join(', ')} ${remote.length === 1 ? 'is' : 'are'} run by ${remote[0].owner ? `process ${remote[0].owner.pid} on ${remote[0].owner.host}` : 'another process'}, not this window's engine. Stop that process to stop ${remote.length === 1 ? 'it' : 'them'}.`,
    );
  }
  for (const [pid, owned] of byPid) {
    const ok = await vscode.window.showWarningMessage(
      `${owned.map(runLabel).join(', ')} ${owned.length === 1 ? 'is' : 'are'} run by process ${pid} (not this window's engine). Stop that process? It marks its unfinished runs cancelled; finished runs are kept.`,
      { modal: true },
      'Stop Process',
    );
    if (ok !== 'Stop Process') continue;
    try {
      process.kill(pid, 'SIGTERM');
      s.log.info(`sent SIGTERM to process ${pid}, the owner of ${owned.map((r) => r.id).join(', ')}`);
    } catch (err) {
      void vscode.window.showErrorMessage(`Could not stop process ${pid}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
