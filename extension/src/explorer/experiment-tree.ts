// The experiment explorer (view optlab.experiments): the workspace's experiment files and, under
// each, its runs from the store, newest first, with live status from the engine. Refreshed
// (throttled) on file changes, store changes and engine events.
import path from 'node:path';
import * as vscode from 'vscode';
import type { TreeExperimentSnapshot } from '../api';
import type { EngineSupervisor } from '../engine/engine-supervisor';
import { experimentBaseName } from '../model/experiment-runs';
import { escapeMarkdown, plural } from '../model/format';
import { effectiveStatus, runContextValue, runDescription, runIcon, runLabel, runTooltipMarkdown } from '../model/run-view';
import type { RunIndex } from '../store/run-index';
import { throttle } from '../util/timing';
import type { ExperimentNode, OrphansNode, ProblemsNode, RunNode, TreeNode } from './tree-nodes';
import type { WorkspaceExperiments } from './workspace-experiments';

export const VIEW_ID = 'optlab.experiments';

export class ExperimentTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  // Throttled, not debounced: metrics arrive every 100 ms during a run, which would postpone a
  // debounced refresh until the stream pauses.
  private readonly scheduled = throttle(() => this.changed.fire(), 350);

  constructor(
    private readonly experiments: WorkspaceExperiments,
    private readonly runs: RunIndex,
    private readonly engine: EngineSupervisor,
  ) {}

  /** Schedules a refresh (at most one per 350 ms however many events arrive). */
  refresh(): void {
    this.scheduled();
  }

  refreshNow(): void {
    this.scheduled.cancel();
    this.changed.fire();
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) return this.roots();
    switch (node.kind) {
      case 'experiment':
        return node.runs.map((run): RunNode => ({ kind: 'run', run, file: node.file }));
      case 'orphans':
        return node.runs.map((run): RunNode => ({ kind: 'run', run }));
      default:
        return [];
    }
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'experiment':
        return this.experimentItem(node);
      case 'run':
        return this.runItem(node);
      case 'orphans':
        return this.orphansItem(node);
      case 'problems':
        return this.problemsItem(node);
    }
  }

  /** The tree's content as the API reports it (fresh: caches are dropped first). */
  async snapshot(): Promise<TreeExperimentSnapshot[]> {
    this.experiments.invalidate();
    this.runs.invalidate();
    const roots = await this.roots();
    const out: TreeExperimentSnapshot[] = [];
    for (const node of roots) {
      if (node.kind !== 'experiment' && node.kind !== 'orphans') continue;
      out.push({
        file: node.kind === 'experiment' ? node.file : '',
        name: node.kind === 'experiment' ? node.name : 'Runs without an experiment file',
        runs: node.runs.map((run) => {
          const live = this.engine.liveState(run.id);
          return { id: run.id, label: runLabel(run), status: effectiveStatus(run, live), description: runDescription(run, live) };
        }),
      });
    }
    return out;
  }

  dispose(): void {
    this.scheduled.cancel();
    this.changed.dispose();
  }

  private async roots(): Promise<TreeNode[]> {
    const { files, byFile, orphans } = await this.experiments.grouped();
    const nodes: TreeNode[] = files.map(
      (f): ExperimentNode => ({ kind: 'experiment', file: f.file, name: f.name ?? experimentBaseName(f.file), readable: f.name !== undefined, runs: byFile.get(f.file) ?? [] }),
    );
    if (orphans.length) nodes.push({ kind: 'orphans', runs: orphans } satisfies OrphansNode);
    const problems = this.runs.problems();
    if (problems.length) nodes.push({ kind: 'problems', problems, storeRoot: this.runs.root } satisfies ProblemsNode);
    return nodes;
  }

  private experimentItem(node: ExperimentNode): vscode.TreeItem {
    const running = node.runs.filter((r) => {
      const s = effectiveStatus(r, this.engine.liveState(r.id));
      return s === 'running' || s === 'queued';
    }).length;
    // A running experiment opens by itself so its runs' progress is in view (the user's own
    // expand/collapse choice is kept by VS Code through the item id).
    const state = !node.runs.length ? vscode.TreeItemCollapsibleState.None : running ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.name, state);
    item.id = `experiment:${node.file}`;
    item.contextValue = 'experiment';
    item.resourceUri = vscode.Uri.file(node.file);
    const rel = vscode.workspace.asRelativePath(node.file, true);
    item.description = [node.runs.length ? plural(node.runs.length, 'run') : 'no runs yet', running ? `${running} running` : '', node.readable ? '' : 'unreadable JSON'].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(node.readable ? 'beaker' : 'warning', node.readable ? undefined : new vscode.ThemeColor('problemsWarningIcon.foreground'));
    const tooltip = new vscode.MarkdownString(`**${escapeMarkdown(node.name)}**\n\n${escapeMarkdown(rel)}\n\n${escapeMarkdown(node.runs.length ? plural(node.runs.length, 'run') : 'No runs yet')}`);
    tooltip.isTrusted = false;
    item.tooltip = tooltip;
    return item;
  }

  private runItem(node: RunNode): vscode.TreeItem {
    const { run } = node;
    const live = this.engine.liveState(run.id);
    const status = effectiveStatus(run, live);
    const item = new vscode.TreeItem(runLabel(run), vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.id}`;
    item.description = runDescription(run, live);
    item.contextValue = runContextValue(status);
    const icon = runIcon(status);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    const tooltip = new vscode.MarkdownString(runTooltipMarkdown(run, live));
    tooltip.isTrusted = false;
    tooltip.supportHtml = false;
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: `${runLabel(run)}, ${status}, ${item.description}` };
    return item;
  }

  private orphansItem(node: OrphansNode): vscode.TreeItem {
    const item = new vscode.TreeItem('Runs without an experiment file', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = 'orphans';
    item.contextValue = 'orphans';
    item.description = plural(node.runs.length, 'run');
    item.iconPath = new vscode.ThemeIcon('archive');
    item.tooltip = 'Runs in the store whose experiment file is not in this workspace (moved, deleted, or started elsewhere).';
    return item;
  }

  private problemsItem(node: ProblemsNode): vscode.TreeItem {
    const item = new vscode.TreeItem(`${plural(node.problems.length, 'unreadable run folder')}`, vscode.TreeItemCollapsibleState.None);
    item.id = 'problems';
    item.contextValue = 'storeProblems';
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.description = path.join(node.storeRoot, 'runs');
    const md = new vscode.MarkdownString(node.problems.slice(0, 20).map((p) => `- \`${p.id}\`: ${escapeMarkdown(p.message)}`).join('\n') + (node.problems.length > 20 ? `\n\n… and ${node.problems.length - 20} more` : ''));
    md.isTrusted = false;
    item.tooltip = md;
    return item;
  }
}
