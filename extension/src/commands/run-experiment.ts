// OptLab: Run Experiment. The file: the argument (tree, CodeLens, editor title), the active editor,
// or a pick. It is saved and validated first (the same validation as the engine's); the engine runs
// it; a notification shows progress and can cancel; the dashboard follows the session; at the end
// the critical-batch-size chart opens and a summary names the result.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { ExperimentError, parseExperiment } from '../../../engine/src';
import type { SessionOutcome } from '../engine/session-book';
import { samePath } from '../model/experiment-runs';
import type { Services } from '../services';
import { errorMessage } from '../util/timing';
import { experimentFileFromArg } from './args';
import { cancelledText, failedText, finishedText, firstProblemPosition, outcomeName } from './outcome-text';
import { activeExperimentFile, pickExperimentFile } from './pickers';

export async function runExperimentCommand(s: Services, arg?: unknown): Promise<{ requestId: string; done: Promise<SessionOutcome> } | undefined> {
  const file = experimentFileFromArg(arg) ?? activeExperimentFile() ?? (await pickExperimentFile(s, 'Run which experiment?'));
  if (!file) return undefined;
  if (!(await saveIfDirty(file))) return undefined;
  if (!(await validateOrShow(s, file))) return undefined;
  const running = s.engine.sessions().filter((x) => samePath(x.file, file));
  if (running.length) {
    const again = await vscode.window.showWarningMessage(
      `${path.basename(file)} is already running (${running[0].progress ? `${running[0].progress.done}/${running[0].progress.total} runs done` : 'starting'}). Run it again at the same time?`,
      { modal: true },
      'Run Again',
    );
    if (again !== 'Run Again') return undefined;
  }
  try {
    return await startExperiment(s, file);
  } catch {
    return undefined; // startExperiment has told the user why
  }
}

/** Starts a session with the UI around it (progress, dashboard, summary); the API uses it too. */
export async function startExperiment(s: Services, file: string): Promise<{ requestId: string; done: Promise<SessionOutcome> }> {
  const settings = s.settings();
  let started;
  try {
    started = await s.engine.run({ file, store: settings.storeRoot, backend: settings.computeBackend, ...(settings.workers !== undefined && { workers: settings.workers }) });
  } catch (err) {
    const message = errorMessage(err);
    s.log.error(`cannot run ${file}: ${message}`);
    void vscode.window.showErrorMessage(`OptLab could not start ${path.basename(file)}: ${message}`, 'Show Engine Log').then((c) => {
      if (c) s.log.show(true);
    });
    throw err;
  }
  const { requestId, done } = started;
  const session = s.engine.session(requestId);
  if (session?.accepted) {
    s.panels.open({ kind: 'dashboard', experimentFile: session.file, runIds: [...session.runs.keys()] }, { preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
  }
  showProgress(s, requestId, file, done);
  void done.then((outcome) => reportOutcome(s, outcome));
  return started;
}

async function saveIfDirty(file: string): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && samePath(d.uri.fsPath, file));
  if (!doc?.isDirty) return true;
  if (await doc.save()) return true;
  void vscode.window.showErrorMessage(`OptLab: ${path.basename(file)} could not be saved, so it was not run.`);
  return false;
}

/** Runs the engine's validation here first, so problems show with a way to go to them. */
async function validateOrShow(s: Services, file: string): Promise<boolean> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    void vscode.window.showErrorMessage(`OptLab: cannot read ${file}: ${errorMessage(err)}`);
    return false;
  }
  try {
    parseExperiment(text, file);
    return true;
  } catch (err) {
    if (!(err instanceof ExperimentError)) throw err;
    const first = err.issues[0];
    const where = first?.line !== undefined ? `line ${first.line}, column ${first.column ?? 1}${first.path ? ` (${first.path})` : ''}` : first?.path || 'the file';
    const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problem${err.issues.length === 2 ? '' : 's'}; see Problems)` : '';
    s.log.warn(err.message);
    const choice = await vscode.window.showErrorMessage(`${path.basename(file)} is not a valid experiment, so it was not run: ${where}: ${first?.message ?? err.message}${more}`, 'Go to Problem');
    if (choice === 'Go to Problem') await openAt(file, first?.line ?? 1, first?.column ?? 1);
    return false;
  }
}

async function openAt(file: string, line: number, column: number): Promise<void> {
  const pos = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(pos, pos) });
}

function showProgress(s: Services, requestId: string, file: string, done: Promise<SessionOutcome>): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `OptLab: ${s.engine.session(requestId)?.experiment ?? path.basename(file)}`, cancellable: true },
    async (progress, token) => {
      let reported = 0;
      const sub = s.engine.onEvent((e) => {
        if (e.type !== 'progress' || e.requestId !== requestId || e.total <= 0) return;
        const pct = (100 * e.done) / e.total;
        progress.report({ increment: Math.max(0, pct - reported), message: `${e.done}/${e.total} runs · ${e.message}` });
        reported = Math.max(reported, pct);
      });
      const cancel = token.onCancellationRequested(() => {
        progress.report({ message: 'cancelling…' });
        s.engine.cancel(requestId);
      });
      progress.report({ message: 'running…' });
      try {
        await done;
      } finally {
        sub.dispose();
        cancel.dispose();
      }
    },
  );
}

async function reportOutcome(s: Services, outcome: SessionOutcome): Promise<void> {
  switch (outcome.result) {
    case 'finished': {
      const reports = outcome.finished?.criticalBatchSize ?? [];
      const plottable = reports.some((r) => r.points.filter((p) => p.steps !== null).length >= 2);
      if (plottable) s.panels.open({ kind: 'criticalBatch', experimentFile: outcome.file }, { preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
      const choice = await vscode.window.showInformationMessage(finishedText(outcome), 'Critical Batch Size', 'Dashboard');
      if (choice === 'Critical Batch Size') s.panels.open({ kind: 'criticalBatch', experimentFile: outcome.file });
      if (choice === 'Dashboard') s.panels.open({ kind: 'dashboard', experimentFile: outcome.file, runIds: outcome.runIds });
      break;
    }
    case 'cancelled': {
      const session = s.engine.session(outcome.requestId);
      const kept = session ? [...session.runs.values()].filter((r) => r.status === 'completed' || r.status === 'diverged').length : 0;
      void vscode.window.showInformationMessage(cancelledText(outcome, kept));
      break;
    }
    case 'failed': {
      const pos = outcome.message ? firstProblemPosition(outcome.message, outcome.file) : undefined;
      const actions = pos ? ['Go to Problem', 'Show Engine Log'] : ['Show Engine Log'];
      const choice = await vscode.window.showErrorMessage(failedText(outcome), ...actions);
      if (choice === 'Go to Problem' && pos) await openAt(outcome.file, pos.line, pos.column);
      if (choice === 'Show Engine Log') s.log.show(true);
      break;
    }
    case 'crashed':
      // The engine's crash notification (with Restart Engine) says it all.
      s.log.error(`${outcomeName(outcome)}: ${outcome.message ?? 'crashed'}`);
      break;
  }
}
