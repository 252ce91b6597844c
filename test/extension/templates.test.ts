import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseExperiment } from '../../engine/src/experiment/load';
import { formatJson } from '../../extension/src/templates/format-json';
import { instantiate, TEMPLATES, uniqueFileName } from '../../extension/src/templates/templates';

describe('experiment templates', () => {
  test('there is the NQM critical-batch-size study, and ids and file names are unique', () => {
    assert.ok(TEMPLATES.some((t) => t.id === 'nqm-critical-batch'));
    assert.equal(new Set(TEMPLATES.map((t) => t.id)).size, TEMPLATES.length);
    assert.equal(new Set(TEMPLATES.map((t) => t.fileName)).size, TEMPLATES.length);
    for (const t of TEMPLATES) assert.match(t.fileName, /\.optlab\.json$/);
  });

  for (const t of TEMPLATES) {
    test(`${t.id}: the file written is valid for the engine's loader`, () => {
      const text = formatJson(instantiate(t, t.fileName));
      const resolved = parseExperiment(text, t.fileName);
      assert.equal(resolved.name, t.fileName.replace('.optlab.json', ''));
      assert.ok(resolved.optimizers.length > 0 && resolved.batchSizes.length > 0);
    });
  }

  test('the NQM template is the README example (without its repository-relative $schema)', () => {
    const example = JSON.parse(readFileSync(path.join(__dirname, '../../examples/nqm-critical-batch.optlab.json'), 'utf8'));
    delete example.$schema;
    const t = TEMPLATES.find((x) => x.id === 'nqm-critical-batch')!;
    assert.deepEqual(JSON.parse(formatJson(instantiate(t, t.fileName))), example);
  });

  test('instantiating copies: the template data is never changed', () => {
    const t = TEMPLATES[0];
    const before = JSON.stringify(t.experiment);
    const copy = instantiate(t, 'mine.optlab.json');
    copy.optimizers.pop();
    assert.equal(copy.name, 'mine');
    assert.equal(JSON.stringify(t.experiment), before);
  });

  test('a free file name', () => {
    const taken = new Set(['a.optlab.json', 'a-2.optlab.json']);
    assert.equal(uniqueFileName('b.optlab.json', taken), 'b.optlab.json');
    assert.equal(uniqueFileName('a.optlab.json', taken), 'a-3.optlab.json');
  });
});

describe('JSON formatting of templates', () => {
  test('short values stay on one line, long ones are broken, and it round-trips', () => {
    const value = { name: 'x', grid: { logspace: [-5, 0.5, 100] }, list: Array.from({ length: 40 }, (_, i) => i), nested: { a: { b: { c: 'd' } } } };
    const text = formatJson(value, 60);
    assert.deepEqual(JSON.parse(text), value);
    assert.ok(text.includes('"grid": { "logspace": [-5, 0.5, 100] }'), text);
    assert.ok(text.split('\n').length > 5);
    assert.ok(text.endsWith('}\n'));
    assert.equal(formatJson({}), '{}\n');
    assert.equal(formatJson({ a: [] }), '{ "a": [] }\n');
  });

  test('strings are JSON-escaped', () => {
    const value = { s: 'quote " backslash \\ newline \n' };
    assert.deepEqual(JSON.parse(formatJson(value)), value);
  });
});
