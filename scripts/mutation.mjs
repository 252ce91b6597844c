// Mutation testing of the numerical core (`npm run mutation`; not part of `npm test` or CI: slow).
// Mutates engine/src/optim/kfac, engine/src/optim/natural-gradient and engine/src/analysis one
// change at a time, runs the unit tests that cover the mutated directory, and counts the mutant
// KILLED when a test fails (or times out: an infinite loop), SURVIVED when every test passes.
// Prints the score and every survivor (file:line, the change). Survivors get a test or a one-line
// reason in docs/mutation-survivors.md.
//
//   node scripts/mutation.mjs                     every mutant (hours: see docs/mutation-survivors.md)
//   node scripts/mutation.mjs --sample 1 --max 150  150 mutants drawn with seed 1 (a reproducible sample)
//   node scripts/mutation.mjs --files kfac/kfac.ts,analysis   only files whose path contains one of these
//   node scripts/mutation.mjs --list              list the mutants and exit (no tests run)
//   --json FILE                                   also write the results as JSON
//   --timeout-factor K                            a test file's timeout is max(30 s, K x its baseline), default 4
//
// Mutants are generated from the TypeScript AST with the type checker (so `+` on strings is left
// alone): arithmetic (+ - * / %), comparisons (< <= > >= flipped and off by one, === !==), logical
// (&& ||), compound assignments, unary minus and ! removed, ++/-- swapped, Math.min/max swapped,
// numeric constants (0 -> 1, 1 -> 0, n -> n + 1, x -> 2x), true/false, and deletion of assignment
// statements and returns. Error messages (throw arguments, template literals) and types are not
// mutated; neither are for-loop updates (their mutants only time out) nor metric-meta.ts (the
// charts' captions and order of the stats, no computation).
//
// The original file is restored after every mutant, on Ctrl-C/SIGTERM, and, should the process
// die, on the next start (the pending restore is kept in the OS temp directory).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Mutated directories and the unit tests that cover each (files or directories of *.test.ts). */
const SUITES = [
  { src: 'engine/src/optim/kfac/', tests: ['test/engine/optim/kfac/', 'test/engine/train/warmup.test.ts', 'test/engine/optim/registry.test.ts'] },
  { src: 'engine/src/optim/natural-gradient/', tests: ['test/engine/optim/natural-gradient/', 'test/engine/optim/registry.test.ts'] },
  {
    src: 'engine/src/analysis/',
    tests: [
      'test/engine/critical-batch.test.ts',
      'test/engine/critical-batch-coverage.test.ts',
      'test/engine/critical-batch-edges.test.ts',
      'test/engine/critical-batch-interval.test.ts',
      'test/engine/nqm-findings.test.ts',
      'test/engine/sweep/findings.test.ts',
      'test/engine/nqm-search.test.ts',
      'test/engine/problems/registry.test.ts',
    ],
  },
];

/** Not mutated: what the files hold is not computation (the charts' order and captions of stats). */
const EXCLUDE = new Set(['metric-meta.ts']);

// ---- options ------------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = { files: [], max: Infinity, sample: null, list: false, json: null, timeoutFactor: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    const int = (name, v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) fail(`${name} must be a non-negative integer, got ${v}`);
      return n;
    };
    if (a === '--files') o.files = value().split(',').filter(Boolean);
    else if (a === '--max') o.max = int('--max', value());
    else if (a === '--sample') o.sample = int('--sample', value());
    else if (a === '--list') o.list = true;
    else if (a === '--json') o.json = value();
    else if (a === '--timeout-factor') {
      o.timeoutFactor = Number(value());
      if (!(o.timeoutFactor >= 1)) fail('--timeout-factor must be >= 1');
    } else if (a === '--help' || a === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else fail(`unknown option ${a} (see --help)`);
  }
  return o;
}

function fail(message) {
  console.error(`mutation: ${message}`);
  process.exit(2);
}

// ---- restoring ----------------------------------------------------------------------------------

const pendingFile = path.join(os.tmpdir(), `optlab-mutation-${createHash('sha1').update(root).digest('hex').slice(0, 12)}.json`);
let pending = null; // { file, original } while a file is mutated

