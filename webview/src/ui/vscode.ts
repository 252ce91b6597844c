// The webview side of the host connection: acquireVsCodeApi (declared here: the webview has no
// typings for it), the `ready` handshake, validation of every incoming message and error reports.
import { parseHostMessage, type HostMessage, type ViewMessage } from '../../../engine/src/protocol/view-messages';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class HostConnection {
  private readonly api: VsCodeApi;
  private handler: ((msg: HostMessage) => void) | undefined;

  constructor() {
    // May be called only once per webview.
    this.api = acquireVsCodeApi();
    window.addEventListener('message', (e: MessageEvent) => this.receive(e.data));
    window.addEventListener('error', (e) => this.error(`uncaught: ${e.message}`));
    window.addEventListener('unhandledrejection', (e) => this.error(`unhandled rejection: ${errorText(e.reason)}`));
  }

  /** Tells the host the script runs: it sends nothing before. */
  ready(): void {
    this.post({ type: 'ready' });
  }

  onMessage(handler: (msg: HostMessage) => void): void {
    this.handler = handler;
  }

  post(msg: ViewMessage): void {
    this.api.postMessage(msg);
  }

  error(message: string): void {
    this.post({ type: 'error', message });
  }

  /** Validates, then dispatches; a bad message is ignored and reported, a failing handler reported. */
  private receive(data: unknown): void {
    let msg: HostMessage;
    try {
      msg = parseHostMessage(data);
    } catch (err) {
      this.error(`ignored an invalid message: ${errorText(err)}`);
      return;
    }
    try {
      this.handler?.(msg);
    } catch (err) {
      this.error(`failed to handle a ${msg.type} message: ${errorText(err)}`);
    }
  }

  getState(): Record<string, unknown> {
    const s = this.api.getState();
    return typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
  }

  setState(state: Record<string, unknown>): void {
    this.api.setState(state);
  }
}
