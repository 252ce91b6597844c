// OptLab: New Experiment: a template, a file name, a new *.optlab.json in the workspace, opened.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { formatJson } from '../templates/format-json';
import { instantiate, TEMPLATES, uniqueFileName } from '../templates/templates';
import type { Services } from '../services';
import { errorMessage } from '../util/timing';

export async function newExperimentCommand(s: Services): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const choice = await vscode.window.showErrorMessage('OptLab: open a folder first: experiments and their runs live in the workspace.', 'Open Folder');
    if (choice) await vscode.commands.executeCommand('vscode.openFolder');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    TEMPLATES.map((t) => ({ label: t.label, description: t.cost, detail: t.detail, template: t })),
    { placeHolder: 'New experiment from a template', matchOnDetail: true },
  );
  if (!picked) return undefined;
  const dir = baseFolder(folder.uri.fsPath);
  const existing = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const suggested = uniqueFileName(picked.template.fileName, existing);
  const name = await vscode.window.showInputBox({
    title: 'New OptLab experiment',
    prompt: `File name in ${vscode.workspace.asRelativePath(dir, true) || dir}`,
    value: suggested,
    valueSelection: [0, suggested.length - '.optlab.json'.length],
    validateInput: (v) => {
      const n = v.trim();
      if (!n) return 'Enter a file name';
      if (/[\\/:*?"<>|]/.test(n)) return 'A file name cannot contain \\ / : * ? " < > |';
      if (!/\.optlab\.json$/i.test(n)) return 'Experiment files end with .optlab.json';
      if (existing.has(n)) return `${n} already exists`;
      return undefined;
    },
  });
  if (!name) return undefined;
  const target = path.join(dir, name.trim());
  const text = formatJson(instantiate(picked.template, path.basename(target)));
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(target, text, { encoding: 'utf8', flag: 'wx' }); // never overwrite
  } catch (err) {
    void vscode.window.showErrorMessage(`OptLab: cannot create ${target}: ${errorMessage(err)}`);
    return undefined;
  }
  s.log.info(`created ${target} from the template "${picked.template.label}"`);
  s.experiments.invalidate();
  s.tree.refresh();
  const uri = vscode.Uri.file(target);
  await vscode.window.showTextDocument(uri);
  return uri;
}

/** Next to the active experiment file when there is one in the workspace, else the workspace root. */
function baseFolder(root: string): string {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && /\.optlab\.json$/i.test(active.path) && active.fsPath.startsWith(root)) return path.dirname(active.fsPath);
  return root;
}
