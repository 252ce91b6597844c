// One chart panel (a webview): its HTML, the 'ready' handshake before any data, the initial data
// from the store, live deltas coalesced to at most ~10 messages per second, PNG export requests.
// When hidden, its view is discarded (retainContextWhenHidden false); shown again, it says 'ready'
// again and gets everything anew from the store.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { HostMessage, PanelKind } from '../../../engine/src/protocol/view-messages';
import { parseViewMessage } from '../../../engine/src/protocol/view-messages';
import type { RunStatus } from '../../../engine/src';
import { MetricCoalescer } from '../model/metric-coalescer';
import { bulkMetricsMessages, liveMetricsMessage, metricsMessage, type RunRows } from '../model/metric-columns';
import type { PanelAction } from '../model/panel-router';
import { panelRunIds, panelTitle, type PanelState } from '../model/panel-state';
import { runLabel } from '../model/run-view';
import { debounce, errorMessage } from '../util/timing';
import { buildPanelHtml, makeNonce } from './html';
import { loadCriticalBatch, loadMetrics, loadRuns, type PanelDataSource } from './panel-data';

export interface ChartPanelHost {
  extensionUri: vscode.Uri;
  data: PanelDataSource;
  /** A panel asked to open a run's dashboard. */
  openRun(runId: string): void;
  /** The panel's state changed (saved for restoring after a reload). */
  stateChanged(panel: ChartPanel): void;
  disposed(panel: ChartPanel): void;
}

const PNG_TIMEOUT_MS = 15_000;

