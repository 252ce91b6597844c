// The mocha runner the extension host loads as extensionTestsPath (the @vscode/test-electron
// contract, also used through code-server's `payload`): runs every compiled *.test.js next to it and
// resolves or rejects with the result. Ends with the line "N passed, N failed".
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Suites that change global state (the engine process) run last, in this order. */
const ORDER = ['activation', 'commands', 'run-experiment', 'invalid-experiment', 'cancel', 'engine-crash'];

function rank(file: string): number {
  const i = ORDER.indexOf(path.basename(file, '.test.js'));
  return i === -1 ? ORDER.length : i;
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    reporter: 'spec',
    timeout: Number(process.env.OPTLAB_VSCODE_TEST_TIMEOUT ?? 180_000),
    slow: 10_000,
  });
  const grep = process.env.OPTLAB_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => path.join(__dirname, f))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const f of files) mocha.addFile(f);
  console.log(`OptLab integration suites: ${files.map((f) => path.basename(f, '.test.js')).join(', ')}${grep ? ` (grep ${grep})` : ''}`);

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const stats = runner.stats ?? { passes: 0, failures, pending: 0 };
        if (stats.pending) console.log(`${stats.pending} pending`);
        console.log(`${stats.passes} passed, ${stats.failures} failed`);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (err) {
      console.error(err);
      console.log('0 passed, 1 failed');
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
