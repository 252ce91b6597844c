#!/usr/bin/env node
// Installs code-server (path A of docs/testing-vscode.md: code-server 4.100.3 = VS Code 1.100.3 on
// the system Node 20) into .vscode-test/code-server/, and checks that Debian's Chromium is there.
// Idempotent: does nothing when that version is already installed (--force reinstalls).
//   node scripts/vscode/install.mjs [--force] [--check]
// --check only reports (exit 0 when code-server and chromium are both ready, 1 otherwise).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import {
  APT_HINT, CODE_SERVER_VERSION, RIPGREP_ASSET, RIPGREP_PACKAGE_VERSION, chromiumInstalled, chromiumPath,
  codeServerDir, codeServerEntry, codeServerInstalled, ensureTestDir, installedCodeServerVersion, writeInstalledMarker,
} from './paths.mjs';

const args = process.argv.slice(2);
const force = args.includes('--force');
const checkOnly = args.includes('--check');

function chromiumReport() {
  if (chromiumInstalled()) {
    console.log(`chromium: ${chromiumPath}`);
    return true;
  }
  console.log(`chromium: MISSING (${chromiumPath}). Install it with:\n  ${APT_HINT}`);
  return false;
}

if (checkOnly) {
  const cs = installedCodeServerVersion();
  console.log(`code-server: ${cs ? `${cs} in ${path.relative(process.cwd(), codeServerDir) || '.'}` : 'not installed'}`);
  const ok = chromiumReport();
  process.exit(cs === CODE_SERVER_VERSION && ok ? 0 : 1);
}

if (codeServerInstalled() && !force) {
  console.log(`code-server ${CODE_SERVER_VERSION}: already installed in ${codeServerDir}`);
  process.exit(chromiumReport() ? 0 : 1);
}

// The system packages the install needs: rg (the ripgrep download is replaced by Debian's binary)
// and the gssapi headers (code-server's kerberos dependency builds from source).
const problems = [];
if (!existsSync('/usr/bin/rg')) problems.push('/usr/bin/rg (Debian package ripgrep)');
if (!existsSync('/usr/include/gssapi/gssapi.h') && !existsSync('/usr/include/gssapi.h')) problems.push('gssapi headers (Debian package libkrb5-dev)');
if (problems.length) {
  console.error(`cannot install code-server: missing ${problems.join(' and ')}. Run:\n  ${APT_HINT}`);
  process.exit(1);
}

const started = Date.now();
ensureTestDir();
if (force || existsSync(path.join(codeServerDir, 'node_modules'))) {
  // A different version, a forced reinstall or a half-finished earlier attempt: start clean.
  rmSync(codeServerDir, { recursive: true, force: true });
}
mkdirSync(codeServerDir, { recursive: true });
writeFileSync(
  path.join(codeServerDir, 'package.json'),
  JSON.stringify({ name: 'optlab-vscode-test-code-server', private: true, description: 'Written by scripts/vscode/install.mjs', dependencies: { 'code-server': CODE_SERVER_VERSION } }, null, 2) + '\n',
);

// @vscode/ripgrep's postinstall downloads rg from GitHub unless $TMPDIR/vscode-ripgrep-cache-<v>/<asset>
// exists: seed it with a tarball of Debian's rg.
const tmp = ensureTestDir('tmp');
const rgCache = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
mkdirSync(rgCache, { recursive: true });
const rgStage = path.join(tmp, 'rg-stage');
mkdirSync(rgStage, { recursive: true });
copyFileSync('/usr/bin/rg', path.join(rgStage, 'rg'));
chmodSync(path.join(rgStage, 'rg'), 0o755);
const tar = spawnSync('tar', ['-czf', path.join(rgCache, RIPGREP_ASSET), '-C', rgStage, 'rg'], { stdio: 'inherit' });
if (tar.status !== 0) {
  console.error('cannot make the ripgrep cache tarball');
  process.exit(1);
}

const env = {
  ...process.env,
  // This machine's npmrc says yes=false, which makes node-pty's postinstall `npx node-gyp` give up;
  // as root, install scripts must keep root's permissions.
  npm_config_yes: 'true',
  npm_config_unsafe_perm: 'true',
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  TMPDIR: tmp,
  XDG_CACHE_HOME: ensureTestDir('xdg', 'cache'),
  XDG_CONFIG_HOME: ensureTestDir('xdg', 'config'),
  XDG_DATA_HOME: ensureTestDir('xdg', 'data'),
};
console.log(`installing code-server ${CODE_SERVER_VERSION} into ${codeServerDir} (a cold install takes a few minutes)...`);
const code = await new Promise((resolve) => {
  const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--loglevel=warn'], { cwd: codeServerDir, env, stdio: 'inherit' });
  child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
  child.on('error', (e) => {
    console.error(e);
    resolve(1);
  });
});
if (code !== 0) {
  console.error(`npm install of code-server ${CODE_SERVER_VERSION} failed (exit ${code}); see the output above`);
  process.exit(1);
}
const version = spawnSync(process.execPath, [codeServerEntry, '--version'], { cwd: codeServerDir, env, encoding: 'utf8', timeout: 60_000 });
if (version.status !== 0) {
  console.error(`code-server does not start: ${version.stderr || version.stdout}`);
  process.exit(1);
}
const reported = version.stdout.split('\n').find((l) => /^\d+\.\d+\.\d+/.test(l.trim()))?.trim() ?? version.stdout.trim();
const seconds = (Date.now() - started) / 1000;
writeInstalledMarker({ installedAt: new Date().toISOString(), seconds: Math.round(seconds), node: process.version, reports: reported });
console.log(`code-server ${reported} installed in ${seconds.toFixed(0)} s`);
process.exit(chromiumReport() ? 0 : 1);
