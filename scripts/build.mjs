// Bundles the engine (CLI and worker) with esbuild. Runs on `npm ci` (prepare) and before tests,
// so `npx optlab` works straight after a clean install.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

await build({
  ...common,
  entryPoints: {
    'engine/cli': 'engine/src/cli/main.ts',
    'engine/nqm-worker': 'engine/src/nqm/worker.ts',
  },
  outdir: 'dist',
  external: ['ajv'],
});
