// OptLab: Select Compute Backend / Show Engine Log / Restart Engine.
import * as vscode from 'vscode';
import { COMPUTE_BACKENDS } from '../model/settings';
import type { Services } from '../services';
import { SECTION } from '../settings';
import { errorMessage } from '../util/timing';

export async function selectBackendCommand(s: Services): Promise<void> {
  const current = s.settings().computeBackend;
  const picked = await vscode.window.showQuickPick(
    COMPUTE_BACKENDS.map((b) => ({ label: b.id, description: b.id === current ? '(current)' : '', detail: b.description, picked: b.id === current })),
    { placeHolder: `Compute backend for neural training (now: ${current}). NQM studies are always computed analytically in float64.` },
  );
  if (!picked || picked.label === current) return;
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspect = config.inspect('computeBackend');
  const target = inspect?.workspaceFolderValue !== undefined || inspect?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('computeBackend', picked.label, target);
  s.log.info(`compute backend set to ${picked.label} (${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} setting); it applies to neural training, which the engine version ${s.engine.info()?.engineVersion ?? ''} does not run yet`.trim());
  void vscode.window.showInformationMessage(`OptLab compute backend: ${picked.label}. It applies to neural training; NQM studies are computed analytically in float64 whatever the backend.`);
}

export function showEngineLogCommand(s: Services): void {
  s.log.show(true);
}

export async function restartEngineCommand(s: Services): Promise<void> {
  const active = s.engine.sessions();
  if (active.length) {
    const ok = await vscode.window.showWarningMessage(
      `Restarting the OptLab engine stops ${active.length} running experiment${active.length === 1 ? '' : 's'}. Finished runs are kept; unfinished ones are marked cancelled.`,
      { modal: true },
      'Restart',
    );
    if (ok !== 'Restart') return;
  }
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'OptLab: restarting the engine…' }, () => s.engine.restart());
    void vscode.window.showInformationMessage(`OptLab engine restarted (pid ${s.engine.pid() ?? '?'}).`);
  } catch (err) {
    const choice = await vscode.window.showErrorMessage(`OptLab: the engine did not restart: ${errorMessage(err)}`, 'Show Engine Log');
    if (choice) s.log.show(true);
  }
}
