// Every command contributed in package.json is registered by activate().
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, extension } from './helpers';

suite('commands', () => {
  test('every contributed command is registered', async () => {
    await api();
    const contributed: string[] = (extension().packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    assert.ok(contributed.length >= 12, `package.json contributes only ${contributed.length} commands`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('the commands the issue names are contributed, in category OptLab', () => {
    const cmds: { command: string; title: string; category?: string }[] = extension().packageJSON.contributes?.commands ?? [];
    const titles = new Map(cmds.map((c) => [c.title, c]));
    for (const title of ['New Experiment', 'Run Experiment', 'Stop Run', 'Stop All', 'Open Dashboard', 'Compare Runs', 'Show Critical Batch Size',
      'Export Run Data (CSV/JSON)', 'Export Chart (PNG)', 'Delete Run', 'Select Compute Backend', 'Show Engine Log']) {
      const c = titles.get(title);
      assert.ok(c, `no command titled '${title}'`);
      assert.equal(c.category, 'OptLab', `'${title}' is not in category OptLab`);
    }
  });
});