export class ChartPanel implements vscode.Disposable {
  readonly id = randomUUID();
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  private readonly coalescer: MetricCoalescer;
  private readonly pngWaiters = new Map<string, (dataUrl: string | null) => void>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly refreshRunsSoon = debounce(() => void this.sendRuns(), 250);
  private readonly refreshCriticalSoon = debounce(() => void this.sendCritical(), 300);
  private currentRunIds: Set<string>;
  private statuses = new Map<string, RunStatus>();
  private disposed = false;

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    private stateValue: PanelState,
    private readonly host: ChartPanelHost,
  ) {
    this.currentRunIds = new Set(panelRunIds(stateValue));
    this.coalescer = new MetricCoalescer({
      intervalMs: 100,
      // One message per flush, every run with new rows in it (columnar): the ~10 messages per
      // second never hold a busy run back behind the others.
      send: (batch) => {
        const message = liveMetricsMessage(batch);
        if (message) this.post(message);
      },
      // Live rows after a hole (rows that went by before the panel followed the run, not yet
      // flushed to the store): reload the run from the store and the recent rows, then go on.
      onGap: (runId, expected, got) => this.reloadRun(runId, `live rows of run ${runId} start at #${got}, the panel has rows up to #${expected - 1}`),
    });
    const webview = webviewPanel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [this.webviewRoot()] };
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      webviewPanel.onDidChangeViewState(() => {
        if (!webviewPanel.visible) this.lostView();
      }),
      webviewPanel.onDidDispose(() => this.dispose()),
    );
    this.render();
  }

  get kind(): PanelKind {
    return this.stateValue.kind;
  }

  get state(): PanelState {
    return this.stateValue;
  }

  get title(): string {
    return this.webviewPanel.title;
  }

  /** The runs whose live events this panel wants. */
  get runIds(): ReadonlySet<string> {
    return this.currentRunIds;
  }

  isReady(): boolean {
    return this.ready;
  }

  reveal(preserveFocus = false): void {
    this.webviewPanel.reveal(undefined, preserveFocus);
  }

  /** Sets the HTML (with a fresh nonce); the view then says 'ready'. */
  render(): void {
    this.lostView();
    const webview = this.webviewPanel.webview;
    const name = this.stateValue.kind;
    this.webviewPanel.webview.html = buildPanelHtml({
      panel: name,
      title: this.webviewPanel.title,
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.webviewRoot(), `${name}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.webviewRoot(), `${name}.css`)).toString(),
      nonce: makeNonce(),
      state: { ...this.stateValue, title: this.webviewPanel.title },
    });
  }

  /** Applies a routed engine event. */
  apply(action: PanelAction): void {
    switch (action.type) {
      case 'metrics':
        if (this.ready) this.coalescer.push(action.runId, action.seq, action.rows);
        break;
      case 'runStatus': {
        this.statuses.set(action.runId, action.status);
        if (!this.ready) break;
        // Rows first, then the status that ends them.
        const pending = this.coalescer.takeRun(action.runId);
        if (pending) this.post(metricsMessage(pending.runId, pending));
        this.post({ type: 'runStatus', runId: action.runId, status: action.status, ...(action.summary && { summary: action.summary }) });
        break;
      }
      case 'refreshRuns':
        this.refreshRunsSoon();
        break;
      case 'retarget':
        this.setRuns(action.runIds);
        break;
      case 'refreshCritical':
        this.refreshCriticalSoon();
        break;
    }
  }

  /** The store changed outside the engine (another process, a deletion): re-send what differs. */
  storeChanged(): void {
    if (this.stateValue.kind === 'criticalBatch') {
      this.refreshCriticalSoon();
      return;
    }
    if (!this.ready) return;
    const { records } = loadRuns([...this.currentRunIds], this.host.data);
    let changed = records.length !== this.currentRunIds.size;
    const finished: RunRows[] = [];
    for (const r of records) {
      const before = this.statuses.get(r.id);
      if (before !== r.status) {
        changed = true;
        this.statuses.set(r.id, r.status);
        // A run finished by another process: its complete rows are in the store now.
        if (before !== undefined && r.status !== 'running' && r.status !== 'queued') {
          const { nextSeq, ...rows } = loadMetrics(r, this.host.data);
          this.coalescer.seed(r.id, nextSeq);
          finished.push({ runId: r.id, ...rows });
        }
      }
    }
    for (const m of bulkMetricsMessages(finished)) this.post(m);
    if (changed) this.refreshRunsSoon();
  }

  /** Runs were deleted: drop them; a panel left with none closes. */
  runsDeleted(ids: ReadonlySet<string>): void {
    if (this.stateValue.kind === 'criticalBatch') {
      this.refreshCriticalSoon();
      return;
    }
    const left = [...this.currentRunIds].filter((id) => !ids.has(id));
    if (left.length === this.currentRunIds.size) return;
    if (left.length === 0 && !(this.stateValue.kind === 'dashboard' && this.stateValue.experimentFile)) {
      this.webviewPanel.dispose();
      return;
    }
    this.setRuns(left);
  }

  /** Asks the view for a PNG of its charts; null when nothing is drawn. */
  async requestPng(): Promise<string | null> {
    if (!this.ready) {
      this.reveal(false);
      await this.whenReady(PNG_TIMEOUT_MS);
    }
    const requestId = randomUUID();
    const reply = new Promise<string | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pngWaiters.delete(requestId);
        reject(new Error(`the ${this.title} panel did not answer the export request within ${PNG_TIMEOUT_MS / 1000} s`));
      }, PNG_TIMEOUT_MS);
      this.pngWaiters.set(requestId, (dataUrl) => {
        clearTimeout(timer);
        resolve(dataUrl);
      });
    });
    this.post({ type: 'exportPng', requestId });
    return reply;
  }

  /** The user closed the panel (or it is closed on purpose): clean up and forget it. */
  dispose(): void {
    if (this.disposed) return;
    this.detach();
    this.host.disposed(this);
    this.webviewPanel.dispose();
  }

  /**
   * Stops feeding the panel without closing it: the window is closing or reloading, and the
   * panel must stay for VS Code to restore it.
   */
  detach(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.coalescer.dispose();
    this.refreshRunsSoon.cancel();
    this.refreshCriticalSoon.cancel();
    for (const d of this.disposables) d.dispose();
    for (const resolve of this.pngWaiters.values()) resolve(null);
    this.pngWaiters.clear();
  }

  // ---- internals ----------------------------------------------------------------------------

  private webviewRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview');
  }

  private whenReady(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the ${this.title} panel did not load within ${timeoutMs / 1000} s`)), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private lostView(): void {
    this.ready = false;
    this.coalescer.reset();
  }

  private setRuns(runIds: string[]): void {
    this.currentRunIds = new Set(runIds);
    if (this.stateValue.kind !== 'criticalBatch') this.stateValue = { ...this.stateValue, runIds: [...runIds] };
    this.updateTitle();
    this.host.stateChanged(this);
    if (this.ready) void this.sendAll(false);
  }

  private updateTitle(): void {
    const state = this.stateValue;
    if (state.kind === 'criticalBatch') return;
    const first = loadRuns(state.runIds.slice(0, 1), this.host.data).records[0];
    this.webviewPanel.title = panelTitle(state, first && state.runIds.length === 1 ? runLabel(first) : undefined, first?.experiment.name);
  }

  private onMessage(raw: unknown): void {
    let message;
    try {
      message = parseViewMessage(raw);
    } catch (err) {
      this.host.data.log(`panel "${this.title}": rejected a malformed message: ${errorMessage(err)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        void this.sendAll(true);
        for (const f of this.readyWaiters.splice(0)) f();
        break;
      case 'openRun':
        this.host.openRun(message.runId);
        break;
      case 'png': {
        const waiter = this.pngWaiters.get(message.requestId);
        this.pngWaiters.delete(message.requestId);
        waiter?.(message.dataUrl);
        break;
      }
      case 'error':
        this.host.data.log(`panel "${this.title}": ${message.message}`);
        break;
    }
  }

  private post(message: HostMessage): void {
    if (!this.ready || this.disposed) return;
    this.webviewPanel.webview.postMessage(message).then(
      (delivered) => {
        if (!delivered && message.type !== 'metrics' && message.type !== 'metricsBatch') this.host.data.log(`panel "${this.title}": '${message.type}' was not delivered (the panel is hidden)`);
      },
      (err: unknown) => this.host.data.log(`panel "${this.title}": cannot post '${message.type}': ${errorMessage(err)}`),
    );
  }

  /** Everything the view needs, from the store: after 'ready', or when the panel's runs change. */
  private async sendAll(withInit: boolean): Promise<void> {
    try {
      this.coalescer.reset();
      if (withInit) this.post({ type: 'init', panel: this.stateValue.kind, title: this.webviewPanel.title });
      if (this.stateValue.kind === 'criticalBatch') {
        await this.sendCritical();
        return;
      }
      const { records, infos, missing } = loadRuns([...this.currentRunIds], this.host.data);
      if (missing.length) this.host.data.log(`panel "${this.title}": ${missing.length} run(s) are no longer in the store: ${missing.join(', ')}`);
      this.post({ type: 'runs', runs: infos });
      const loaded: RunRows[] = [];
      for (const record of records) {
        this.statuses.set(record.id, record.status);
        const { nextSeq, ...rows } = loadMetrics(record, this.host.data);
        this.coalescer.seed(record.id, nextSeq);
        loaded.push({ runId: record.id, ...rows });
      }
      // Columnar, several runs per message: the panel draws its first frame from a few messages.
      for (const m of bulkMetricsMessages(loaded)) this.post(m);
    } catch (err) {
      this.host.data.log(`panel "${this.title}": cannot load its data: ${errorMessage(err)}`);
    }
  }

  /** Sends one run's rows anew (store, then recent live rows) and seeds the coalescer after them. */
  private reloadRun(runId: string, why: string): void {
    const record = loadRuns([runId], this.host.data).records[0];
    if (!record || !this.ready) return;
    const { nextSeq, ...rows } = loadMetrics(record, this.host.data);
    this.host.data.log(`panel "${this.title}": ${why}; reloaded ${rows.length} rows of ${runId} from the store`);
    this.coalescer.seed(runId, nextSeq);
    for (const m of bulkMetricsMessages([{ runId, ...rows }])) this.post(m);
  }

  private async sendRuns(): Promise<void> {
    if (!this.ready || this.stateValue.kind === 'criticalBatch') return;
    const { infos, records } = loadRuns([...this.currentRunIds], this.host.data);
    for (const r of records) this.statuses.set(r.id, r.status);
    this.post({ type: 'runs', runs: infos });
  }

  private async sendCritical(): Promise<void> {
    if (this.stateValue.kind !== 'criticalBatch') return;
    try {
      const data = await loadCriticalBatch(this.stateValue.experimentFile, this.host.data);
      this.currentRunIds = new Set(data.records.map((r) => r.id));
      const title = `Critical Batch Size: ${data.experimentName}`;
      if (this.webviewPanel.title !== title) {
        this.webviewPanel.title = title;
        this.host.stateChanged(this);
      }
      if (!this.ready) return;
      this.post({ type: 'runs', runs: loadRuns(data.records.map((r) => r.id), this.host.data).infos });
      this.post(data.message);
    } catch (err) {
      this.host.data.log(`panel "${this.title}": cannot compute the critical batch size: ${errorMessage(err)}`);
    }
  }
}

