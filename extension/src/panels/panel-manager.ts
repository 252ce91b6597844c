// Creates, finds and restores the chart panels (dashboard, compare, critical batch size), routes
// engine events to them, and remembers what each shows so it survives a window reload: in the
// view's own state (the HTML carries it for setState) and, as a fallback, in the workspace state.
import * as vscode from 'vscode';
import type { EngineEvent } from '../../../engine/src/protocol/engine-messages';
import type { PanelKind } from '../../../engine/src/protocol/view-messages';
import { routeEngineEvent } from '../model/panel-router';
import { PANEL_KINDS, panelKey, panelTitle, parsePanelState, VIEW_TYPES, type PanelState } from '../model/panel-state';
import { runLabel } from '../model/run-view';
import { ChartPanel, type ChartPanelHost } from './chart-panel';
import { loadRuns, type PanelDataSource } from './panel-data';

const SAVED_KEY = 'optlab.panels';

interface SavedPanel {
  viewType: string;
  title: string;
  state: PanelState;
}

export interface OpenOptions {
  preserveFocus?: boolean;
  viewColumn?: vscode.ViewColumn;
  /** Reveal an existing panel showing the same thing (default true). */
  reveal?: boolean;
}

export class PanelManager implements vscode.Disposable {
  private readonly panels = new Map<string, ChartPanel>();
  private lastActive: ChartPanel | undefined;
  /**
   * What the panels of the previous window showed, for panels whose view saved no state. Each
   * entry serves one restored panel; the rest is kept in the saved list until restoring is over.
   */
  private remembered: (SavedPanel | undefined)[];
  private readonly forgetRemembered: NodeJS.Timeout;
  private shuttingDown = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly host: ChartPanelHost;
  private readonly countChanged = new vscode.EventEmitter<number>();
  /** The number of open panels changed. */
  readonly onDidChangeCount = this.countChanged.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly data: PanelDataSource,
    private readonly fileOfSession: (requestId: string) => string | undefined,
  ) {
    this.remembered = [...context.workspaceState.get<SavedPanel[]>(SAVED_KEY, [])];
    this.forgetRemembered = setTimeout(() => {
      this.remembered = [];
      this.save();
    }, 60_000);
    this.host = {
      extensionUri: context.extensionUri,
      data,
      openRun: (runId) => this.open({ kind: 'dashboard', runIds: [runId] }, { viewColumn: vscode.ViewColumn.Active }),
      stateChanged: () => this.save(),
      disposed: (panel) => {
        this.panels.delete(panel.id);
        if (this.lastActive === panel) this.lastActive = undefined;
        this.save();
        if (!this.shuttingDown) this.countChanged.fire(this.panels.size);
      },
    };
  }

  /** Registers the serializers that bring panels back after a window reload. */
  registerSerializers(): vscode.Disposable {
    const subs = PANEL_KINDS.map((kind) =>
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPES[kind], {
        deserializeWebviewPanel: async (webviewPanel, saved: unknown) => this.restore(kind, webviewPanel, saved),
      }),
    );
    return vscode.Disposable.from(...subs);
  }

  /** Opens a panel showing `state`, or reveals the one that already does. */
  open(state: PanelState, options: OpenOptions = {}): ChartPanel {
    const key = panelKey(state);
    const existing = [...this.panels.values()].find((p) => panelKey(p.state) === key);
    if (existing) {
      if (state.kind !== 'criticalBatch' && state.runIds.join() !== (existing.state.kind === 'criticalBatch' ? '' : existing.state.runIds.join())) {
        existing.apply({ panelId: existing.id, type: 'retarget', runIds: state.runIds });
      }
      if (options.reveal !== false) existing.reveal(options.preserveFocus ?? false);
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      VIEW_TYPES[state.kind],
      this.titleFor(state),
      { viewColumn: options.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus ?? false },
      { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview')] },
    );
    return this.adopt(webviewPanel, state);
  }

  /** Routes a validated engine event to the panels that show its runs. */
  handleEngineEvent(event: EngineEvent): void {
    if (!this.panels.size) return;
    const subs = [...this.panels.values()].map((p) => ({ id: p.id, state: p.state, runIds: p.runIds }));
    for (const action of routeEngineEvent(event, subs, this.fileOfSession)) this.panels.get(action.panelId)?.apply(action);
  }

  /** The store changed outside the engine's events (watcher). */
  storeChanged(): void {
    for (const p of this.panels.values()) p.storeChanged();
  }

  runsDeleted(ids: string[]): void {
    const set = new Set(ids);
    for (const p of [...this.panels.values()]) p.runsDeleted(set);
  }

  list(): { kind: PanelKind; title: string }[] {
    return [...this.panels.values()].map((p) => ({ kind: p.kind, title: p.title }));
  }

  all(): ChartPanel[] {
    return [...this.panels.values()];
  }

  /** The panel the user looked at last (active, else the most recently active one still open). */
  active(): ChartPanel | undefined {
    const current = [...this.panels.values()].find((p) => p.webviewPanel.active);
    return current ?? this.lastActive;
  }

  dispose(): void {
    clearTimeout(this.forgetRemembered);
    // Detach, do not close: VS Code restores the open panels in the next window.
    this.save();
    this.shuttingDown = true;
    for (const d of this.disposables) d.dispose();
    for (const p of this.panels.values()) p.detach();
    this.panels.clear();
    this.countChanged.dispose();
  }

  // ---- internals ----------------------------------------------------------------------------

  private adopt(webviewPanel: vscode.WebviewPanel, state: PanelState): ChartPanel {
    const panel = new ChartPanel(webviewPanel, state, this.host);
    this.panels.set(panel.id, panel);
    this.lastActive = panel;
    this.countChanged.fire(this.panels.size);
    this.disposables.push(
      webviewPanel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) this.lastActive = panel;
      }),
    );
    this.save();
    return panel;
  }

  private async restore(kind: PanelKind, webviewPanel: vscode.WebviewPanel, saved: unknown): Promise<void> {
    let state = parsePanelState(kind, saved);
    if (!state) {
      // The view did not save its state: find what this panel showed by its title.
      const index = this.remembered.findIndex((p) => p !== undefined && p.viewType === webviewPanel.viewType && p.title === webviewPanel.title);
      if (index >= 0) {
        state = parsePanelState(kind, this.remembered[index]!.state);
        this.remembered[index] = undefined;
      }
    }
    if (!state) {
      this.data.log(`could not restore the panel "${webviewPanel.title}": what it showed was not saved; open it again from the OptLab commands`);
      webviewPanel.dispose();
      return;
    }
    const { title: _title, ...clean } = state;
    this.adopt(webviewPanel, clean as PanelState);
  }

  private titleFor(state: PanelState): string {
    if (state.kind === 'criticalBatch') return panelTitle(state);
    const { records } = loadRuns(state.runIds.slice(0, 1), this.data);
    const first = records[0];
    return panelTitle(state, first && state.runIds.length === 1 ? runLabel(first) : undefined, first?.experiment.name);
  }

  private save(): void {
    if (this.shuttingDown) return;
    const saved: SavedPanel[] = [...this.panels.values()].map((p) => ({ viewType: p.webviewPanel.viewType, title: p.title, state: p.state }));
    const pending = this.remembered.filter((p): p is SavedPanel => p !== undefined);
    void this.context.workspaceState.update(SAVED_KEY, [...saved, ...pending]);
  }
}
