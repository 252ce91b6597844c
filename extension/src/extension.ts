// OptLab's entry point: creates the engine supervisor, the run index, the explorer, the panels, the
// editor features and the commands, wires engine events and file watchers to them, and returns
// the OptLabApi (extension/src/api.ts) that the integration tests drive.
import path from 'node:path';
import * as vscode from 'vscode';
import type { OptLabApi } from './api';
import { startExperiment } from './commands/run-experiment';
import { registerCommands } from './commands/register';
import { ExperimentCodeLensProvider } from './editor/codelens';
import { ResultDecorations } from './editor/decorations';
import { ExperimentDiagnostics } from './editor/diagnostics';
import { ExperimentInsights } from './editor/experiment-insights';
import { ExperimentHoverProvider } from './editor/hover';
import { EXPERIMENT_SELECTOR } from './editor/selector';
import { crashMessage } from './engine/crash-message';
import { EngineSupervisor } from './engine/engine-supervisor';
import { ExperimentTreeProvider, VIEW_ID } from './explorer/experiment-tree';
import type { TreeNode } from './explorer/tree-nodes';
import { WorkspaceExperiments } from './explorer/workspace-experiments';
import { samePath } from './model/experiment-runs';
import { PanelManager } from './panels/panel-manager';
import { fileText, type PanelDataSource } from './panels/panel-data';
import type { Services } from './services';
import { affects, firstWorkspaceFolder, readDataAccess, readSettings } from './settings';
import { RunIndex } from './store/run-index';
import { debounce, throttle } from './util/timing';

let current: { engine: EngineSupervisor } | undefined;

