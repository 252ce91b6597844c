// What every panel does the same way: connect to the host (ready first), check `init`, keep the
// view state through reloads, follow the theme, answer exportPng.
import type { HostMessage, PanelKind } from '../../../engine/src/protocol/view-messages';
import { composePng, type LegendEntry } from './export';
import { el } from './dom';
import { errorText, HostConnection } from './vscode';
import { readTheme, watchTheme, type Theme } from './theme';

export interface PanelParts {
  host: HostConnection;
  app: HTMLElement;
  header: HTMLElement;
  theme: Theme;
  /** The state saved by a previous instance of this panel (after a window reload). */
  saved: Record<string, unknown>;
}

export interface PanelImpl {
  handle(msg: HostMessage): void;
  setTheme(theme: Theme): void;
  canvases(): HTMLCanvasElement[];
  legend(): LegendEntry[];
  /** Brings the canvases up to date before an export. */
  flush(): void;
  /** The panel's Chart.js instances (for the debug hook the browser tests read). */
  charts(): { id: string; chart: unknown }[];
  /** Live drawing statistics (frames, last frame time), when the panel streams. */
  stats?(): Record<string, number>;
}

declare global {
  interface Window {
    /** Read-only view of the panel for tests and debugging: its charts and how much they draw. */
    optlabDebug?: { panel: PanelKind; charts(): { id: string; chart: unknown }[]; stats(): Record<string, number> };
  }
}

export function startPanel(kind: PanelKind, create: (parts: PanelParts) => PanelImpl): void {
  const host = new HostConnection();
  host.ready();
  const app = document.getElementById('app') ?? document.body;
  const declared = app.dataset.panel;
  if (declared !== undefined && declared !== kind) host.error(`panel script ${kind} loaded into a ${declared} panel`);
  const header = el('header', { class: 'panel-header' }, [el('h1', { class: 'panel-title', text: '' })]);
  app.append(header);
  let theme = readTheme();
  let impl: PanelImpl;
  try {
    impl = create({ host, app, header, theme, saved: host.getState() });
  } catch (err) {
    host.error(`${kind} panel failed to start: ${errorText(err)}`);
    throw err;
  }
  const stats = { messages: 0, messageMs: 0 };
  window.optlabDebug = { panel: kind, charts: () => impl.charts(), stats: () => ({ ...stats, ...impl.stats?.() }) };
  watchTheme((t) => {
    theme = t;
    impl.setTheme(t);
  });
  host.onMessage((msg) => {
    const t0 = performance.now();
    try {
      dispatch(msg);
    } finally {
      stats.messages++;
      stats.messageMs += performance.now() - t0;
    }
  });
  const dispatch = (msg: HostMessage): void => {
    if (msg.type === 'init') {
      if (msg.panel !== kind) host.error(`init for a ${msg.panel} panel reached the ${kind} panel`);
      header.querySelector('.panel-title')!.textContent = msg.title;
      document.title = msg.title;
      return;
    }
    if (msg.type === 'exportPng') {
      let dataUrl: string | null = null;
      try {
        impl.flush();
        dataUrl = composePng(impl.canvases(), theme.background, theme.foreground, theme.fontFamily, impl.legend());
      } catch (err) {
        host.error(`exportPng failed: ${errorText(err)}`);
      }
      host.post({ type: 'png', requestId: msg.requestId, dataUrl });
      return;
    }
    impl.handle(msg);
  };
}
