// Reads the optlab.* settings (VS Code side of model/settings.ts).
import os from 'node:os';
import * as vscode from 'vscode';
import { dataAccessFromSettings, resolveSettings, type OptLabSettings } from './model/settings';

export const SECTION = 'optlab';

export function firstWorkspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export function readSettings(): OptLabSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return resolveSettings(
    {
      computeBackend: config.get('computeBackend'),
      maxParallelTrials: config.get('maxParallelTrials'),
      storeLocation: config.get('storeLocation'),
    },
    firstWorkspaceFolder(),
    os.homedir(),
  );
}

/** Where the engine may read dataset files (optlab.allowDataOutsideWorkspace and the workspace folders). */
export function readDataAccess(): { roots: string[]; allowOutside: boolean } {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return dataAccessFromSettings(vscode.workspace.getConfiguration(SECTION).get('allowDataOutsideWorkspace'), folders);
}

/** Whether a configuration change touches a setting that changes where or how runs are stored or started. */
export function affects(e: vscode.ConfigurationChangeEvent, key: 'computeBackend' | 'maxParallelTrials' | 'storeLocation'): boolean {
  return e.affectsConfiguration(`${SECTION}.${key}`);
}
