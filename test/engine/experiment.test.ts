import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { expandBatchSizes, expandGrid, linspace } from '../../engine/src/experiment/grid';
import { parseJsonWithLocation } from '../../engine/src/experiment/json-locate';
import { loadExperiment, parseExperiment, resolveExperiment } from '../../engine/src/experiment/load';
import { ExperimentError, type ExperimentIssue, validateExperiment } from '../../engine/src/experiment/validate';

const root = path.resolve(__dirname, '../..');
const examplePath = path.join(root, 'examples/nqm-critical-batch.optlab.json');
const schemaPath = path.join(root, 'schemas/optlab-experiment.schema.json');

/** A small valid file; tests break one thing at a time. */
function base(): Record<string, unknown> {
  return {
    name: 'tiny',
    problem: { type: 'nqm', dim: 100 },
    target: { metric: 'loss', value: 0.01 },
    batchSizes: [1, 2, 4],
    optimizers: [
      { type: 'sgd', learningRate: [0.1, 0.5] },
      { type: 'momentum', learningRate: 0.1, momentum: [0, 0.9] },
    ],
  };
}

/** The ExperimentError issues of a text (pretty-printed JSON by default, so lines are predictable). */
function issuesOf(input: unknown): { text: string; issues: ExperimentIssue[]; error: ExperimentError } {
  const text = typeof input === 'string' ? input : JSON.stringify(input, null, 2);
  try {
    parseExperiment(text, 'case.optlab.json');
  } catch (error) {
    assert.ok(error instanceof ExperimentError, `expected ExperimentError, got ${String(error)}`);
    return { text, issues: error.issues, error };
  }
  assert.fail('expected the file to be rejected');
}

