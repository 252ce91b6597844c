// mkdir -p that cannot spin: Node's recursive mkdirSync loops forever (ignoring SIGTERM, since it
// never yields) when mkdir reports ENOENT for a folder whose parent exists, as /proc does for
// `--store /proc/x`. Here each missing folder is made once, from the nearest existing ancestor
// down, and the first failure is thrown as it is (its message names the folder).
import fs from 'node:fs';
import path from 'node:path';

export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; ) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (stat) {
      if (!stat.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), { code: 'ENOTDIR', path: d });
      break;
    }
    missing.push(d);
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      // Another process may have made it meanwhile.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      throw err;
    }
  }
}
