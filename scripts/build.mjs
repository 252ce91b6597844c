// Bundles with esbuild: the engine (CLI + worker, for Node), the extension host (CommonJS, with
// `vscode` external) and the chart panels (browser IIFE bundles plus their CSS). Runs on `npm ci`
// (prepare) and before the tests, so `npx optlab` works straight after a clean install.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const production = process.argv.includes('--production');
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', absWorkingDir: root, minify: production };

const jobs = [
  // TensorFlow.js stays in node_modules: the wasm backend loads its .wasm files from its own
  // package folder, and the native backends are optional packages that may be absent. tsx is only
  // resolved when worker threads start from TypeScript sources (tests), never from the bundle.
  build({ ...node, entryPoints: { 'engine/cli': 'engine/src/cli/main.ts', 'engine/nqm-worker': 'engine/src/nqm/worker.ts', 'engine/trial-worker': 'engine/src/sweep/worker.ts', 'engine/linalg-worker': 'engine/src/linalg/inverse-worker-thread.ts' }, outdir: 'dist', external: ['@tensorflow/*', 'tsx/*'] }),
];

if (existsSync(path.join(root, 'extension/src/extension.ts'))) {
  jobs.push(build({ ...node, entryPoints: { extension: 'extension/src/extension.ts' }, outdir: 'dist', external: ['vscode', '@tensorflow/*', 'tsx/*'] }));
}

// Every folder webview/src/panels/<kind>/ is one panel: index.ts bundled, panel.css copied, both as dist/webview/<kind>.*
const panels = path.join(root, 'webview/src/panels');
if (existsSync(panels)) {
  const kinds = readdirSync(panels).filter((f) => existsSync(path.join(panels, f, 'index.ts')));
  const entryPoints = Object.fromEntries(kinds.map((k) => [`webview/${k}`, `webview/src/panels/${k}/index.ts`]));
  jobs.push(build({ bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true, logLevel: 'warning', absWorkingDir: root, minify: production, entryPoints, outdir: 'dist' }));
  mkdirSync(path.join(root, 'dist/webview'), { recursive: true });
  for (const k of kinds) if (existsSync(path.join(panels, k, 'panel.css'))) copyFileSync(path.join(panels, k, 'panel.css'), path.join(root, 'dist/webview', `${k}.css`));
  const media = path.join(root, 'webview/media');
  if (existsSync(media)) {
    for (const f of readdirSync(media)) copyFileSync(path.join(media, f), path.join(root, 'dist/webview', f));
  }
}

await Promise.all(jobs);
