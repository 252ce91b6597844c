// Which files an experiment may make the engine read as a dataset. An experiment file is input
// from anyone (a cloned repository, a shared study): without a fence it could point the IDX reader
// at ~/.ssh/id_rsa. Dataset paths must lie inside a workspace root (the experiment file's folder,
// the CLI's working folder, the VS Code workspace folders) unless the user allows any path
// (`optlab run --allow-outside-workspace`, the optlab.allowDataOutsideWorkspace setting).
import fs from 'node:fs';
import path from 'node:path';

export interface DatasetAccess {
  /** Folders dataset files may be in (any depth below). */
  roots: string[];
  /** Read files anywhere (an explicit choice of the user). */
  allowOutside?: boolean;
}

/** The caller's roots (and choice) plus the default roots: the experiment file's folder and the working folder. */
export function dataAccessOf(exp: { file?: string }, given?: DatasetAccess): DatasetAccess {
  const roots = [...(exp.file ? [path.dirname(exp.file)] : []), process.cwd(), ...(given?.roots ?? [])];
  return { roots: [...new Set(roots)], ...(given?.allowOutside && { allowOutside: true }) };
}

/** Resolves symbolic links of the longest existing prefix, so a link cannot lead out of a root. */
function realPath(p: string): string {
  const missing: string[] = [];
  let cur = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...missing.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return path.resolve(p);
      missing.push(path.basename(cur));
      cur = parent;
    }
  }
}

function inside(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Undefined when `file` may be read, else why not (one sentence, naming the file and the roots). */
export function datasetPathProblem(file: string, access: DatasetAccess): string | undefined {
  if (access.allowOutside) return undefined;
  const real = realPath(file);
  const roots = [...new Set(access.roots.map((r) => path.resolve(r)))];
  if (roots.some((root) => inside(real, realPath(root)))) return undefined;
  return (
    `${file} is outside the workspace (${roots.join(', ')}): datasets are read only from there, ` +
    'unless allowed with optlab run --allow-outside-workspace or the optlab.allowDataOutsideWorkspace setting'
  );
}
