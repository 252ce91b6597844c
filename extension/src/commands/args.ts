// What a command was invoked on: a tree node (and the tree's selection), a file Uri (editor title,
// CodeLens, explorer), a run id, or an object from a panel or an API caller. Pure shape checks.

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** A vscode.Uri of the file scheme, recognised by shape. */
function fileUriPath(x: unknown): string | undefined {
  if (isObj(x) && typeof x.fsPath === 'string' && x.scheme === 'file') return x.fsPath;
  return undefined;
}

function runIdOf(x: unknown): string | undefined {
  if (typeof x === 'string' && x && !x.includes('/') && !x.includes('\\') && !x.endsWith('.json')) return x;
  if (!isObj(x)) return undefined;
  if (x.kind === 'run' && isObj(x.run) && typeof x.run.id === 'string') return x.run.id;
  if (typeof x.runId === 'string') return x.runId;
  return undefined;
}

/**
 * The run ids a command applies to. VS Code passes (clicked node, selected nodes) for tree context
 * menus: the selection wins when it includes the clicked node, as in the file explorer.
 */
export function runIdsFromArgs(arg: unknown, selection?: unknown): string[] {
  const fromSelection = Array.isArray(selection) ? selection.map(runIdOf).filter((x): x is string => !!x) : [];
  const clicked = runIdOf(arg);
  if (fromSelection.length && (!clicked || fromSelection.includes(clicked))) return unique(fromSelection);
  if (clicked) return [clicked];
  if (Array.isArray(arg)) return unique(arg.map(runIdOf).filter((x): x is string => !!x));
  if (isObj(arg) && Array.isArray(arg.runIds)) return unique(arg.runIds.filter((x): x is string => typeof x === 'string'));
  return [];
}

/** The experiment file a command applies to: a Uri, an experiment node, a run node with its file, a path, {file}/{experimentFile}. */
export function experimentFileFromArg(arg: unknown): string | undefined {
  const uri = fileUriPath(arg);
  if (uri) return uri;
  if (typeof arg === 'string' && /\.optlab\.json$/i.test(arg)) return arg;
  if (!isObj(arg)) return undefined;
  if (arg.kind === 'experiment' && typeof arg.file === 'string') return arg.file;
  if (arg.kind === 'run' && typeof arg.file === 'string') return arg.file;
  for (const key of ['experimentFile', 'file']) {
    const v = arg[key];
    if (typeof v === 'string' && v) return v;
    const u = fileUriPath(v);
    if (u) return u;
  }
  return undefined;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
