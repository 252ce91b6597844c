// Running experiments through the real engine process: the README's NQM study via the API, and a
// small experiment via the "OptLab: Run Experiment" command on the active editor.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, countBy, extension, readMetrics, readRun, runsOfExperiment, samePath, waitFor, workspaceFile, TERMINAL } from './helpers';

suite('run experiments through the engine', () => {
  test('the workspace fixture is the README example', () => {
    const example = JSON.parse(fs.readFileSync(path.join(extension().extensionPath, 'examples', 'nqm-critical-batch.optlab.json'), 'utf8'));
    delete example.$schema;
    const copy = JSON.parse(fs.readFileSync(workspaceFile('nqm-critical-batch.optlab.json'), 'utf8'));
    assert.deepEqual(copy, example, 'test/vscode/fixtures/workspace/nqm-critical-batch.optlab.json drifted from examples/');
  });

  test('api.runExperiment on the NQM example finishes with completed runs in the store and the tree', async () => {
    const optlab = await api();
    const file = workspaceFile('nqm-critical-batch.optlab.json');
    const started = Date.now();
    const { requestId, done } = await optlab.runExperiment(file);
    assert.ok(typeof requestId === 'string' && requestId.length > 0, 'runExperiment gave no requestId');
    const outcome = await done;
    console.log(`  NQM example: ${outcome.result} in ${((Date.now() - started) / 1000).toFixed(1)} s, ${outcome.runIds.length} runs`);
    assert.equal(outcome.result, 'finished', `outcome ${outcome.result}: ${outcome.message ?? ''}`);
    assert.equal(outcome.requestId, requestId);
    // 6 optimizers x batch sizes 2^2, 2^4, ..., 2^20.
    assert.equal(outcome.runIds.length, 60, `expected 60 runs, got ${outcome.runIds.length}`);

    const store = optlab.storeRoot();
    const records = outcome.runIds.map((id) => readRun(store, id));
    assert.deepEqual(countBy(records), { completed: 60 });
    for (const r of records) {
      assert.equal(r.experiment.name, 'nqm-critical-batch');
      assert.ok(r.experiment.file && samePath(r.experiment.file, file), `run ${r.id} names file ${r.experiment.file}`);
      assert.ok(r.endedAt, `run ${r.id} has no endedAt`);
      const metrics = readMetrics(store, r.id);
      assert.ok(metrics.rows.length > 0, `run ${r.id} (${r.label} B=${r.batchSize}) has no metrics`);
      assert.deepEqual(metrics.warnings, [], `run ${r.id} metrics.jsonl: ${metrics.warnings.join('; ')}`);
      assert.equal(typeof metrics.rows[0].loss, 'number');
    }
    // The README's JSON example: SGD p=0.5 at B=1024 reaches loss 0.01 in 1366 steps.
    const p05 = records.find((r) => r.label === 'SGD p=0.5' && r.batchSize === 1024);
    assert.ok(p05, 'no run SGD p=0.5 at B=1024');
    assert.equal(p05.summary.stepsToTarget, 1366);
    const curve = readMetrics(store, p05.id).rows;
    assert.ok(Number(curve.at(-1)!.loss) <= 0.01, `the logged curve ends at loss ${curve.at(-1)!.loss}, above the target`);

    const tree = await optlab.treeSnapshot();
    const node = tree.find((e) => samePath(e.file, file));
    assert.ok(node, `the explorer has no node for ${file}; it shows ${tree.map((e) => e.file).join(', ') || 'nothing'}`);
    assert.equal(node.name, 'nqm-critical-batch');
    const shown = new Map(node.runs.map((r) => [r.id, r]));
    const absent = outcome.runIds.filter((id) => !shown.has(id));
    assert.deepEqual(absent, [], `${absent.length} runs of the session are not in the tree`);
    for (const id of outcome.runIds) assert.equal(shown.get(id)!.status, 'completed', `tree run ${id} is ${shown.get(id)!.status}`);
  });

  test('the command optlab.runExperiment runs the experiment of the active editor', async () => {
    const optlab = await api();
    const file = workspaceFile('quick.optlab.json');
    const store = optlab.storeRoot();
    const before = new Set(runsOfExperiment(store, 'quick').map((r) => r.id));
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    assert.ok(vscode.window.activeTextEditor && samePath(vscode.window.activeTextEditor.document.uri.fsPath, file));

    await vscode.commands.executeCommand('optlab.runExperiment');
    // 2 optimizers x 3 batch sizes, all finished.
    const fresh = () => runsOfExperiment(store, 'quick').filter((r) => !before.has(r.id));
    const runs = await waitFor(
      () => {
        const rs = fresh();
        return rs.length === 6 && rs.every((r) => TERMINAL.includes(r.status)) ? rs : undefined;
      },
      () => `6 finished runs of quick.optlab.json in ${store} (have ${JSON.stringify(countBy(fresh()))})`,
      60_000,
    );
    assert.deepEqual(countBy(runs), { completed: 6 });
    for (const r of runs) assert.ok(readMetrics(store, r.id).rows.length > 0, `run ${r.id} has no metrics`);

    const ids = new Set(runs.map((r) => r.id));
    await waitFor(
      async () => {
        const node = (await optlab.treeSnapshot()).find((e) => samePath(e.file, file));
        return node && node.runs.filter((r) => ids.has(r.id) && r.status === 'completed').length === 6;
      },
      () => 'the 6 completed runs of quick.optlab.json in the explorer',
      10_000,
    );
  });
});
