// Shared machinery of the real-VS-Code drivers (run-integration.mjs, run-e2e.mjs), following
// docs/testing-vscode.md: code-server (the real workbench with a Node extension host) in its own
// session and process group, driven by Debian's Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { chromiumPath, codeServerEntry, ensureTestDir, missingTools, root } from './paths.mjs';

export const fixtureWorkspace = path.join(root, 'test', 'vscode', 'fixtures', 'workspace');

/** The flags this machine's closed network needs (docs/testing-vscode.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** User settings of the test profile: nothing that phones home, pops up or steals focus. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  // The workspace copy lives inside this repository's folder: keep git out of it.
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
  'window.dialogStyle': 'custom',
};

/** Bundles the engine, extension and panels (scripts/build.mjs); returns its exit status. */
export function buildExtension() {
  return spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status;
}

/**
 * The common start of the drivers (run-integration.mjs, run-e2e.mjs): reads their command line, and
 * ends the process with the summary "0 passed, 1 failed" when code-server or Chromium is missing or
 * when the build (skipped with --no-build) fails.
 */
export function driverSetup(part) {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  const fail = (message) => {
    console.error(message);
    console.log('0 passed, 1 failed');
    process.exit(1);
  };
  const missing = missingTools();
  if (missing) fail(`${part} tests cannot run:\n  ${missing.join('\n  ')}`);
  if (!argv.includes('--no-build') && buildExtension() !== 0) fail('the extension build failed');
  return { opt, verbose: argv.includes('--verbose') };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A fresh folder .vscode-test/<name>/ with everything of one run: the user-data and extensions
 * dirs, the XDG and TMPDIR folders (nothing goes to $HOME), the browser profile, and the workspace
 * copied from test/vscode/fixtures/workspace/.
 */
export function prepareRun(name) {
  const dir = path.join(ensureTestDir(), name);
  rmSync(dir, { recursive: true, force: true });
  const sub = (...p) => {
    const d = path.join(dir, ...p);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const run = {
    dir,
    userDataDir: sub('user-data'),
    extensionsDir: sub('extensions'),
    profileDir: sub('browser-profile'),
    workspace: path.join(dir, 'workspace'),
    logFile: path.join(dir, 'code-server.log'),
    consoleLog: path.join(dir, 'workbench-console.log'),
    env: {
      XDG_CONFIG_HOME: sub('xdg', 'config'),
      XDG_DATA_HOME: sub('xdg', 'data'),
      XDG_CACHE_HOME: sub('xdg', 'cache'),
      TMPDIR: sub('tmp'),
    },
  };
  cpSync(fixtureWorkspace, run.workspace, { recursive: true });
  mkdirSync(path.join(run.userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(run.userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2) + '\n');
  writeFileSync(run.logFile, '');
  writeFileSync(run.consoleLog, '');
  return run;
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/**
 * Starts code-server in its own session (detached = setsid(2)), so that stop() can end it and
 * everything it spawned (extension host, watchers, engine) with one signal to the process group.
 */
export async function startCodeServer(run, { port, extraEnv = {}, timeoutMs = 60_000 } = {}) {
  const args = [
    codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', run.userDataDir,
    '--extensions-dir', run.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    run.workspace,
  ];
  const env = { ...process.env, ...run.env, ...extraEnv };
  delete env.VSCODE_IPC_HOOK_CLI; // never talk to a VS Code this script may itself run in
  const child = spawn(process.execPath, args, { cwd: run.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pgid = child.pid;
  let exited = null;
  const exitedPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  child.stdout.on('data', (d) => appendFileSync(run.logFile, d));
  child.stderr.on('data', (d) => appendFileSync(run.logFile, d));

  const stop = async () => {
    if (!pgid) return;
    for (const [signal, wait] of [['SIGTERM', 3000], ['SIGKILL', 2000]]) {
      if (!groupAlive(pgid)) break;
      try {
        process.kill(-pgid, signal);
      } catch {
        break;
      }
      const until = Date.now() + wait;
      while (Date.now() < until && groupAlive(pgid)) await sleep(100);
    }
  };
  // Whatever happens to this driver, the server does not outlive it.
  const onExit = () => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', onExit);

  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (exited) throw new Error(`code-server exited during startup (${JSON.stringify(exited)}); its log: ${run.logFile}\n${tail(run.logFile)}`);
    if ((await httpStatus(`${url}/healthz`)) === 200) return { url, port, pgid, stop, exited: exitedPromise };
    await sleep(200);
  }
  await stop();
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s; its log: ${run.logFile}\n${tail(run.logFile)}`);
}

/** True while any process of the group is alive (zombies excluded). */
function groupAlive(pgid) {
  const ps = spawnSync('ps', ['-o', 'stat=', '-g', String(pgid)], { encoding: 'utf8' });
  if (ps.status === null || ps.error) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return ps.stdout.split('\n').some((s) => s.trim() && !s.trim().startsWith('Z'));
}

export function tail(file, lines = 40) {
  try {
    const text = spawnSync('tail', ['-n', String(lines), file], { encoding: 'utf8' }).stdout;
    return text.trimEnd();
  } catch {
    return '';
  }
}

export async function launchChromium(run, { viewport = { width: 1600, height: 1000 } } = {}) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}`);
  return chromium.launchPersistentContext(run.profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    env: { ...process.env, ...run.env, HOME: run.profileDir },
  });
}

/** The URI by which the web workbench names a file of the code-server machine. */
export function remoteUri(port, fsPath) {
  return `vscode-remote://127.0.0.1:${port}${fsPath.split(path.sep).map(encodeURIComponent).join('/')}`;
}

export function workbenchUrl(port, folder, payload) {
  let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/**
 * Turns a page console message into text. The workbench replays extension-host output as
 * console.log('%c INFO', 'color: ...', ...args) (or '%c[Extension Host] ...'): the CSS arguments are
 * dropped and %s/%d/%i/%f/%o/%O/%j of the remaining format string are filled in.
 * Returns { text, fromExtensionHost, level }.
 */
export function decodeConsoleArgs(values) {
  let args = [...values];
  let fromExtensionHost = false;
  let level = '';
  const parts = [];
  if (typeof args[0] === 'string' && args[0].includes('%c')) {
    const head = args.shift();
    const cssCount = (head.match(/%c/g) || []).length;
    args.splice(0, cssCount);
    const cleaned = head.replace(/%c/g, '').trim();
    const m = /^(?:\[Extension Host\]\s*)?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|ERR|LOG)?\b\s*(.*)$/s.exec(cleaned);
    fromExtensionHost = true;
    level = m?.[1] ?? '';
    const rest = (m?.[2] ?? cleaned).trim();
    if (rest && !/^\[Extension Host\]$/.test(rest)) parts.push(rest);
  }
  // The first remaining string may itself be a format string (mocha's reporters use '%s').
  if (typeof args[0] === 'string' && /%[sdifoOj%]/.test(args[0])) {
    const fmt = args.shift();
    let out = '';
    for (let i = 0; i < fmt.length; i++) {
      if (fmt[i] === '%' && i + 1 < fmt.length) {
        const c = fmt[i + 1];
        if (c === '%') {
          out += '%';
          i++;
          continue;
        }
        if ('sdifoOj'.includes(c)) {
          const v = args.shift();
          out += c === 'd' || c === 'i' ? String(Math.trunc(Number(v))) : c === 'f' ? String(Number(v)) : typeof v === 'string' ? v : JSON.stringify(v);
          i++;
          continue;
        }
      }
      out += fmt[i];
    }
    parts.push(out);
  }
  for (const a of args) parts.push(typeof a === 'string' ? a : JSON.stringify(a));
  return { text: parts.join(' '), fromExtensionHost, level };
}

/**
 * What the workbench itself logs in the same '%c INFO' format as the extension host: connection
 * set-up, and the marketplace (open-vsx.org) being unreachable, which is harmless here.
 */
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
  /ENOTFOUND open-vsx\.org/,
  /^Ignoring the error while validating workspace folder/,
];

/**
 * Forwards the extension host's console lines (decoded) to onLine, except known workbench noise;
 * every console message of the page goes to run.consoleLog.
 */
export function forwardConsole(page, run, onLine) {
  // Messages are decoded asynchronously (their arguments live in the page): chain them so that
  // lines come out in the order they were logged.
  let queue = Promise.resolve();
  page.on('console', (msg) => {
    queue = queue.then(async () => {
      let values;
      try {
        values = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => String(a))));
      } catch {
        values = [msg.text()];
      }
      if (!values.length) values = [msg.text()];
      const decoded = decodeConsoleArgs(values);
      appendFileSync(run.consoleLog, `[${msg.type()}] ${decoded.fromExtensionHost ? '[ext] ' : ''}${decoded.text}\n`);
      if (decoded.fromExtensionHost && !WORKBENCH_NOISE.some((re) => re.test(decoded.text))) {
        const prefix = /^(ERR|ERROR|WARN|WARNING)$/.test(decoded.level) ? `[${decoded.level}] ` : '';
        onLine(prefix + decoded.text, decoded);
      }
    });
  });
  page.on('pageerror', (err) => appendFileSync(run.consoleLog, `[pageerror] ${err?.stack ?? err}\n`));
  return { flush: () => queue };
}

/** Parses the last "N passed, N failed[, N skipped]" of a text. */
export function parseSummary(text) {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\x1b\[[0-9;]*m/g, '');
  const all = [...clean.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)];
  const m = all.at(-1);
  return m ? { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) } : undefined;
}

export function resultsDir() {
  const dir = path.join(root, 'test-results');
  mkdirSync(dir, { recursive: true });
  return dir;
}
