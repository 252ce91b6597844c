// Quick picks shared by the commands: an experiment file, one run, several runs.
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord, RunStatus } from '../../../engine/src';
import { experimentBaseName } from '../model/experiment-runs';
import { formatAgo } from '../model/format';
import { effectiveStatus, runDescription, runIcon, runLabel } from '../model/run-view';
import type { Services } from '../services';

interface FileItem extends vscode.QuickPickItem {
  file: string;
}

/** The active editor's experiment file, if it is one. */
export function activeExperimentFile(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.uri.scheme === 'file' && /\.optlab\.json$/i.test(doc.uri.path)) return doc.uri.fsPath;
  return undefined;
}

export async function pickExperimentFile(s: Services, placeHolder: string): Promise<string | undefined> {
  const { files, byFile } = await s.experiments.grouped();
  if (!files.length) {
    const choice = await vscode.window.showInformationMessage('There is no experiment file (*.optlab.json) in this workspace.', 'New Experiment');
    if (choice === 'New Experiment') await vscode.commands.executeCommand('optlab.newExperiment');
    return undefined;
  }
  if (files.length === 1) return files[0].file;
  const items: FileItem[] = files.map((f) => {
    const runs = byFile.get(f.file) ?? [];
    return {
      file: f.file,
      label: f.name ?? experimentBaseName(f.file),
      description: vscode.workspace.asRelativePath(f.file, true),
      detail: runs.length ? `${runs.length} runs, latest ${formatAgo(runs[0].createdAt)}` : 'no runs yet',
    };
  });
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return picked?.file;
}

interface RunItem extends vscode.QuickPickItem {
  runId?: string;
}

function runItems(s: Services, runs: RunRecord[], picked: ReadonlySet<string>): RunItem[] {
  const items: RunItem[] = [];
  let group = '';
  for (const run of runs) {
    const experiment = run.experiment.name;
    if (experiment !== group) {
      group = experiment;
      items.push({ label: experiment, kind: vscode.QuickPickItemKind.Separator });
    }
    const live = s.engine.liveState(run.id);
    const status = effectiveStatus(run, live);
    items.push({
      runId: run.id,
      label: `$(${runIcon(status).id}) ${runLabel(run)}`,
      description: runDescription(run, live),
      detail: `${formatAgo(run.createdAt)} · ${run.id}${run.experiment.file ? ` · ${path.basename(run.experiment.file)}` : ''}`,
      picked: picked.has(run.id),
    });
  }
  return items;
}

export interface RunPickOptions {
  placeHolder: string;
  /** Only runs with these statuses (live status counts). */
  statuses?: readonly RunStatus[];
  preselect?: string[];
}

function candidateRuns(s: Services, statuses?: readonly RunStatus[]): RunRecord[] {
  const all = [...s.runs.list()].reverse(); // newest first
  const filtered = statuses ? all.filter((r) => statuses.includes(effectiveStatus(r, s.engine.liveState(r.id)))) : all;
  // Group by experiment, keeping newest-first order inside and between groups.
  const order = new Map<string, number>();
  filtered.forEach((r) => {
    if (!order.has(r.experiment.name)) order.set(r.experiment.name, order.size);
  });
  return filtered.map((r, i) => ({ r, i })).sort((a, b) => order.get(a.r.experiment.name)! - order.get(b.r.experiment.name)! || a.i - b.i).map((x) => x.r);
}

export async function pickRun(s: Services, options: RunPickOptions): Promise<string | undefined> {
  const runs = candidateRuns(s, options.statuses);
  if (!runs.length) {
    void vscode.window.showInformationMessage(options.statuses ? `No ${options.statuses.join(' or ')} runs in the store ${s.runs.root}.` : `No runs in the store ${s.runs.root} yet: run an experiment first.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(runItems(s, runs, new Set()), { placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked?.runId;
}

export async function pickRuns(s: Services, options: RunPickOptions): Promise<string[] | undefined> {
  const runs = candidateRuns(s, options.statuses);
  if (!runs.length) {
    void vscode.window.showInformationMessage(`No runs in the store ${s.runs.root} yet: run an experiment first.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(runItems(s, runs, new Set(options.preselect ?? [])), {
    placeHolder: options.placeHolder,
    canPickMany: true,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.map((p) => p.runId).filter((id): id is string => !!id);
}
