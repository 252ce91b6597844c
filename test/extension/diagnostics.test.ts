import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { experimentDiagnostics } from '../../extension/src/editor/diagnostic-ranges';
import { batchSizesOf, entryAt, entryOfRun, labelOfEntry, outlineExperiment } from '../../extension/src/editor/experiment-outline';

const VALID = `{
  "name": "demo",
  "problem": { "type": "nqm", "dim": 100 },
  "target": { "metric": "loss", "value": 0.01 },
  "batchSizes": [4, 16, 64],
  "optimizers": [
    { "label": "SGD", "type": "sgd", "learningRate": { "logspace": [-3, 0, 10] } },
    { "type": "sgd", "precondition": 0.5 },
    {
      "type": "momentum",
      "momentum": [0.9]
    }
  ]
}
`;

/** The text a diagnostic covers. */
function covered(text: string, d: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  const lines = text.split('\n');
  if (d.start.line === d.end.line) return lines[d.start.line].slice(d.start.character, d.end.character);
  return [lines[d.start.line].slice(d.start.character), ...lines.slice(d.start.line + 1, d.end.line), lines[d.end.line].slice(0, d.end.character)].join('\n');
}

describe('diagnostics of experiment files', () => {
  test('a valid file has none', () => {
    assert.deepEqual(experimentDiagnostics(VALID, '/ws/demo.optlab.json'), []);
  });

  test('an option the optimizer does not have: on the property name', () => {
    const text = VALID.replace('{ "type": "sgd", "precondition": 0.5 }', '{ "type": "sgd", "precondition": 0.5, "momentum": 0.9 }');
    const ds = experimentDiagnostics(text);
    const d = ds.find((x) => x.message.includes("has no option 'momentum'"));
    assert.ok(d, ds.map((x) => x.message).join(' | '));
    assert.equal(d.message, "optimizer 'sgd' has no option 'momentum'");
    assert.equal(d.path, '/optimizers/1/momentum');
    assert.equal(d.start.line, 7);
    assert.equal(covered(text, d), '"momentum"');
  });

  test('an empty grid: on the value', () => {
    const text = VALID.replace('"momentum": [0.9]', '"momentum": []');
    const ds = experimentDiagnostics(text);
    const d = ds.find((x) => x.path === '/optimizers/2/momentum');
    assert.ok(d, ds.map((x) => `${x.path}: ${x.message}`).join(' | '));
    assert.equal(d.start.line, 10);
    assert.equal(covered(text, d), '[]');
  });

  test('a wrong type: on the value, its line as the engine reports it', () => {
    const text = VALID.replace('"dim": 100', '"dim": "big"');
    const d = experimentDiagnostics(text).find((x) => x.path === '/problem/dim');
    assert.ok(d);
    assert.equal(d.start.line, 2);
    assert.equal(covered(text, d), '"big"');
  });

  test('a multi-line value is cut at the end of its first line', () => {
    const text = VALID.replace('"momentum": [0.9]', '"momentum": [0.9],\n      "decay": 0.5');
    const d = experimentDiagnostics(text).find((x) => x.message.includes("has no option 'decay'"));
    assert.ok(d, 'no diagnostic for decay on momentum');
    assert.equal(d.start.line, d.end.line);
  });

  test('a JSON syntax error: on the offending token', () => {
    const text = VALID.replace('"batchSizes": [4, 16, 64],', '"batchSizes": [4, 16, 64]');
    const ds = experimentDiagnostics(text);
    assert.equal(ds.length, 1);
    assert.match(ds[0].message, /unexpected '"optimizers"'|expected ',' or '}'|unexpected/);
    assert.equal(ds[0].start.line, 5);
    assert.ok(covered(text, ds[0]).length >= 1);
  });

  test('a file cut off at the end: the last character, not outside the text', () => {
    const text = '{ "name": "x",';
    const ds = experimentDiagnostics(text);
    assert.equal(ds.length, 1);
    assert.equal(ds[0].start.line, 0);
    assert.ok(ds[0].end.character <= text.length);
  });

  test('the integration test\'s invalid file: errors on its 7th line', () => {
    const text = `{\n  "name": "broken",\n  "problem": { "type": "nqm", "dim": 10000 },\n  "target": { "metric": "loss", "value": 0.01 },\n  "batchSizes": [4, 16],\n  "optimizers": [\n    { "label": "SGD", "type": "sgd", "learningRate": "fast",\n      "momentum": 0.9 }\n  ]\n}\n`;
    const ds = experimentDiagnostics(text);
    assert.ok(ds.some((d) => d.start.line === 6), ds.map((d) => `${d.start.line}: ${d.message}`).join(' | '));
    assert.ok(ds.some((d) => d.start.line === 7 && d.message.includes('momentum')));
  });
});

describe('experiment outline', () => {
  test('optimizer entries with their labels (explicit or default) and ranges', () => {
    const o = outlineExperiment(VALID);
    assert.equal(o.name, 'demo');
    assert.deepEqual(o.entries.map((e) => e.label), ['SGD', 'SGD p=0.5', 'Momentum']);
    assert.deepEqual(o.entries.map((e) => e.range.start.line), [7, 8, 9]);
    assert.equal(o.entries[2].range.end.line, 12);
    assert.deepEqual(o.batchSizes, [4, 16, 64]);
    assert.equal(o.runCount, 9);
    assert.equal(o.nameRange?.start.line, 2);
  });

  test('position lookup and run -> entry', () => {
    const o = outlineExperiment(VALID);
    assert.equal(entryAt(o, 10, 8)?.label, 'Momentum');
    assert.equal(entryAt(o, 2, 5), undefined);
    assert.equal(entryOfRun(o, { label: 'SGD p=0.5', config: { optimizer: { pointer: '/optimizers/1' } } })?.index, 1);
    // The pointer moved (entries reordered): the label decides.
    assert.equal(entryOfRun(o, { label: 'SGD', config: { optimizer: { pointer: '/optimizers/2' } } })?.index, 0);
    assert.equal(entryOfRun(o, { label: 'Adam' }), undefined);
  });

  test('invalid JSON has no outline; half-typed values are tolerated', () => {
    assert.deepEqual(outlineExperiment('{ "name": ').entries, []);
    assert.deepEqual(batchSizesOf({ powersOf2: { from: 2, to: 1e9 } }), []);
    assert.deepEqual(batchSizesOf({ powersOf2: { from: 2, to: 6, step: 2 } }), [4, 16, 64]);
    assert.deepEqual(batchSizesOf([1, 'x', 8]), [1, 8]);
    assert.equal(labelOfEntry({ type: 'ema', precondition: 1 }), 'EMA p=1');
    assert.equal(labelOfEntry({ type: 'adam' }), undefined);
  });
});
