// Serves the built panel bundles (dist/webview) the way the extension host does — `<div id="app"
// data-panel=...>`, the panel's CSS and script, the same strict CSP with a nonce — and drives them
// in headless Chromium (Debian's /usr/bin/chromium through playwright-core). The page gets a
// stand-in acquireVsCodeApi that records posted messages and keeps setState in sessionStorage (so
// a reload restores it, as in VS Code), and VS Code's dark theme variables.
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export const ROOT = path.resolve(__dirname, '../../..');
export const DIST = path.join(ROOT, 'dist/webview');

export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p): p is string => typeof p === 'string' && p !== '' && existsSync(p));
}

const DARK_THEME: Record<string, string> = {
  '--vscode-font-family': 'sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-foreground': '#d4d4d4',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-button-background': '#0e639c',
  '--vscode-button-foreground': '#ffffff',
};

export const LIGHT_THEME: Record<string, string> = {
  ...DARK_THEME,
  '--vscode-foreground': '#616161',
  '--vscode-editor-foreground': '#3b3b3b',
  '--vscode-editor-background': '#ffffff',
  '--vscode-editorWidget-border': '#c8c8c8',
  '--vscode-charts-blue': '#1a85ff',
};

const SHIM = `(() => {
  const posted = [];
  window.__posted = posted;
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  const theme = ${JSON.stringify(DARK_THEME)};
  for (const [k, v] of Object.entries(theme)) document.documentElement.style.setProperty(k, v);
  document.body.classList.add('vscode-dark');
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => JSON.parse(sessionStorage.getItem('vscodeState') || 'null') ?? undefined,
      setState: (s) => (sessionStorage.setItem('vscodeState', JSON.stringify(s)), s),
    };
  };
  window.__send = (m) => window.postMessage(m, '*');
  window.__setTheme = (vars, cls) => {
    for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
    document.body.classList.remove('vscode-dark', 'vscode-light');
    document.body.classList.add(cls);
  };
})();`;

export interface PanelServer {
  url(panel: string): string;
  close(): Promise<void>;
}

export async function servePanels(): Promise<PanelServer> {
  const nonce = 'b3B0bGFiLXRlc3Qtbm9uY2U';
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/panel\/(\w+)\.html$/.exec(url.pathname);
    if (m) {
      const panel = m[1];
      const csp = `default-src 'none'; img-src ${origin} data:; style-src ${origin}; font-src ${origin}; script-src 'nonce-${nonce}'`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${origin}/${panel}.css"><title>${panel}</title></head>
<body><div id="app" data-panel="${panel}"></div>
<script nonce="${nonce}" src="${origin}/shim.js"></script>
<script nonce="${nonce}" src="${origin}/${panel}.js"></script></body></html>`);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname === '/shim.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(SHIM);
      return;
    }
    const file = path.join(DIST, path.basename(url.pathname));
    if (!existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (panel) => `${origin}/panel/${panel}.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
