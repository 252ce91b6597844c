// The HTML of a chart panel: a strict Content-Security-Policy (no inline script or style; the one
// script is the panel's bundle, allowed by a fresh nonce), the bundle and its stylesheet by their
// webview URIs, and the panel's kind and state on #app for the view to read and persist.
import { randomBytes } from 'node:crypto';
import type { PanelKind } from '../../../engine/src/protocol/view-messages';
import { escapeMarkup as escapeHtml } from '../util/escape';

export interface PanelHtmlInput {
  panel: PanelKind;
  title: string;
  /** webview.cspSource */
  cspSource: string;
  /** asWebviewUri(dist/webview/<panel>.js), as a string. */
  scriptUri: string;
  /** asWebviewUri(dist/webview/<panel>.css), as a string. */
  styleUri: string;
  nonce: string;
  /** The host's state of the panel; the view may save it with setState so the panel survives a reload. */
  state?: unknown;
}

/** 128 random bits, base64 without padding: a valid CSP nonce. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/=+$/, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}


/** For a double-quoted attribute value: single quotes may stay (the CSP needs them legible). */
export function escapeAttribute(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

export function buildPanelHtml(input: PanelHtmlInput): string {
  if (!/^[A-Za-z0-9+/_-]{16,}$/.test(input.nonce)) throw new Error(`invalid nonce ${JSON.stringify(input.nonce)}: expected at least 16 base64 characters`);
  const csp = contentSecurityPolicy(input.cspSource, input.nonce);
  const state = input.state === undefined ? '' : ` data-state="${escapeAttribute(JSON.stringify(input.state))}"`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(input.styleUri)}">
<title>${escapeHtml(input.title)}</title>
</head>
<body>
<div id="app" data-panel="${escapeAttribute(input.panel)}"${state}></div>
<script nonce="${escapeAttribute(input.nonce)}" src="${escapeAttribute(input.scriptUri)}"></script>
</body>
</html>
`;
}