function restore() {
  if (!pending) return;
  writeFileSync(pending.file, pending.original);
  pending = null;
  rmSync(pendingFile, { force: true });
}

function mutateFile(file, original, text) {
  pending = { file, original };
  writeFileSync(pendingFile, JSON.stringify(pending));
  writeFileSync(file, text);
}

/** A previous run that died mid-mutant left its restore behind: apply it first. */
function recoverPrevious() {
  if (!existsSync(pendingFile)) return;
  const p = JSON.parse(readFileSync(pendingFile, 'utf8'));
  if (typeof p.file === 'string' && typeof p.original === 'string' && p.file.startsWith(root)) {
    writeFileSync(p.file, p.original);
    console.log(`mutation: restored ${path.relative(root, p.file)} left mutated by an interrupted run`);
  }
  rmSync(pendingFile, { force: true });
}

// ---- mutants ------------------------------------------------------------------------------------

const SWAP = {
  [ts.SyntaxKind.PlusToken]: ['-'],
  [ts.SyntaxKind.MinusToken]: ['+'],
  [ts.SyntaxKind.AsteriskToken]: ['/'],
  [ts.SyntaxKind.SlashToken]: ['*'],
  [ts.SyntaxKind.PercentToken]: ['*'],
  [ts.SyntaxKind.LessThanToken]: ['<=', '>='],
  [ts.SyntaxKind.LessThanEqualsToken]: ['<', '>'],
  [ts.SyntaxKind.GreaterThanToken]: ['>=', '<='],
  [ts.SyntaxKind.GreaterThanEqualsToken]: ['>', '<'],
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: ['!=='],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: ['==='],
  [ts.SyntaxKind.AmpersandAmpersandToken]: ['||'],
  [ts.SyntaxKind.BarBarToken]: ['&&'],
  [ts.SyntaxKind.PlusEqualsToken]: ['-='],
  [ts.SyntaxKind.MinusEqualsToken]: ['+='],
  [ts.SyntaxKind.AsteriskEqualsToken]: ['/='],
  [ts.SyntaxKind.SlashEqualsToken]: ['*='],
};

const isAssignment = (k) => k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;

function numberMutant(text) {
  const v = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(v)) return null;
  if (v === 0) return '1';
  if (v === 1) return '0';
  if (Number.isInteger(v)) return String(v + 1);
  return String(2 * v);
}

/** Whether a node sits where mutating it only changes a message or a type. */
function skipped(node) {
  for (let n = node; n; n = n.parent) {
    if (ts.isThrowStatement(n) || ts.isTemplateExpression(n) || ts.isTypeNode(n) || ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) return true;
    if (ts.isForStatement(n) && n.incrementor && node.pos >= n.incrementor.pos && node.end <= n.incrementor.end) return true;
  }
  return false;
}

