// Store errors always say what failed and where (file or store path), so a CLI can print them as-is.

export class StoreError extends Error {
  /** The file or folder involved, when there is one. */
  readonly path: string | undefined;
  /** The underlying errno code (ENOSPC, EACCES, ...), when the cause was a system error. */
  readonly code: string | undefined;

  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.path = options.path;
    this.code = errnoCode(options.cause);
  }
}

export class RunNotFoundError extends StoreError {
  readonly id: string;
  readonly root: string;

  constructor(id: string, root: string, runsDir: string) {
    super(`no run "${id}" in store ${root} (looked in ${runsDir})`, { path: runsDir });
    this.name = 'RunNotFoundError';
    this.id = id;
    this.root = root;
  }
}

export class AmbiguousRunIdError extends StoreError {
  readonly id: string;
  readonly candidates: string[];

  constructor(id: string, root: string, candidates: string[]) {
    const shown = candidates.slice(0, 10).join(', ');
    const more = candidates.length > 10 ? ` and ${candidates.length - 10} more` : '';
    super(`run id prefix "${id}" is ambiguous in store ${root}: matches ${shown}${more}`, { path: root });
    this.name = 'AmbiguousRunIdError';
    this.id = id;
    this.candidates = candidates;
  }
}

export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