export function activate(context: vscode.ExtensionContext): OptLabApi {
  const log = vscode.window.createOutputChannel('OptLab Engine', { log: true });
  context.subscriptions.push(log);
  let settings = readSettings();
  log.info(`OptLab activated; run store ${settings.storeRoot}; compute backend ${settings.computeBackend}; workers ${settings.workers ?? 'one per core'}`);

  const runs = new RunIndex(settings.storeRoot);
  const engine = new EngineSupervisor({
    enginePath: context.asAbsolutePath(path.join('bin', 'optlab.js')),
    cwd: firstWorkspaceFolder() ?? context.extensionPath,
    log: (level, message) => log[level](message),
    shutdownTimeoutMs: 5000,
    dataAccess: readDataAccess,
  });
  current = { engine };
  const experiments = new WorkspaceExperiments(runs);
  const tree = new ExperimentTreeProvider(experiments, runs, engine);
  const treeView = vscode.window.createTreeView<TreeNode>(VIEW_ID, { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });

  const dataSource: PanelDataSource = {
    runs,
    recent: engine.recent,
    runsOfExperiment: (file) => experiments.runsOf(file),
    readText: (file) => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && samePath(d.uri.fsPath, file))?.getText() ?? fileText(file),
    resultOf: (file) => runs.store.readExperimentResult({ file }),
    log: (message) => log.warn(message),
  };
  const panels = new PanelManager(context, dataSource, (requestId) => engine.session(requestId)?.file);
  const diagnostics = new ExperimentDiagnostics((text, file) => engine.checkSetup(text, file));
  const insights = new ExperimentInsights(experiments, runs, engine);
  const codeLens = new ExperimentCodeLensProvider(insights);
  const decorations = new ResultDecorations(insights);

  const services: Services = { context, log, engine, runs, experiments, tree, treeView, panels, diagnostics, settings: () => settings };

  context.subscriptions.push(
    { dispose: () => void engine.dispose() },
    { dispose: () => runs.dispose() },
    { dispose: () => experiments.dispose() },
    tree,
    treeView,
    panels,
    diagnostics,
    codeLens,
    decorations,
    registerCommands(services),
    panels.registerSerializers(),
    vscode.languages.registerCodeLensProvider(EXPERIMENT_SELECTOR, codeLens),
    vscode.languages.registerHoverProvider(EXPERIMENT_SELECTOR, new ExperimentHoverProvider(insights)),
  );

  // ---- what follows a change in the store --------------------------------------------------
  const refreshEditor = throttle(() => {
    codeLens.refresh();
    decorations.refresh();
  }, 500);
  const runsChanged = runs.onDidChange(() => {
    insights.invalidate();
    tree.refresh();
    refreshEditor();
  });
  const experimentsChanged = experiments.onDidChange(() => {
    insights.invalidate();
    tree.refresh();
    refreshEditor();
  });
  context.subscriptions.push(runsChanged, experimentsChanged, { dispose: () => refreshEditor.cancel() });

  // ---- engine events: validated by the supervisor, routed here --------------------------------
  context.subscriptions.push(
    engine.onEvent((event) => {
      if (event.type === 'log') return;
      // run.json changed with these events: the store is the source of truth, re-read it.
      if (event.type !== 'metrics' && event.type !== 'progress') runs.invalidate();
      panels.handleEngineEvent(event);
      tree.refresh();
      if (event.type === 'progress') {
        insights.invalidate();
        refreshEditor();
      }
    }),
    engine.onCrash((report) => {
      runs.invalidate();
      for (const session of report.sessions) {
        for (const run of session.crashed) panels.handleEngineEvent({ type: 'runStatus', requestId: session.requestId, runId: run.id, status: 'crashed' });
      }
      tree.refreshNow();
      void vscode.window.showErrorMessage(crashMessage(report), 'Restart Engine', 'Show Engine Log').then((choice) => {
        if (choice === 'Restart Engine') void vscode.commands.executeCommand('optlab.restartEngine');
        if (choice === 'Show Engine Log') log.show(true);
      });
    }),
    engine.onSessionEnded(() => {
      runs.invalidate();
      tree.refresh();
    }),
  );

  // ---- context keys for the manifest's `when` clauses -----------------------------------------
  // optlab.running: an experiment session is running; optlab.hasPanels: a chart panel is open.
  let running = false;
  const updateRunning = () => {
    const now = engine.sessions().length > 0;
    if (now !== running) {
      running = now;
      void vscode.commands.executeCommand('setContext', 'optlab.running', now);
    }
  };
  void vscode.commands.executeCommand('setContext', 'optlab.running', false);
  void vscode.commands.executeCommand('setContext', 'optlab.hasPanels', false);
  context.subscriptions.push(
    engine.onEvent((e) => {
      if (e.type === 'experimentStarted') updateRunning();
    }),
    engine.onSessionEnded(updateRunning),
    panels.onDidChangeCount((n) => void vscode.commands.executeCommand('setContext', 'optlab.hasPanels', n > 0)),
  );

  // ---- file watchers -----------------------------------------------------------------------
  const experimentFilesChanged = debounce(() => experiments.invalidate(), 300);
  const expWatcher = vscode.workspace.createFileSystemWatcher('**/*.optlab.json');
  context.subscriptions.push(
    expWatcher,
    expWatcher.onDidCreate(experimentFilesChanged),
    expWatcher.onDidDelete(experimentFilesChanged),
    expWatcher.onDidChange(experimentFilesChanged),
    { dispose: () => experimentFilesChanged.cancel() },
  );

  const storeChanged = debounce(() => {
    runs.invalidate();
    panels.storeChanged();
  }, 400);
  let storeWatchers: vscode.Disposable | undefined;
  const watchStore = () => {
    storeWatchers?.dispose();
    const base = vscode.Uri.file(runs.root);
    const records = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, 'runs/*/run.json'));
    const folders = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, 'runs/*'), false, true, false);
    storeWatchers = vscode.Disposable.from(
      records,
      folders,
      records.onDidCreate(storeChanged),
      records.onDidChange(storeChanged),
      records.onDidDelete(storeChanged),
      folders.onDidCreate(storeChanged),
      folders.onDidDelete(storeChanged),
    );
  };
  watchStore();
  context.subscriptions.push({ dispose: () => storeWatchers?.dispose() }, { dispose: () => storeChanged.cancel() });
  // A process killed while it ran runs (a `kill -9`ed optlab run) changes nothing on disk: while any
  // run reads as unfinished, the store is read again now and then, so the tree shows it crashed.
  const orphanPoll = setInterval(() => {
    if (runs.list().some((r) => r.status === 'queued' || r.status === 'running')) storeChanged();
  }, 10_000);
  context.subscriptions.push({ dispose: () => clearInterval(orphanPoll) });

  // ---- settings and workspace folders --------------------------------------------------------
  const applySettings = (why: string) => {
    const before = settings;
    settings = readSettings();
    if (settings.storeRoot !== before.storeRoot) {
      log.info(`run store: ${settings.storeRoot} (${why})`);
      runs.setRoot(settings.storeRoot);
      watchStore();
    }
    if (settings.computeBackend !== before.computeBackend) log.info(`compute backend: ${settings.computeBackend} (used for neural training; the NQM is computed analytically)`);
    if (settings.workers !== before.workers) log.info(`worker threads per experiment: ${settings.workers ?? 'one per core'} (from the next run)`);
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'storeLocation') || affects(e, 'computeBackend') || affects(e, 'maxParallelTrials')) applySettings('settings changed');
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      applySettings('workspace folders changed');
      experiments.invalidate();
    }),
  );

  // One engine process serves every run of this window: start it now, so the first run starts at once.
  engine.start().catch((err: unknown) => {
    log.error(`the engine did not start: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window.showErrorMessage(`OptLab: the engine did not start: ${err instanceof Error ? err.message : String(err)}`, 'Show Engine Log', 'Restart Engine').then((choice) => {
      if (choice === 'Show Engine Log') log.show(true);
      if (choice === 'Restart Engine') void vscode.commands.executeCommand('optlab.restartEngine');
    });
  });

  // ---- the API -------------------------------------------------------------------------------
  return {
    engine: {
      state: () => engine.state(),
      pid: () => engine.pid(),
      restart: () => engine.restart(),
      kill: (signal) => engine.kill(signal),
    },
    runExperiment: async (file) => {
      const absolute = path.isAbsolute(file) ? file : path.resolve(firstWorkspaceFolder() ?? process.cwd(), file);
      const { requestId, done } = await startExperiment(services, absolute);
      return { requestId, done };
    },
    stopAll: () => engine.cancelAll(),
    storeRoot: () => runs.root,
    treeSnapshot: () => tree.snapshot(),
    panels: () => panels.list(),
  };
}

/** Stops the engine gracefully: running sessions are cancelled, so no run is left 'running'. */
export async function deactivate(): Promise<void> {
  const engine = current?.engine;
  current = undefined;
  await engine?.stop();
}