function generateMutants(files) {
  const configPath = path.join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const isNumeric = (e) => (checker.getTypeAtLocation(e).flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) !== 0;
  const out = [];
  for (const file of files) {
    const sf = program.getSourceFile(file);
    const text = sf.getFullText();
    const add = (start, end, replacement, operator) => {
      const { line, character } = sf.getLineAndCharacterOfPosition(start);
      out.push({ file: path.relative(root, file), start, end, original: text.slice(start, end), replacement, operator, line: line + 1, column: character + 1 });
    };
    const visit = (node) => {
      if (skipped(node)) return;
      if (ts.isBinaryExpression(node)) {
        const k = node.operatorToken.kind;
        const arithmetic = k === ts.SyntaxKind.PlusToken || k === ts.SyntaxKind.PlusEqualsToken;
        // `+` only on numbers (strings concatenate).
        if (SWAP[k] && (!arithmetic || (isNumeric(node.left) && isNumeric(node.right)))) {
          for (const r of SWAP[k]) add(node.operatorToken.getStart(sf), node.operatorToken.end, r, 'operator');
        }
      } else if (ts.isPrefixUnaryExpression(node)) {
        const op = node.operator;
        if (op === ts.SyntaxKind.MinusToken && !ts.isNumericLiteral(node.operand)) add(node.getStart(sf), node.operand.getStart(sf), '', 'sign');
        else if (op === ts.SyntaxKind.MinusToken) add(node.getStart(sf), node.operand.getStart(sf), '', 'sign');
        else if (op === ts.SyntaxKind.ExclamationToken) add(node.getStart(sf), node.operand.getStart(sf), '', 'negation');
        else if (op === ts.SyntaxKind.PlusPlusToken) add(node.getStart(sf), node.operand.getStart(sf), '--', 'increment');
        else if (op === ts.SyntaxKind.MinusMinusToken) add(node.getStart(sf), node.operand.getStart(sf), '++', 'increment');
      } else if (ts.isPostfixUnaryExpression(node)) {
        const at = node.operand.end;
        if (node.operator === ts.SyntaxKind.PlusPlusToken) add(at, node.end, '--', 'increment');
        else add(at, node.end, '++', 'increment');
      } else if (ts.isNumericLiteral(node)) {
        const r = numberMutant(node.text);
        if (r !== null) add(node.getStart(sf), node.end, r, 'constant');
      } else if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) {
        add(node.getStart(sf), node.end, node.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true', 'constant');
      } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Math' && (node.name.text === 'min' || node.name.text === 'max')) {
        add(node.name.getStart(sf), node.name.end, node.name.text === 'min' ? 'max' : 'min', 'min/max');
      } else if (ts.isExpressionStatement(node)) {
        const e = node.expression;
        const assigns = (ts.isBinaryExpression(e) && isAssignment(e.operatorToken.kind)) || ts.isPostfixUnaryExpression(e) || (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken));
        if (assigns) add(node.getStart(sf), node.end, ';', 'delete assignment');
      } else if (ts.isReturnStatement(node)) {
        add(node.getStart(sf), node.end, ';', 'delete return');
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

// ---- tests --------------------------------------------------------------------------------------

function testFilesOf(entries) {
  const out = [];
  for (const e of entries) {
    const full = path.join(root, e);
    if (!existsSync(full)) continue;
    if (statSync(full).isDirectory()) for (const f of readdirSync(full).sort()) if (f.endsWith('.test.ts')) out.push(path.join(e, f));
    if (statSync(full).isFile()) out.push(e);
  }
  return out;
}

function sourceFilesOf(src) {
  return readdirSync(path.join(root, src))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !EXCLUDE.has(f))
    .sort()
    .map((f) => path.join(root, src, f));
}

let child = null;

/** Runs one test file; resolves 'pass', 'fail' or 'timeout'. */
function runTestFile(file, timeoutMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', file], { cwd: root, stdio: 'ignore', detached: true });
    const proc = child;
    const timer = setTimeout(() => {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      child = null;
      const ms = Date.now() - started;
      resolve({ result: signal === 'SIGKILL' && ms >= timeoutMs ? 'timeout' : code === 0 ? 'pass' : 'fail', ms });
    });
  });
}

