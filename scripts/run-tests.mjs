// The project's test runner (`npm test` runs it after the build, typecheck and lint):
//   1. unit tests: every *.test.ts under test/ except test/vscode and test/e2e, with node:test through tsx;
//   2. integration tests inside a real VS Code extension host (scripts/vscode/run-integration.mjs);
//   3. end-to-end tests through the VS Code UI (scripts/vscode/run-e2e.mjs).
// 2 and 3 need code-server (node scripts/vscode/install.mjs) and Chromium (apt-get install chromium):
// without them they are SKIPPED and counted as skipped, except under CI=true, where that is a failure.
// Ends with one aggregate line "N passed, N failed, N skipped"; exits non-zero when anything failed.
//
//   node scripts/run-tests.mjs                 everything
//   node scripts/run-tests.mjs --unit [FILTER]  unit tests only (FILTER: test files whose path contains it)
//   node scripts/run-tests.mjs --integration    the extension-host suites only
//   node scripts/run-tests.mjs --e2e            the UI suite only
//   node scripts/run-tests.mjs nqm              (filters alone imply --unit)
//   --no-build                                   the caller has just built dist/ (npm test)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from './vscode/harness.mjs';
import { missingTools } from './vscode/paths.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const filters = argv.filter((a) => !a.startsWith('--'));
let want = { unit: argv.includes('--unit'), integration: argv.includes('--integration'), e2e: argv.includes('--e2e') };
if (!want.unit && !want.integration && !want.e2e) want = filters.length ? { unit: true, integration: false, e2e: false } : { unit: true, integration: true, e2e: true };
const CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

// eslint-disable-next-line no-control-regex
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const SUMMARY = /^\s*(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/;

/**
 * Runs a command, echoing its output; its own summary lines are re-labelled with `label` so that
 * the aggregate stays the only bare "N passed, N failed, N skipped" line. Returns the exit status
 * and the last summary it printed.
 */
function runPart(label, command, args) {
  return new Promise((resolve) => {
    const env = { ...process.env };
    if (process.stdout.isTTY && !env.NO_COLOR) env.FORCE_COLOR = '1';
    const child = spawn(command, args, { cwd: root, env, stdio: ['inherit', 'pipe', 'inherit'] });
    let summary;
    let pending = '';
    const emit = (line) => {
      const m = SUMMARY.exec(stripAnsi(line));
      if (m) {
        summary = { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) };
        process.stdout.write(`${label}: ${stripAnsi(line).trim()}\n`);
      } else {
        process.stdout.write(line + '\n');
      }
    };
    child.stdout.on('data', (chunk) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) emit(line);
    });
    child.on('close', (code, signal) => {
      if (pending) emit(pending);
      resolve({ status: code ?? (signal ? 1 : 0), summary });
    });
    child.on('error', (err) => {
      console.error(`${label}: cannot start ${command}: ${err.message}`);
      resolve({ status: 1, summary: undefined });
    });
  });
}

function collectUnitTests(dir, out) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === 'vscode' || name === 'e2e' || name === 'node_modules') continue;
      collectUnitTests(full, out);
    } else if (name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out;
}

/** How many tests a suite that cannot run holds (counted as skipped): test(...) or step(...) calls. */
function countTests(dir, fileRe, callRe) {
  try {
    return readdirSync(dir)
      .filter((f) => fileRe.test(f))
      .reduce((n, f) => n + (readFileSync(path.join(dir, f), 'utf8').match(callRe) ?? []).length, 0);
  } catch {
    return 0;
  }
}

const results = [];
const record = (part, r, seconds, note = '') => results.push({ part, ...r, seconds, note });

// ---- 1. unit ------------------------------------------------------------------------------------
if (want.unit) {
  let files = collectUnitTests(path.join(root, 'test'), []).sort();
  if (filters.length) files = files.filter((f) => filters.some((o) => f.includes(o)));
  const t = Date.now();
  if (!files.length) {
    console.log(`unit: no test file matches ${filters.join(', ')}`);
    record('unit', { passed: 0, failed: 1, skipped: 0 }, 0, 'no matching test file');
  } else {
    console.log(`\n== unit tests (${files.length} files)`);
    const { status, summary } = await runPart('unit', process.execPath, [
      '--import', 'tsx',
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=./test/support/summary-reporter.mjs', '--test-reporter-destination=stdout',
      ...files,
    ]);
    const s = summary ?? { passed: 0, failed: 0, skipped: 0 };
    // A non-zero exit without a counted failure (a file that does not load) is still a failure.
    if (status !== 0 && s.failed === 0) s.failed = 1;
    record('unit', s, (Date.now() - t) / 1000, status !== 0 && !summary ? `exit ${status}, no summary` : '');
  }
}

// ---- 2. and 3. real VS Code ---------------------------------------------------------------------
const vscodeParts = [
  want.integration && {
    part: 'integration',
    title: 'integration tests in the VS Code extension host (code-server + Chromium)',
    script: 'scripts/vscode/run-integration.mjs',
    count: () => countTests(path.join(root, 'test/vscode/suite'), /\.test\.ts$/, /^\s*test\(/gm),
  },
  want.e2e && {
    part: 'e2e',
    title: 'end-to-end tests through the VS Code UI (code-server + Chromium)',
    script: 'scripts/vscode/run-e2e.mjs',
    count: () => countTests(path.join(root, 'test/e2e'), /\.e2e\.ts$/, /^\s*step\(/gm),
  },
].filter(Boolean);

if (vscodeParts.length) {
  const missing = missingTools();
  // npm test has just built (it runs scripts/build.mjs first and passes --no-build).
  let built = argv.includes('--no-build');
  for (const p of vscodeParts) {
    console.log(`\n== ${p.title}`);
    if (missing) {
      const n = p.count() || 1;
      if (CI) {
        console.log(`${p.part}: FAILED, cannot run (CI=true requires code-server and Chromium):\n  ${missing.join('\n  ')}`);
        record(p.part, { passed: 0, failed: 1, skipped: 0 }, 0, 'tools missing in CI');
      } else {
        console.log(`${p.part}: SKIPPED (${n} tests), the tools are not installed:\n  ${missing.join('\n  ')}`);
        record(p.part, { passed: 0, failed: 0, skipped: n }, 0, 'SKIPPED: code-server/Chromium not installed');
      }
      continue;
    }
    if (!built) {
      if (buildExtension() !== 0) {
        console.log(`${p.part}: FAILED, the extension build failed`);
        record(p.part, { passed: 0, failed: 1, skipped: 0 }, 0, 'build failed');
        continue;
      }
      built = true;
    }
    const t = Date.now();
    const { status, summary } = await runPart(p.part, process.execPath, [p.script, '--no-build']);
    const s = summary ?? { passed: 0, failed: 0, skipped: 0 };
    if (status !== 0 && s.failed === 0) s.failed = 1;
    record(p.part, s, (Date.now() - t) / 1000, status !== 0 && !summary ? `exit ${status}, no summary` : '');
  }
}

// ---- aggregate -----------------------------------------------------------------------------------
const total = results.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });
console.log('\n== summary');
for (const r of results) {
  console.log(`${r.part.padEnd(12)} ${String(r.passed).padStart(4)} passed, ${r.failed} failed, ${r.skipped} skipped  (${r.seconds.toFixed(1)} s)${r.note ? `  ${r.note}` : ''}`);
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
