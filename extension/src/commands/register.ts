// Registers every command declared in package.json. A failing command tells the user what failed
// (and logs the stack), never fails silently.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { errorMessage } from '../util/timing';
import { deleteRunCommand } from './delete-run';
import { restartEngineCommand, selectBackendCommand, showEngineLogCommand } from './engine-commands';
import { exportChartCommand, exportRunDataCommand } from './export';
import { newExperimentCommand } from './new-experiment';
import { compareRunsCommand, openDashboardCommand, showCriticalBatchSizeCommand } from './open-panels';
import { revealSpecCommand } from './reveal-spec';
import { runExperimentCommand } from './run-experiment';
import { stopAllCommand, stopRunCommand } from './stop';

type Handler = (s: Services, ...args: unknown[]) => unknown;

export const COMMANDS: Record<string, { title: string; run: Handler }> = {
  'optlab.newExperiment': { title: 'New Experiment', run: (s) => newExperimentCommand(s) },
  'optlab.runExperiment': { title: 'Run Experiment', run: (s, arg) => runExperimentCommand(s, arg) },
  'optlab.stopRun': { title: 'Stop Run', run: (s, arg, sel) => stopRunCommand(s, arg, sel) },
  'optlab.stopAll': { title: 'Stop All', run: (s) => stopAllCommand(s) },
  'optlab.openDashboard': { title: 'Open Dashboard', run: (s, arg, sel) => openDashboardCommand(s, arg, sel) },
  'optlab.compareRuns': { title: 'Compare Runs', run: (s, arg, sel) => compareRunsCommand(s, arg, sel) },
  'optlab.showCriticalBatchSize': { title: 'Show Critical Batch Size', run: (s, arg) => showCriticalBatchSizeCommand(s, arg) },
  'optlab.exportRunData': { title: 'Export Run Data', run: (s, arg, sel) => exportRunDataCommand(s, arg, sel) },
  'optlab.exportChart': { title: 'Export Chart', run: (s) => exportChartCommand(s) },
  'optlab.deleteRun': { title: 'Delete Run', run: (s, arg, sel) => deleteRunCommand(s, arg, sel) },
  'optlab.selectBackend': { title: 'Select Compute Backend', run: (s) => selectBackendCommand(s) },
  'optlab.showEngineLog': { title: 'Show Engine Log', run: (s) => showEngineLogCommand(s) },
  'optlab.restartEngine': { title: 'Restart Engine', run: (s) => restartEngineCommand(s) },
  'optlab.refreshExplorer': {
    title: 'Refresh Experiments',
    run: (s) => {
      s.experiments.invalidate();
      s.runs.invalidate();
      s.tree.refreshNow();
    },
  },
  'optlab.revealSpec': { title: 'Reveal Experiment Spec', run: (s, arg) => revealSpecCommand(s, arg) },
};

export function registerCommands(s: Services): vscode.Disposable {
  return vscode.Disposable.from(
    ...Object.entries(COMMANDS).map(([id, { title, run }]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await run(s, ...args);
        } catch (err) {
          s.log.error(`${id} failed: ${err instanceof Error && err.stack ? err.stack : errorMessage(err)}`);
          const choice = await vscode.window.showErrorMessage(`OptLab: ${title} failed: ${errorMessage(err)}`, 'Show Engine Log');
          if (choice) s.log.show(true);
          return undefined;
        }
      }),
    ),
  );
}
