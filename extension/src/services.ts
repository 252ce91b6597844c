// The extension's parts, created once in activate() and handed to the commands and views.
import type * as vscode from 'vscode';
import type { EngineSupervisor } from './engine/engine-supervisor';
import type { ExperimentDiagnostics } from './editor/diagnostics';
import type { ExperimentTreeProvider } from './explorer/experiment-tree';
import type { TreeNode } from './explorer/tree-nodes';
import type { WorkspaceExperiments } from './explorer/workspace-experiments';
import type { OptLabSettings } from './model/settings';
import type { PanelManager } from './panels/panel-manager';
import type { RunIndex } from './store/run-index';

export interface Services {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  engine: EngineSupervisor;
  runs: RunIndex;
  experiments: WorkspaceExperiments;
  tree: ExperimentTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  panels: PanelManager;
  diagnostics: ExperimentDiagnostics;
  settings(): OptLabSettings;
}
