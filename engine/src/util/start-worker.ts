// Starts a worker thread from its bundled file next to the running code (dist/engine/ after the
// build; dist/engine/ seen from dist/extension.js), or from its TypeScript source through tsx when
// the engine runs from source (tests, benches). Null when neither is there.
import { existsSync } from 'node:fs';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startWorker(bundled: string[], source: string, options: WorkerOptions = {}): Worker | null {
  for (const file of bundled) if (existsSync(file)) return new Worker(file, options);
  if (!existsSync(source)) return null;
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, { ...options, eval: true });
}
