// OptLab: Open Dashboard / Compare Runs / Show Critical Batch Size.
import path from 'node:path';
import * as vscode from 'vscode';
import { samePath } from '../model/experiment-runs';
import { formatAgo } from '../model/format';
import { compareNewestFirst, effectiveStatus, runDescription, runIcon, runLabel } from '../model/run-view';
import { latestResults } from '../model/latest-results';
import type { Services } from '../services';
import { experimentFileFromArg, runIdsFromArgs } from './args';
import { activeExperimentFile, pickExperimentFile, pickRuns } from './pickers';
import { outlineExperiment } from '../editor/experiment-outline';
import { fileText } from '../panels/panel-data';

export async function openDashboardCommand(s: Services, arg?: unknown, selection?: unknown): Promise<void> {
  const ids = runIdsFromArgs(arg, selection);
  if (ids.length) {
    s.panels.open({ kind: 'dashboard', runIds: ids });
    return;
  }
  const file = experimentFileFromArg(arg);
  if (file) {
    await openExperimentDashboard(s, file);
    return;
  }
  const active = activeExperimentFile();
  const picked = await pickDashboardTarget(s, active);
  if (!picked) return;
  if (picked.file) await openExperimentDashboard(s, picked.file);
  else if (picked.runId) s.panels.open({ kind: 'dashboard', runIds: [picked.runId] });
}

interface TargetItem extends vscode.QuickPickItem {
  file?: string;
  runId?: string;
}

/** Experiments (the dashboard of their latest runs) first, then single runs, newest first. */
async function pickDashboardTarget(s: Services, preferred: string | undefined): Promise<TargetItem | undefined> {
  const { files, byFile, orphans } = await s.experiments.grouped();
  const items: TargetItem[] = [];
  const withRuns = files.filter((f) => (byFile.get(f.file)?.length ?? 0) > 0);
  withRuns.sort((a, b) => (preferred && samePath(a.file, preferred) ? -1 : preferred && samePath(b.file, preferred) ? 1 : 0));
  if (withRuns.length) items.push({ label: 'Experiments', kind: vscode.QuickPickItemKind.Separator });
  for (const f of withRuns) {
    const runs = byFile.get(f.file)!;
    const running = s.engine.sessions().some((x) => samePath(x.file, f.file));
    items.push({
      file: f.file,
      label: `$(beaker) ${f.name ?? path.basename(f.file)}`,
      description: vscode.workspace.asRelativePath(f.file, true),
      detail: running ? 'running now: its live curves' : `its latest runs (${latestResults(runs).length} of ${runs.length} recorded)`,
    });
  }
  const runs = [...files.flatMap((f) => byFile.get(f.file) ?? []), ...orphans].sort(compareNewestFirst);
  if (runs.length) items.push({ label: 'Runs', kind: vscode.QuickPickItemKind.Separator });
  for (const run of runs) {
    const live = s.engine.liveState(run.id);
    items.push({ runId: run.id, label: `$(${runIcon(effectiveStatus(run, live)).id}) ${runLabel(run)}`, description: runDescription(run, live), detail: `${run.experiment.name} · ${formatAgo(run.createdAt)}` });
  }
  if (!items.length) {
    const choice = await vscode.window.showInformationMessage(`No runs in the store ${s.runs.root} yet: run an experiment first.`, 'Run Experiment');
    if (choice) await vscode.commands.executeCommand('optlab.runExperiment');
    return undefined;
  }
  return vscode.window.showQuickPick(items, { placeHolder: 'Open the dashboard of an experiment or of one run', matchOnDescription: true, matchOnDetail: true });
}

/** The dashboard of an experiment: its running session's runs, else its latest results. */
export async function openExperimentDashboard(s: Services, file: string): Promise<void> {
  const session = s.engine.sessions().find((x) => samePath(x.file, file));
  let runIds: string[];
  if (session) runIds = [...session.runs.keys()];
  else {
    const runs = await s.experiments.runsOf(file);
    const labels = outlineExperiment(fileText(file) ?? '').entries.map((e) => e.label);
    runIds = latestResults(runs, labels).map((r) => r.id);
    if (!runIds.length && runs.length) runIds = [runs[0].id];
  }
  if (!runIds.length) {
    const choice = await vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(file)} has no runs yet.`, 'Run Experiment');
    if (choice) await vscode.commands.executeCommand('optlab.runExperiment', vscode.Uri.file(file));
    return;
  }
  s.panels.open({ kind: 'dashboard', experimentFile: file, runIds });
}

export async function compareRunsCommand(s: Services, arg?: unknown, selection?: unknown): Promise<void> {
  let ids = runIdsFromArgs(arg, selection);
  if (ids.length < 2) {
    const picked = await pickRuns(s, { placeHolder: 'Compare which runs? Pick two or more', preselect: ids });
    if (!picked) return;
    ids = picked;
  }
  if (ids.length < 2) {
    void vscode.window.showWarningMessage('Pick at least two runs to compare.');
    return;
  }
  s.panels.open({ kind: 'compare', runIds: ids });
}

export async function showCriticalBatchSizeCommand(s: Services, arg?: unknown): Promise<void> {
  let file = experimentFileFromArg(arg);
  if (!file) {
    const ids = runIdsFromArgs(arg);
    const run = ids.length ? s.runs.get(ids[0]) : undefined;
    if (run) file = await s.experiments.fileOfRun(run);
  }
  file ??= activeExperimentFile() ?? (await pickExperimentFile(s, 'Critical batch size of which experiment?'));
  if (!file) return;
  const runs = await s.experiments.runsOf(file);
  if (!latestResults(runs).length) {
    const running = s.engine.sessions().some((x) => samePath(x.file, file));
    if (!running) {
      const choice = await vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(file)} has no finished runs yet: run it first.`, 'Run Experiment');
      if (choice) await vscode.commands.executeCommand('optlab.runExperiment', vscode.Uri.file(file));
      return;
    }
  }
  s.panels.open({ kind: 'criticalBatch', experimentFile: file });
}
