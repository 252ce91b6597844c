// Where the VS Code test harness keeps its tools and scratch folders. Everything lives under
// .vscode-test/ of the repository (git-ignored through its own .gitignore), never in $HOME.
import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
export const testDir = path.join(root, '.vscode-test');

/** Path A of docs/testing-vscode.md: code-server 4.100.3 (VS Code 1.100.3) on the system Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';
/** code-server 4.100.3 depends on @vscode/ripgrep 1.15.11, whose postinstall downloads this asset. */
export const RIPGREP_PACKAGE_VERSION = '1.15.11';
export const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export const codeServerDir = path.join(testDir, 'code-server');
export const codeServerPackage = path.join(codeServerDir, 'node_modules', 'code-server');
export const codeServerEntry = path.join(codeServerPackage, 'out', 'node', 'entry.js');
const marker = path.join(codeServerDir, '.installed.json');

export const chromiumPath = process.env.OPTLAB_CHROMIUM || '/usr/bin/chromium';
export const APT_HINT = 'apt-get update && apt-get install -y chromium ripgrep libkrb5-dev';

/** Installed = the marker written after a complete install names this version and the entry exists. */
export function installedCodeServerVersion() {
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    const pkg = JSON.parse(readFileSync(path.join(codeServerPackage, 'package.json'), 'utf8'));
    if (m.version === pkg.version && existsSync(codeServerEntry)) return pkg.version;
  } catch {
    /* not installed */
  }
  return undefined;
}
export function codeServerInstalled() {
  return installedCodeServerVersion() === CODE_SERVER_VERSION;
}
export function writeInstalledMarker(extra) {
  writeFileSync(marker, JSON.stringify({ version: CODE_SERVER_VERSION, ...extra }, null, 2) + '\n');
}
export function chromiumInstalled() {
  return existsSync(chromiumPath);
}

/** Makes .vscode-test/ (ignored by git through its own .gitignore) and returns a subfolder. */
export function ensureTestDir(...parts) {
  mkdirSync(testDir, { recursive: true });
  const ignore = path.join(testDir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# Tools and scratch folders of the VS Code tests (scripts/vscode/).\n*\n');
  const dir = path.join(testDir, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Why the real-VS-Code suites cannot run here, or undefined when they can. */
export function missingTools() {
  const missing = [];
  if (!codeServerInstalled()) missing.push(`code-server ${CODE_SERVER_VERSION} is not installed in .vscode-test/code-server (run: node scripts/vscode/install.mjs)`);
  if (!chromiumInstalled()) missing.push(`${chromiumPath} is missing (run: ${APT_HINT})`);
  return missing.length ? missing : undefined;
}
