#!/usr/bin/env node
// The standard @vscode/test-electron entry point, for machines with a desktop VS Code (a laptop, a
// networked CI). It runs the same suites as scripts/vscode/run-integration.mjs (which is what runs
// on machines without one, through code-server), in an Electron VS Code:
//   VSCODE_EXECUTABLE=/path/to/code node test/vscode/run-electron.mjs     use an installed VS Code
//   node test/vscode/run-electron.mjs                                     download VS Code stable
//                                                                        (needs internet access)
// Environment: VSCODE_VERSION (download this version instead of stable), OPTLAB_VSCODE_GREP.
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildTests } from '../../scripts/vscode/build-tests.mjs';
import { buildExtension, prepareRun } from '../../scripts/vscode/harness.mjs';
import { root } from '../../scripts/vscode/paths.mjs';

const buildStatus = buildExtension();
if (buildStatus !== 0) process.exit(buildStatus ?? 1);
const extensionTestsPath = await buildTests();
// The same fresh workspace copy and quiet user settings as the code-server driver.
const run = prepareRun('electron');

try {
  const code = await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath,
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : { version: process.env.VSCODE_VERSION ?? 'stable' }),
    cachePath: path.join(root, '.vscode-test', 'electron-cache'),
    extensionTestsEnv: { OPTLAB_VSCODE_GREP: process.env.OPTLAB_VSCODE_GREP },
    launchArgs: [
      run.workspace,
      '--user-data-dir', run.userDataDir,
      '--extensions-dir', run.extensionsDir,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
  });
  process.exit(code);
} catch (err) {
  console.error(`the Electron VS Code test run failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
