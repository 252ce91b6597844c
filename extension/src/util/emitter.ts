// A minimal typed event emitter with the same shape as vscode.EventEmitter (event(listener) returns
// something disposable), so the modules that need no VS Code can still publish events.

export interface Subscription {
  dispose(): void;
}

export type Listener<T> = (value: T) => void;

export class Emitter<T> {
  private listeners = new Set<Listener<T>>();
  private disposed = false;

  /** Subscribes; the returned subscription removes the listener. */
  readonly event = (listener: Listener<T>): Subscription => {
    if (this.disposed) return { dispose: () => undefined };
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Calls every listener; a throwing listener does not stop the others (its error goes to onError). */
  fire(value: T, onError?: (err: unknown) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (err) {
        if (onError) onError(err);
        else console.error('[optlab] event listener failed:', err);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
