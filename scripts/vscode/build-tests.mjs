#!/usr/bin/env node
// Compiles the extension-host suites (test/vscode/suite/*.ts) to CommonJS in .vscode-test/out/suite/:
// one bundle per file (helpers and the engine's store reader are inlined; `vscode` and `mocha` stay
// external, mocha resolving from the repository's node_modules).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureTestDir, root } from './paths.mjs';

export const outDir = path.join(root, '.vscode-test', 'out');
export const suiteIndex = path.join(outDir, 'suite', 'index.js');

export async function buildTests() {
  ensureTestDir();
  rmSync(outDir, { recursive: true, force: true });
  const suiteDir = path.join(root, 'test', 'vscode', 'suite');
  const entries = readdirSync(suiteDir).filter((f) => f.endsWith('.ts') && (f === 'index.ts' || f.endsWith('.test.ts')));
  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(entries.map((f) => [`suite/${f.slice(0, -3)}`, path.join('test/vscode/suite', f)])),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return suiteIndex;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildTests();
  console.log(`compiled the VS Code suites to ${path.relative(root, outDir)}/suite/`);
}
