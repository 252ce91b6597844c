// OptLab: Delete Run, after a confirmation naming what goes. Runs still computing are refused; a run
// whose owner process is gone reads as crashed and can be deleted.
import * as vscode from 'vscode';
import { effectiveStatus, runLabel } from '../model/run-view';
import type { Services } from '../services';
import { errorMessage } from '../util/timing';
import { runIdsFromArgs } from './args';
import { pickRuns } from './pickers';

export async function deleteRunCommand(s: Services, arg?: unknown, selection?: unknown): Promise<void> {
  let ids = runIdsFromArgs(arg, selection);
  if (!ids.length) {
    const picked = await pickRuns(s, { placeHolder: 'Delete which runs?' });
    if (!picked?.length) return;
    ids = picked;
  }
  // Read again, not from the cached list: a run whose owner died since is crashed now, and deletable.
  const records = ids.map((id) => fresh(s, id) ?? s.runs.get(id)).filter((r) => r !== undefined);
  if (!records.length) {
    void vscode.window.showInformationMessage('The selected runs are no longer in the store.');
    return;
  }
  const busy = records.filter((r) => {
    const status = effectiveStatus(r, s.engine.liveState(r.id));
    return status === 'running' || status === 'queued';
  });
  if (busy.length) {
    void vscode.window.showWarningMessage(`${busy.map(runLabel).join(', ')} ${busy.length === 1 ? 'is' : 'are'} still running: stop ${busy.length === 1 ? 'it' : 'them'} first (OptLab: Stop Run).`);
    return;
  }
  const names = records.slice(0, 5).map(runLabel).join(', ') + (records.length > 5 ? ` and ${records.length - 5} more` : '');
  const ok = await vscode.window.showWarningMessage(
    records.length === 1 ? `Delete the run ${names}?` : `Delete ${records.length} runs (${names})?`,
    { modal: true, detail: `Their folders in ${s.runs.root} (run.json and metrics.jsonl) are removed permanently.` },
    'Delete',
  );
  if (ok !== 'Delete') return;
  const deleted: string[] = [];
  const failures: string[] = [];
  for (const r of records) {
    try {
      s.runs.store.delete(r.id);
      s.runs.forgetMetrics(r.id);
      deleted.push(r.id);
      s.log.info(`deleted run ${r.id} (${runLabel(r)})`);
    } catch (err) {
      failures.push(`${runLabel(r)}: ${errorMessage(err)}`);
    }
  }
  s.runs.invalidate();
  s.panels.runsDeleted(deleted);
  s.tree.refreshNow();
  if (failures.length) void vscode.window.showErrorMessage(`OptLab could not delete ${failures.length} run${failures.length === 1 ? '' : 's'}: ${failures.join('; ')}`);
}

function fresh(s: Services, id: string) {
  try {
    return s.runs.store.get(id);
  } catch {
    return undefined;
  }
}
