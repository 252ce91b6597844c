// The extension loads and activates by itself in a workspace with *.optlab.json files, and
// activate() returns the API of extension/src/api.ts.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, extension, waitFor } from './helpers';

suite('activation', () => {
  test('the OptLab extension is installed in the extension host', () => {
    const ext = extension();
    assert.equal(ext.packageJSON.name, 'optlab');
    assert.equal(ext.packageJSON.publisher, 'optlab');
  });

  test('it activates by itself (workspaceContains:**/*.optlab.json)', async () => {
    const ext = extension();
    await waitFor(() => ext.isActive, () => 'the extension to activate without being asked', 30_000);
  });

  test('activate() returned the OptLab API', async () => {
    const optlab = await api();
    assert.equal(extension().isActive, true);
    for (const fn of ['runExperiment', 'stopAll', 'storeRoot', 'treeSnapshot', 'panels'] as const) {
      assert.equal(typeof optlab[fn], 'function', `api.${fn} is ${typeof optlab[fn]}`);
    }
    assert.ok(optlab.engine, 'api.engine is missing');
    for (const fn of ['state', 'pid', 'restart', 'kill'] as const) {
      assert.equal(typeof optlab.engine[fn], 'function', `api.engine.${fn} is ${typeof optlab.engine[fn]}`);
    }
  });

  test('the engine process starts and reports ready', async () => {
    const optlab = await api();
    await waitFor(() => optlab.engine.state() === 'ready', () => `engine state 'ready' (it is '${optlab.engine.state()}')`, 30_000);
    const pid = optlab.engine.pid();
    assert.ok(typeof pid === 'number' && pid > 0, `engine pid is ${pid}`);
    assert.notEqual(pid, process.pid, 'the engine must be a child process, not the extension host');
  });

  test('the store is under the workspace folder (optlab.storeLocation = .optlab)', async () => {
    const optlab = await api();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder);
    assert.equal(optlab.storeRoot(), path.join(folder, '.optlab'));
  });
});
