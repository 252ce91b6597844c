// Runs every *.test.ts under test/ (except the VS Code suites, which have their own drivers)
// with node:test through tsx, and ends with the summary line "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const only = process.argv.slice(2);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === 'vscode' || name === 'e2e' || name === 'node_modules') continue;
      collect(full, out);
    } else if (name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out;
}

let files = collect(path.join(root, 'test'), []).sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));

const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=./test/support/summary-reporter.mjs', '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