// ---- main ---------------------------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fmtTime = (ms) => (ms >= 3600e3 ? `${(ms / 3600e3).toFixed(1)} h` : ms >= 60e3 ? `${(ms / 60e3).toFixed(1)} min` : `${(ms / 1e3).toFixed(1)} s`);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  let started = Date.now();
  let total = 0;
  recoverPrevious();
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (child) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      restore();
      console.error(`\nmutation: interrupted (${sig}); the mutated file is restored`);
      if (results.length) summary(started, o, total);
      process.exit(130);
    });
  }
  process.on('exit', restore);

  const suites = SUITES.map((s) => ({ ...s, files: sourceFilesOf(s.src).filter((f) => !o.files.length || o.files.some((p) => path.relative(root, f).includes(p))), testFiles: testFilesOf(s.tests) })).filter((s) => s.files.length);
  if (!suites.length) fail(`no source file matches --files ${o.files.join(',')}`);
  const all = generateMutants(suites.flatMap((s) => s.files));
  total = all.length;
  let chosen = all.map((m, i) => ({ ...m, id: i + 1 }));
  if (o.sample !== null) {
    const rand = mulberry32(o.sample);
    for (let i = chosen.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
    }
  }
  // A sample stays in its shuffled order: any prefix of it (an interrupted run) is a random sample too.
  chosen = chosen.slice(0, o.max);
  console.log(`mutation: ${all.length} mutants in ${suites.reduce((n, s) => n + s.files.length, 0)} files; running ${chosen.length}${o.sample !== null ? ` (seeded sample ${o.sample})` : ''}`);
  if (o.list) {
    for (const m of chosen) console.log(`  #${m.id} ${describe(m)}`);
    return;
  }

  // Baseline: every covering test passes on the unmutated code; its time sets the timeouts and
  // the order (fastest first, so most kills are cheap).
  const baseline = new Map();
  const used = [...new Set(suites.filter((s) => chosen.some((m) => s.files.includes(path.join(root, m.file)))).flatMap((s) => s.testFiles))];
  const t0 = Date.now();
  for (const f of used) {
    const r = await runTestFile(f, 30 * 60e3);
    if (r.result !== 'pass') fail(`baseline: ${f} does not pass on the unmutated code (${r.result}); fix it first`);
    baseline.set(f, r.ms);
  }
  console.log(`mutation: baseline of ${used.length} test files passes in ${fmtTime(Date.now() - t0)}`);
  started = Date.now();

  for (const [n, m] of chosen.entries()) {
    const full = path.join(root, m.file);
    const suite = suites.find((s) => s.files.includes(full));
    const tests = [...suite.testFiles].sort((a, b) => baseline.get(a) - baseline.get(b));
    const original = readFileSync(full, 'utf8');
    mutateFile(full, original, original.slice(0, m.start) + m.replacement + original.slice(m.end));
    let status = 'survived';
    let by = null;
    try {
      for (const f of tests) {
        const r = await runTestFile(f, Math.max(30e3, o.timeoutFactor * baseline.get(f)));
        if (r.result !== 'pass') {
          status = r.result === 'timeout' ? 'timeout' : 'killed';
          by = f;
          break;
        }
      }
    } finally {
      restore();
    }
    results.push({ ...m, status, by });
    const done = n + 1;
    const eta = ((Date.now() - started) / done) * (chosen.length - done);
    const killedSoFar = results.filter((r) => r.status !== 'survived').length;
    console.log(`[${done}/${chosen.length}] ${status.padEnd(8)} #${m.id} ${describe(m)}${by ? `  (${path.basename(by)})` : ''}  killed ${killedSoFar}/${done}, eta ${fmtTime(eta)}`);
  }
  summary(started, o, total);
}

/** The score and the survivors of what ran (also after an interruption). */
function summary(started, o, total) {

  const killed = results.filter((r) => r.status !== 'survived');
  const timeouts = results.filter((r) => r.status === 'timeout').length;
  const survivors = results.filter((r) => r.status === 'survived');
  const score = results.length ? (100 * killed.length) / results.length : 0;
  console.log(`\nmutation score: ${killed.length}/${results.length} killed (${score.toFixed(1)}%; ${timeouts} by timeout) in ${fmtTime(Date.now() - started)}`);
  if (survivors.length) {
    console.log(`survivors (${survivors.length}):`);
    for (const s of survivors) console.log(`  #${s.id} ${describe(s)}`);
  }
  if (o.json) {
    writeFileSync(o.json, JSON.stringify({ date: new Date().toISOString(), total, sample: o.sample, max: Number.isFinite(o.max) ? o.max : null, killed: killed.length, run: results.length, timeouts, results: results.map(({ start: _start, end: _end, ...r }) => r) }, null, 2) + '\n');
    console.log(`results written to ${o.json}`);
  }
}

const results = [];
const describe = (m) => `${m.file}:${m.line}:${m.column} ${m.operator}: \`${m.original.replace(/\s+/g, ' ').slice(0, 60)}\` -> \`${m.replacement}\``;

main().catch((err) => {
  restore();
  console.error(`mutation: ${err.stack ?? err}`);
  process.exit(1);
});
