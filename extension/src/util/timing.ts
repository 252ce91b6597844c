// Debounce and throttle helpers that can be cancelled (disposed), for refreshes driven by file
// watchers and engine events.

export interface Cancellable {
  cancel(): void;
}

/** Calls fn once, `waitMs` after the last call. */
export function debounce(fn: () => void, waitMs: number): (() => void) & Cancellable {
  let timer: NodeJS.Timeout | undefined;
  const call = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, waitMs);
  };
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return call;
}

/**
 * Calls fn at most once per `intervalMs`: the first call runs at once (leading edge), calls during
 * the interval are folded into one trailing call at its end.
 */
export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now): (() => void) & Cancellable {
  let last = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer = undefined;
    last = now();
    fn();
  };
  const call = () => {
    if (timer) return;
    const wait = last + intervalMs - now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return call;
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