/** 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string, from = 0): number {
  const at = text.indexOf(needle, from);
  assert.ok(at >= 0, `${needle} not in text`);
  return text.slice(0, at).split('\n').length;
}

function only(issues: ExperimentIssue[]): ExperimentIssue {
  assert.equal(issues.length, 1, `expected one issue, got ${JSON.stringify(issues, null, 1)}`);
  return issues[0];
}

describe('example and schema', () => {
  test('the NQM example validates and resolves', () => {
    const r = loadExperiment(examplePath);
    assert.equal(r.name, 'nqm-critical-batch');
    assert.equal(r.file, examplePath);
    assert.deepEqual(r.problem, { type: 'nqm', dim: 10000, exponent: 1, bins: 100, noise: { power: 1, scale: 1 }, initVariance: 1 });
    assert.deepEqual(r.target, { metric: 'loss', value: 0.01 });
    assert.deepEqual(r.batchSizes, [4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576]);
    assert.deepEqual(
      r.optimizers.map((o) => [o.label, o.type, o.precondition, o.pointer]),
      [
        ['SGD', 'sgd', 0, '/optimizers/0'],
        ['SGD p=0.25', 'sgd', 0.25, '/optimizers/1'],
        ['SGD p=0.5', 'sgd', 0.5, '/optimizers/2'],
        ['SGD p=0.75', 'sgd', 0.75, '/optimizers/3'],
        ['Momentum', 'momentum', 0, '/optimizers/4'],
        ['EMA', 'ema', 0, '/optimizers/5'],
      ],
    );
    for (const o of r.optimizers) assert.equal(o.learningRates.length, 100);
    const momentum = r.optimizers[4];
    assert.equal(momentum.momenta?.length, 20);
    assert.equal(momentum.momenta?.[0], 0.99999);
    assert.equal(momentum.momenta?.[19], 0);
    assert.equal(momentum.decays, undefined);
    assert.deepEqual(r.optimizers[5].decays, momentum.momenta);
    assert.equal(r.optimizers[0].learningRates[0], 10 ** -5); // numpy's value, 9.999999999999999e-6
    assert.equal(r.optimizers[4].learningRates[0], 1e-8);
    assert.equal(r.optimizers[4].learningRates[99], 10);
    assert.equal(r.logPoints, 200);
    assert.equal(r.seed, 0);
    assert.deepEqual(r.raw, JSON.parse(readFileSync(examplePath, 'utf8')));
  });

  test('the example writes out exactly the reference defaults', () => {
    const written = loadExperiment(examplePath);
    const json = JSON.parse(readFileSync(examplePath, 'utf8'));
    const bare = {
      name: json.name,
      problem: { type: 'nqm' },
      target: json.target,
      batchSizes: json.batchSizes,
      optimizers: json.optimizers.map((o: Record<string, unknown>) => ({ type: o.type, precondition: o.precondition })),
    };
    const defaulted = resolveExperiment(validateExperiment(bare));
    assert.deepEqual(defaulted.problem, written.problem);
    assert.deepEqual(defaulted.optimizers, written.optimizers);
  });

  test('every example in examples/ validates', () => {
    const files = readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.optlab.json'));
    assert.ok(files.length >= 1);
    for (const f of files) assert.doesNotThrow(() => loadExperiment(path.join(root, 'examples', f)), f);
  });

  test('the schema is valid draft-07 and compiles in ajv strict mode', () => {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, discriminator: true });
    ajv.addVocabulary(['markdownDescription', 'defaultSnippets']);
    assert.equal(ajv.validateSchema(schema), true, ajv.errorsText());
    const validate = ajv.compile(schema);
    assert.equal(validate(JSON.parse(readFileSync(examplePath, 'utf8'))), true, ajv.errorsText(validate.errors));
    assert.equal(validate({ ...base(), extra: 1 }), false);
  });

  test('defaults: problem, grids, labels, logPoints, seed', () => {
    const r = parseExperiment(
      JSON.stringify({
        name: 'd',
        problem: { type: 'nqm', noise: { scale: 2 } },
        target: { metric: 'loss', value: 0.1 },
        batchSizes: { powersOf2: { from: 0, to: 3 } },
        optimizers: [{ type: 'sgd' }, { type: 'sgd', precondition: 0.5 }, { type: 'momentum' }, { type: 'ema', precondition: 1 }],
      }),
    );
    assert.deepEqual(r.problem, { type: 'nqm', dim: 10000, exponent: 1, bins: 100, noise: { power: 1, scale: 2 }, initVariance: 1 });
    assert.deepEqual(r.batchSizes, [1, 2, 4, 8]);
    assert.deepEqual(r.optimizers.map((o) => o.label), ['SGD', 'SGD p=0.5', 'Momentum', 'EMA p=1']);
    assert.deepEqual(r.optimizers[0].learningRates, expandGrid({ logspace: [-5, 0.5, 100] }));
    assert.deepEqual(r.optimizers[2].learningRates, expandGrid({ logspace: [-8, 1, 100] }));
    assert.deepEqual(r.optimizers[2].momenta, expandGrid({ oneMinusLogspace: [-5, 0, 20] }));
    assert.deepEqual(r.optimizers[3].decays, expandGrid({ oneMinusLogspace: [-5, 0, 20] }));
    assert.equal(r.optimizers[0].momenta, undefined);
    assert.equal(r.logPoints, 200);
    assert.equal(r.seed, 0);
    assert.equal(r.description, undefined);
  });
});

describe('validation errors name the path and the line', () => {
  test('unknown key at top level', () => {
    const { text, issues } = issuesOf({ ...base(), lerningRate: 1 });
    const issue = only(issues);
    assert.equal(issue.path, '/lerningRate');
    assert.match(issue.message, /^unknown key 'lerningRate' \(allowed: \$schema, name, description, problem, target, batchSizes, optimizers, logPoints, seed\)/);
    assert.equal(issue.line, lineOf(text, '"lerningRate"'));
    assert.equal(issue.column, 3);
  });

  test('unknown key inside an optimizer, with a suggestion', () => {
    const json = base();
    (json.optimizers as object[]).push({ type: 'sgd', label: 'B', lerningRate: 0.1 });
    const { text, issues } = issuesOf(json);
    const issue = only(issues);
    assert.equal(issue.path, '/optimizers/2/lerningRate');
    assert.equal(issue.message, "unknown key 'lerningRate' (allowed: label, type, precondition, learningRate) - did you mean 'learningRate'?");
    assert.equal(issue.line, lineOf(text, '"lerningRate"'));
  });

  test('wrong type', () => {
    const { text, issues } = issuesOf({ ...base(), target: { metric: 'loss', value: '0.01' } });
    const issue = only(issues);
    assert.equal(issue.path, '/target/value');
    assert.equal(issue.message, 'expected number, got string');
    assert.equal(issue.line, lineOf(text, '"0.01"'));
  });

  test('wrong type of a grid and of an integer', () => {
    const json: Record<string, unknown> = { ...base(), logPoints: 2.5 };
    (json.optimizers as Record<string, unknown>[])[0].learningRate = 'big';
    const { issues } = issuesOf(json);
    assert.deepEqual(
      issues.map((i) => [i.path, i.message]),
      [
        ['/optimizers/0/learningRate', 'expected number, array or object, got string'],
        ['/logPoints', 'expected integer, got 2.5'],
      ],
    );
  });

  test('bad enum lists the allowed values', () => {
    const json = base();
    (json.optimizers as Record<string, unknown>[])[0].type = 'adam';
    const { text, issues } = issuesOf(json);
    const issue = only(issues);
    assert.equal(issue.path, '/optimizers/0/type');
    assert.equal(issue.message, "expected one of 'sgd', 'momentum', 'ema', got 'adam'");
    assert.equal(issue.line, lineOf(text, '"adam"'));

    const metric = only(issuesOf({ ...base(), target: { metric: 'accuracy', value: 1 } }).issues);
    assert.deepEqual([metric.path, metric.message], ['/target/metric', "expected 'loss', got 'accuracy'"]);
  });

  test('missing optimizer type', () => {
    const json = base();
    (json.optimizers as object[]).push({ label: 'x' });
    const issue = only(issuesOf(json).issues);
    assert.deepEqual([issue.path, issue.message], ['/optimizers/2', "missing required key 'type' (one of 'sgd', 'momentum', 'ema')"]);
  });

  test('missing required top-level key', () => {
    const { name: _name, ...json } = base();
    const issue = only(issuesOf(json).issues);
    assert.deepEqual([issue.path, issue.message, issue.line], ['', "missing required key 'name'", 1]);
  });

  test('empty optimizers', () => {
    const { text, issues } = issuesOf({ ...base(), optimizers: [] });
    const issue = only(issues);
    assert.deepEqual([issue.path, issue.message], ['/optimizers', 'must not be empty']);
    assert.equal(issue.line, lineOf(text, '"optimizers"'));
  });

  test('momentum on sgd, decay on momentum', () => {
    const json = base();
    const optimizers = json.optimizers as Record<string, unknown>[];
    optimizers[0].momentum = 0.9;
    optimizers[1].decay = 0.9;
    const { text, issues } = issuesOf(json);
    assert.deepEqual(
      issues.map((i) => [i.path, i.message, i.line]),
      [
        ['/optimizers/0/momentum', "optimizer 'sgd' has no option 'momentum'", lineOf(text, '"momentum": 0.9')],
        ['/optimizers/1/decay', "optimizer 'momentum' has no option 'decay'", lineOf(text, '"decay"')],
      ],
    );
  });

  test('duplicate label, explicit and by default', () => {
    const json = base();
    const optimizers = json.optimizers as Record<string, unknown>[];
    optimizers[1].label = 'SGD';
    optimizers.push({ type: 'momentum' }, { type: 'momentum', label: 'Momentum 2' });
    const { text, issues } = issuesOf(json);
    assert.deepEqual(
      issues.map((i) => [i.path, i.line]),
      [
        ['/optimizers/1/label', lineOf(text, '"label": "SGD"')],
      ],
    );
    assert.equal(issues[0].message, "duplicate label 'SGD', also used by /optimizers/0");

    optimizers[1].label = 'M';
    optimizers.push({ type: 'sgd', precondition: 0 });
    const byDefault = only(issuesOf(json).issues);
    assert.equal(byDefault.path, '/optimizers/4');
    assert.match(byDefault.message, /^duplicate label 'SGD', also used by \/optimizers\/0 \(the default label/);
  });

  test('zero and negative learning rates', () => {
    const json = base();
    const optimizers = json.optimizers as Record<string, unknown>[];
    optimizers[0].learningRate = [0.1, 0, -1];
    optimizers[1].learningRate = { linspace: [0, 1, 11] };
    const { text, issues } = issuesOf(json);
    assert.deepEqual(
      issues.map((i) => [i.path, i.message]),
      [
        ['/optimizers/0/learningRate/1', 'learning rate must be > 0, got 0'],
        ['/optimizers/0/learningRate/2', 'learning rate must be > 0, got -1'],
        ['/optimizers/1/learningRate', 'learning rate must be > 0, but linspace(0, 1, 11) gives 0 (value 1 of 11)'],
      ],
    );
    assert.equal(issues[0].line, lineOf(text, '0,', text.indexOf('0.1')));
    assert.ok(issues.every((i) => typeof i.line === 'number' && typeof i.column === 'number'));
  });

  test('momentum outside [0, 1)', () => {
    const json = base();
    (json.optimizers as Record<string, unknown>[])[1].momentum = { oneMinusLogspace: [-5, 1, 20] };
    const issue = only(issuesOf(json).issues);
    assert.equal(issue.path, '/optimizers/1/momentum');
    assert.match(issue.message, /^momentum must be in \[0, 1\), but oneMinusLogspace\(-5, 1, 20\) gives -0\.\d+ \(value 17 of 20\)$/);
    const single = only(issuesOf({ ...base(), optimizers: [{ type: 'momentum', momentum: 1 }] }).issues);
    assert.deepEqual([single.path, single.message], ['/optimizers/0/momentum', 'momentum must be in [0, 1), got 1']);
  });

  test('grid ranges: shape, count, one key', () => {
    const json = base();
    const optimizers = json.optimizers as Record<string, unknown>[];
    optimizers[0].learningRate = { logspace: [-5, 0] };
    optimizers[1].momentum = { logspace: [-1, 0, 3], linspace: [0, 1, 3] };
    optimizers.push({ type: 'sgd', label: 'z', learningRate: { logspace: [-5, 0, 0] } });
    assert.deepEqual(
      issuesOf(json).issues.map((i) => [i.path, i.message]),
      [
        ['/optimizers/0/learningRate/logspace', 'expected [start, stop, count], got 2 items'],
        ['/optimizers/1/momentum', 'expected exactly one of logspace, linspace, oneMinusLogspace, got logspace, linspace'],
        ['/optimizers/2/learningRate/logspace/2', 'must be >= 1, got 0'],
      ],
    );
  });

  test('grid product over the point limit', () => {
    const json = { ...base(), optimizers: [{ type: 'momentum', learningRate: { logspace: [-8, 1, 1000] }, momentum: { linspace: [0, 0.9, 101] } }] };
    const issue = only(issuesOf(json).issues);
    assert.equal(issue.path, '/optimizers/0');
    assert.equal(issue.message, 'grid has 101000 points (learningRate 1000 × momentum 101), more than the limit of 100000 per optimizer');
    const huge = only(issuesOf({ ...base(), optimizers: [{ type: 'sgd', learningRate: { logspace: [-8, 1, 1e9] } }] }).issues);
    assert.equal(huge.path, '/optimizers/0/learningRate');
  });

  test('batch sizes: duplicates, empty powers-of-two range, non-positive', () => {
    const dup = only(issuesOf({ ...base(), batchSizes: [8, 16, 8] }).issues);
    assert.deepEqual([dup.path, dup.message], ['/batchSizes/2', 'duplicate batch size 8, also at /batchSizes/0']);
    const empty = only(issuesOf({ ...base(), batchSizes: { powersOf2: { from: 5, to: 3 } } }).issues);
    assert.deepEqual([empty.path, empty.message], ['/batchSizes/powersOf2', 'expands to no batch sizes: from (5) is greater than to (3)']);
    const zero = only(issuesOf({ ...base(), batchSizes: [0, 4] }).issues);
    assert.deepEqual([zero.path, zero.message], ['/batchSizes/0', 'must be >= 1, got 0']);
    const big = only(issuesOf({ ...base(), batchSizes: { powersOf2: { from: 0, to: 41 } } }).issues);
    assert.deepEqual([big.path, big.message], ['/batchSizes/powersOf2/to', 'must be <= 40, got 41']);
  });

  test('all problems are reported at once, in file order, in Error.message', () => {
    const json: Record<string, unknown> = { ...base(), lerningRate: 1 };
    (json.problem as Record<string, unknown>).dim = 'ten';
    (json.optimizers as Record<string, unknown>[])[0].momentum = 0.9;
    const { text, issues, error } = issuesOf(json);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['/problem/dim', '/optimizers/0/momentum', '/lerningRate'],
    );
    const lines = error.message.split('\n');
    assert.equal(lines[0], 'case.optlab.json: invalid experiment file (3 problems)');
    assert.equal(lines[1], `case.optlab.json:${lineOf(text, '"ten"')}:12 /problem/dim: expected integer, got string`);
    assert.equal(lines.length, 4);
  });

  test('validateExperiment without source text has paths but no lines', () => {
    assert.throws(
      () => validateExperiment({ ...base(), seed: 'x' }, 'f.json'),
      (e: unknown) => e instanceof ExperimentError && e.issues[0].path === '/seed' && e.issues[0].line === undefined && e.message.includes('f.json /seed: expected integer, got string'),
    );
    const root = only(issuesOf('[1]').issues);
    assert.deepEqual([root.path, root.message, root.line], ['', 'expected object, got array', 1]);
  });
});

describe('malformed JSON and missing files', () => {
  test('malformed JSON names line and column and what was expected', () => {
    const text = '{\n  "name": "x",\n  "optimizers": [\n    { "type": "sgd", }\n  ]\n}\n';
    const { issues, error } = issuesOf(text);
    const issue = only(issues);
    assert.deepEqual([issue.line, issue.column], [4, 22]);
    assert.equal(issue.message, "unexpected '}' at 4:22, expected a property name in double quotes (trailing commas are not allowed)");
    assert.match(error.message, /^case\.optlab\.json: invalid JSON \(1 problem\)\ncase\.optlab\.json:4:22: unexpected '}'/);
  });

  test('other syntax errors', () => {
    const cases: [string, string][] = [
      ['{"a": }', "unexpected '}' at 1:7, expected a value"],
      ['{"a": 1\n "b": 2}', "unexpected '\"' at 2:2, expected ',' or '}' (missing comma?)"],
      ['[1, 2', "unexpected end of input at 1:6, expected ',' or ']'"],
      ['', 'unexpected end of input at 1:1, expected a value'],
      ['{"a": 01}', "invalid number '01' at 1:7"],
      ['{"a": "x', 'unterminated string at 1:7'],
      ["{'a': 1}", "unexpected ''' at 1:2, expected a property name in double quotes (JSON strings use double quotes)"],
      ['{"a": 1} // note', "unexpected '/' at 1:10, expected end of input (comments are not allowed in JSON)"],
      ['{"a": NaN}', "unexpected 'NaN' at 1:7, expected a value"],
      ['{"a": "\\x"}', "invalid escape '\\x' in string at 1:8"],
      ['{"a": 1, "a": 2}', "duplicate key 'a' at 1:10 (first defined at 1:2)"],
    ];
    for (const [text, message] of cases) assert.equal(only(issuesOf(text).issues).message, message, text);
  });

  test('missing file', () => {
    const file = path.join(tmpdir(), 'optlab-no-such-dir', 'absent.optlab.json');
    assert.throws(
      () => loadExperiment(file),
      (e: unknown) => e instanceof ExperimentError && e.issues[0].message === `file not found: ${file}` && e.message.startsWith(file),
    );
  });

  test('loads from disk with the file name in messages', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'optlab-exp-'));
    try {
      const file = path.join(dir, 'bad.optlab.json');
      writeFileSync(file, JSON.stringify({ ...base(), seed: 'x' }, null, 2));
      assert.throws(() => loadExperiment(file), (e: unknown) => e instanceof ExperimentError && e.message.startsWith(`${file}: invalid experiment file`) && e.message.includes(`${file}:`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('json-locate', () => {
  test('parses like JSON.parse and locates keys and values', () => {
    const text = readFileSync(examplePath, 'utf8');
    const doc = parseJsonWithLocation(text, examplePath);
    assert.deepEqual(doc.value, JSON.parse(text));
    const key = doc.locate('/optimizers/4/momentum', 'key')!;
    const value = doc.locate('/optimizers/4/momentum')!;
    assert.equal(key.start.line, value.start.line);
    assert.equal(text.slice(key.start.offset, key.end.offset), '"momentum"');
    assert.equal(text.slice(value.start.offset, value.end.offset), '{ "oneMinusLogspace": [-5, 0, 20] }');
    // Absent pointers fall back to the nearest ancestor.
    assert.deepEqual(doc.locate('/optimizers/4/nothing/here'), doc.locate('/optimizers/4'));
  });

  test('escaped pointers, CRLF, BOM, __proto__, unicode escapes', () => {
    const text = '\uFEFF{\r\n  "a/b": {"~x": 1},\r\n  "__proto__": "\\u00e9\\n"\r\n}';
    const doc = parseJsonWithLocation(text);
    const value = doc.value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, 'é\n');
    assert.deepEqual(doc.locate('/a~1b/~0x')?.start, { line: 2, column: 17, offset: 20 });
    assert.equal(doc.locate('/__proto__', 'key')?.start.line, 3);
  });
});

describe('grid expansion', () => {
  test('logspace matches numpy.logspace(-5, 0.5, 100)', () => {
    const g = expandGrid({ logspace: [-5, 0.5, 100] });
    assert.equal(g.length, 100);
    assert.equal(g[0], 9.999999999999999e-6); // numpy.logspace(-5, 0.5, 100)[0]
    assert.equal(g[99], 10 ** 0.5);
    assert.equal(g[99], 3.1622776601683795);
    assert.equal(g[37], 0.0011364636663857243); // numpy value
    // The exponents are exactly numpy.linspace(-5, 0.5, 100).
    const e = linspace(-5, 0.5, 100);
    assert.deepEqual([e[1], e[37], e[98], e[99]], [-4.944444444444445, -2.9444444444444446, 0.44444444444444375, 0.5]);
    const m = linspace(-8, 1, 100);
    assert.deepEqual([m[1], m[37], m[98]], [-7.909090909090909, -4.636363636363637, 0.9090909090909101]);
  });

  test('oneMinusLogspace(-5, 0, 20) runs from 0.99999 to 0', () => {
    const g = expandGrid({ oneMinusLogspace: [-5, 0, 20] });
    assert.equal(g.length, 20);
    assert.equal(g[0], 0.99999);
    assert.equal(g[5], 0.9997930861918886); // numpy value
    assert.equal(g[19], 0);
    for (let i = 1; i < 20; i++) assert.ok(g[i] < g[i - 1]);
  });

  test('linspace, single points, numbers and lists', () => {
    assert.deepEqual(expandGrid({ linspace: [0, 1, 5] }), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(expandGrid({ linspace: [0.1, 0.7, 3] })[2], 0.7); // last value exactly stop
    assert.deepEqual(expandGrid({ logspace: [-2, 5, 1] }), [0.01]);
    assert.deepEqual(expandGrid({ oneMinusLogspace: [-3, 0, 1] }), [0.999]);
    assert.deepEqual(expandGrid(0.5), [0.5]);
    const list = [0.3, 0.1];
    const copy = expandGrid(list);
    assert.deepEqual(copy, list);
    assert.notEqual(copy, list);
  });

  test('batch sizes', () => {
    assert.deepEqual(expandBatchSizes({ powersOf2: { from: 2, to: 20, step: 2 } }), [4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576]);
    assert.deepEqual(expandBatchSizes({ powersOf2: { from: 0, to: 4 } }), [1, 2, 4, 8, 16]);
    assert.deepEqual(expandBatchSizes({ powersOf2: { from: 3, to: 3 } }), [8]);
    assert.deepEqual(expandBatchSizes({ powersOf2: { from: 1, to: 6, step: 2 } }), [2, 8, 32]);
    assert.deepEqual(expandBatchSizes([32, 64]), [32, 64]);
  });
});
