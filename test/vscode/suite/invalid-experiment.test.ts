// An invalid experiment file: diagnostics in the editor, and a run that fails naming the file.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, runsOfExperiment, waitFor, writeExperiment } from './helpers';

// Line 7 (0-based 6) has a learning rate of the wrong type; line 8 an option SGD does not have.
const INVALID = `{
  "name": "broken",
  "problem": { "type": "nqm", "dim": 10000 },
  "target": { "metric": "loss", "value": 0.01 },
  "batchSizes": [4, 16],
  "optimizers": [
    { "label": "SGD", "type": "sgd", "learningRate": "fast",
      "momentum": 0.9 }
  ]
}
`;
const BAD_LINE = 6;

suite('invalid experiment file', () => {
  const name = 'invalid.optlab.json';
  let file: string;
  suiteSetup(() => {
    file = writeExperiment(name, INVALID);
  });

  test('the editor shows error diagnostics on the offending line', async () => {
    await api();
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const errors = await waitFor(
      () => {
        const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
        return ds.some((d) => d.range.start.line === BAD_LINE) ? ds : undefined;
      },
      () => `an error diagnostic on line ${BAD_LINE + 1} of ${name} (have: ${vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line + 1}: ${d.message}`).join(' | ') || 'none'})`,
      30_000,
    );
    console.log(`  diagnostics: ${errors.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.source ?? ''} ${d.message}`).join(' | ')}`);
  });

  test('running it fails, naming the file, and records no run', async () => {
    const optlab = await api();
    const { done } = await optlab.runExperiment(file);
    const outcome = await done;
    assert.equal(outcome.result, 'failed', `outcome ${outcome.result}`);
    assert.ok(outcome.message, 'a failed outcome has no message');
    assert.ok(outcome.message.includes(path.basename(file)), `the message does not name ${path.basename(file)}: ${outcome.message}`);
    assert.deepEqual(runsOfExperiment(optlab.storeRoot(), 'broken').map((r) => r.id), [], 'an invalid file must not create runs');
    assert.equal(optlab.engine.state(), 'ready', 'an invalid file must not take the engine down');
  });
});
