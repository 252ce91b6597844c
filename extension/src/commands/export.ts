// OptLab: Export Run Data (CSV/JSON through a save dialog) and Export Chart (the active panel's
// charts as PNG).
import path from 'node:path';
import * as vscode from 'vscode';
import { EXPORTERS, slugify } from '../../../engine/src';
import { runLabel } from '../model/run-view';
import type { Services } from '../services';
import { errorMessage } from '../util/timing';
import { runIdsFromArgs } from './args';
import { pickRun } from './pickers';

function defaultFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

export async function exportRunDataCommand(s: Services, arg?: unknown, selection?: unknown): Promise<void> {
  const id = runIdsFromArgs(arg, selection)[0] ?? (await pickRun(s, { placeHolder: 'Export the data of which run?' }));
  if (!id) return;
  const record = s.runs.get(id);
  if (!record) {
    void vscode.window.showErrorMessage(`OptLab: run ${id} is no longer in the store ${s.runs.root}.`);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    EXPORTERS.map((e) => ({ label: e.label, description: e.description, exporter: e })),
    { placeHolder: `Export ${runLabel(record)} as` },
  );
  if (!picked) return;
  const { exporter } = picked;
  const base = `${slugify(record.experiment.name)}-${slugify(record.label)}${record.batchSize !== undefined ? `-B${record.batchSize}` : ''}.${exporter.id}`;
  const folder = defaultFolder();
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, base) : vscode.Uri.file(path.join(s.runs.root, base)),
    filters: { [exporter.filterName]: [exporter.id] },
    saveLabel: 'Export',
    title: `Export ${runLabel(record)}`,
  });
  if (!target) return;
  let result;
  try {
    result = s.runs.store.readMetrics(record.id);
  } catch (err) {
    void vscode.window.showErrorMessage(`OptLab: cannot read the metrics of ${runLabel(record)}: ${errorMessage(err)}`);
    return;
  }
  const text = exporter.render(record, result.rows);
  try {
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  } catch (err) {
    void vscode.window.showErrorMessage(`OptLab: cannot write ${target.fsPath}: ${errorMessage(err)}`);
    return;
  }
  const warnings = result.warnings.filter((w) => !/does not exist/.test(w));
  for (const w of warnings) s.log.warn(`export of ${record.id}: ${w}`);
  const note = warnings.length ? ` ${warnings.length} damaged line${warnings.length === 1 ? ' was' : 's were'} skipped (see the engine log).` : '';
  const choice = await vscode.window.showInformationMessage(`Exported ${result.rows.length} rows of ${runLabel(record)} to ${vscode.workspace.asRelativePath(target)}.${note}`, 'Open');
  if (choice === 'Open') await vscode.window.showTextDocument(target);
}

export async function exportChartCommand(s: Services): Promise<void> {
  let panel = s.panels.active();
  if (!panel) {
    const open = s.panels.all();
    if (!open.length) {
      void vscode.window.showInformationMessage('No OptLab chart is open: open a dashboard, a comparison or the critical batch size first.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      open.map((p) => ({ label: p.title, panel: p })),
      { placeHolder: 'Export which chart?' },
    );
    if (!picked) return;
    panel = picked.panel;
  }
  let dataUrl: string | null;
  try {
    dataUrl = await panel.requestPng();
  } catch (err) {
    void vscode.window.showErrorMessage(`OptLab: cannot export the chart: ${errorMessage(err)}`);
    return;
  }
  if (!dataUrl) {
    void vscode.window.showWarningMessage(`The ${panel.title} panel has nothing drawn yet.`);
    return;
  }
  const base64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x89504e47) {
    void vscode.window.showErrorMessage(`OptLab: the ${panel.title} panel sent an image that is not a PNG.`);
    return;
  }
  const folder = defaultFolder();
  const name = `${slugify(panel.title)}.png`;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { PNG: ['png'] },
    saveLabel: 'Export',
    title: `Export ${panel.title} as PNG`,
  });
  if (!target) return;
  try {
    await vscode.workspace.fs.writeFile(target, bytes);
  } catch (err) {
    void vscode.window.showErrorMessage(`OptLab: cannot write ${target.fsPath}: ${errorMessage(err)}`);
    return;
  }
  const choice = await vscode.window.showInformationMessage(`Saved ${panel.title} to ${vscode.workspace.asRelativePath(target)}.`, 'Open');
  if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', target);
}
