// OptLab: Reveal Experiment Spec: opens the experiment file, at the optimizer entry a run came from.
import fs from 'node:fs';
import * as vscode from 'vscode';
import { entryOfRun, outlineExperiment } from '../editor/experiment-outline';
import { toRange } from '../editor/selector';
import { recordedFileCandidates } from '../model/experiment-runs';
import { runLabel } from '../model/run-view';
import type { Services } from '../services';
import { experimentFileFromArg, runIdsFromArgs } from './args';
import { pickRun } from './pickers';

export async function revealSpecCommand(s: Services, arg?: unknown): Promise<void> {
  const ids = runIdsFromArgs(arg);
  if (!ids.length) {
    const file = experimentFileFromArg(arg);
    if (file) {
      await vscode.window.showTextDocument(vscode.Uri.file(file));
      return;
    }
  }
  const id = ids[0] ?? (await pickRun(s, { placeHolder: 'Reveal the optimizer entry of which run?' }));
  if (!id) return;
  const run = s.runs.get(id);
  if (!run) {
    void vscode.window.showErrorMessage(`OptLab: run ${id} is no longer in the store ${s.runs.root}.`);
    return;
  }
  const file =
    experimentFileFromArg(arg) ??
    (await s.experiments.fileOfRun(run)) ??
    recordedFileCandidates(run.experiment.file, s.experiments.roots()).find((f) => fs.existsSync(f));
  if (!file) {
    void vscode.window.showErrorMessage(
      `OptLab: the experiment file of ${runLabel(run)} (${run.experiment.file ?? `experiment "${run.experiment.name}"`}) is not in this workspace any more. Its optimizer entry as run is in its run.json ("spec").`,
    );
    return;
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const entry = entryOfRun(outlineExperiment(doc.getText()), run);
  const editor = await vscode.window.showTextDocument(doc);
  if (!entry) {
    void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(file)} has no optimizer entry labelled "${run.label}" any more (it was renamed or removed since the run).`);
    return;
  }
  const range = toRange(entry.range);
  editor.selection = new vscode.Selection(range.start, range.start);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
