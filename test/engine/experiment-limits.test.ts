// Size limits of experiment files (engine/src/spec/limits.ts): each refused before anything is
// allocated, with a message naming the JSON path and the limit; and the locating parser, whose
// memory does not grow with the number of values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseJsonWithLocation } from '../../engine/src/experiment/json-locate';
import { loadExperiment, parseExperiment } from '../../engine/src/experiment/load';
import { ExperimentError, type ExperimentIssue, validateExperiment } from '../../engine/src/experiment/validate';
import { buildProblem, NqmSpecError, REFERENCE_NQM } from '../../engine/src/nqm/model';
import {
  MAX_BATCH_SIZES, MAX_EXPERIMENT_FILE_BYTES, MAX_JSON_DEPTH, MAX_NEURAL_TRIALS, MAX_NQM_DIM, MAX_NQM_EVALUATIONS, MAX_NQM_MODES, MAX_OPTIMIZERS, MAX_REPORTED_ISSUES,
} from '../../engine/src/spec/limits';

function nqm(patch: Record<string, unknown> = {}, problem: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'limits',
    problem: { type: 'nqm', dim: 100, ...problem },
    target: { metric: 'loss', value: 0.01 },
    batchSizes: [1, 2, 4],
    optimizers: [{ type: 'sgd', learningRate: [0.1, 0.5] }],
    ...patch,
  };
}

function rejected(input: unknown): { issues: ExperimentIssue[]; message: string } {
  const text = typeof input === 'string' ? input : JSON.stringify(input, null, 1);
  try {
    parseExperiment(text, 'case.optlab.json');
  } catch (error) {
    assert.ok(error instanceof ExperimentError, `expected ExperimentError, got ${String(error)}`);
    return { issues: error.issues, message: error.message };
  }
  assert.fail('expected the file to be rejected');
}

function issueAt(issues: ExperimentIssue[], pointer: string, pattern: RegExp): ExperimentIssue {
  const hit = issues.find((i) => i.path === pointer && pattern.test(i.message));
  assert.ok(hit, `expected an issue at ${pointer} matching ${pattern}, got ${JSON.stringify(issues)}`);
  return hit;
}

describe('NQM size limits', () => {
  test('dim 1e9 (once 23 GB, then killed): refused at /problem/dim naming MAX_NQM_DIM', () => {
    const { issues } = rejected(nqm({}, { dim: 1e9, bins: 0 }));
    issueAt(issues, '/problem/dim', new RegExp(`limit of ${MAX_NQM_DIM} \\(MAX_NQM_DIM`));
  });

  test('unbinned with more modes than MAX_NQM_MODES: at /problem/dim; too many bins: at /problem/bins', () => {
    issueAt(rejected(nqm({}, { dim: MAX_NQM_MODES + 1, bins: 0 })).issues, '/problem/dim', /MAX_NQM_MODES/);
    issueAt(rejected(nqm({}, { dim: MAX_NQM_DIM, bins: MAX_NQM_MODES + 1 })).issues, '/problem/bins', /MAX_NQM_MODES/);
    // bins >= dim is unbinned: the dim is what counts.
    issueAt(rejected(nqm({}, { dim: MAX_NQM_MODES + 1, bins: MAX_NQM_MODES + 5 })).issues, '/problem/dim', /MAX_NQM_MODES/);
  });

  test('at the limits the file is accepted: dim MAX_NQM_DIM with 100 bins, MAX_NQM_MODES unbinned', () => {
    assert.equal(parseExperiment(JSON.stringify(nqm({}, { dim: MAX_NQM_DIM, bins: 100 }))).problem.type, 'nqm');
    assert.equal(parseExperiment(JSON.stringify(nqm({}, { dim: MAX_NQM_MODES, bins: 0 }))).problem.type, 'nqm');
  });

  test('optlab nqm builds the model through the same limits (NqmSpecError)', () => {
    assert.throws(() => buildProblem({ ...REFERENCE_NQM, dim: 1e9, bins: 0 }), (e: unknown) => e instanceof NqmSpecError && /MAX_NQM_DIM/.test(e.message));
    assert.throws(() => buildProblem({ ...REFERENCE_NQM, dim: MAX_NQM_MODES * 2, bins: 0 }), (e: unknown) => e instanceof NqmSpecError && /MAX_NQM_MODES/.test(e.message));
  });

  test('grid points x batch sizes over MAX_NQM_EVALUATIONS: at /optimizers', () => {
    const batchSizes = Array.from({ length: 40 }, (_, i) => i + 1);
    const optimizers = [{ type: 'momentum', learningRate: { logspace: [-3, 0, 1000] }, momentum: { linspace: [0, 0.9, 100] } }];
    assert.ok(1000 * 100 * 40 > MAX_NQM_EVALUATIONS);
    issueAt(rejected(nqm({ batchSizes, optimizers })).issues, '/optimizers', new RegExp(`${1000 * 100 * 40} grid points.*MAX_NQM_EVALUATIONS`));
  });
});

describe('batch sizes and trials', () => {
  test('10^6 batch sizes (once 19,982 run folders): one issue at /batchSizes naming MAX_BATCH_SIZES', () => {
    // A million duplicates (parsed JSON, past the file-size limit): one issue, not a million.
    const million = Array.from({ length: 1_000_000 }, () => 7);
    assert.throws(() => validateExperiment(nqm({ batchSizes: million })), (e: unknown) => e instanceof ExperimentError && e.issues.length === 1 && /1000000 batch sizes/.test(e.message));
    const small = Array.from({ length: MAX_BATCH_SIZES + 1 }, (_, i) => i + 1);
    const { issues } = rejected(nqm({ batchSizes: small }));
    assert.equal(issues.length, 1, JSON.stringify(issues));
    issueAt(issues, '/batchSizes', new RegExp(`${MAX_BATCH_SIZES + 1} batch sizes, more than the limit of ${MAX_BATCH_SIZES} \\(MAX_BATCH_SIZES\\)`));
    assert.equal(parseExperiment(JSON.stringify(nqm({ batchSizes: small.slice(0, MAX_BATCH_SIZES) }))).batchSizes.length, MAX_BATCH_SIZES);
  });

  test('more optimizer entries than MAX_OPTIMIZERS: that one issue, before the schema lists each entry', () => {
    const optimizers = Array.from({ length: MAX_OPTIMIZERS + 1 }, (_, i) => (i % 2 ? 7 : { type: 'sgd', learningRate: 0.1, label: `o${i}` }));
    const { issues } = rejected(nqm({ optimizers }));
    assert.equal(issues.length, 1, JSON.stringify(issues.slice(0, 3)));
    issueAt(issues, '/optimizers', new RegExp(`${MAX_OPTIMIZERS + 1} optimizer entries.*MAX_OPTIMIZERS`));
  });

  test('neural trials over MAX_NEURAL_TRIALS: at /optimizers naming the limit', () => {
    const file = {
      name: 'n',
      problem: { type: 'classification', data: { type: 'clusters' }, model: { type: 'mlp', hidden: [4] } },
      target: { metric: 'trainLoss', value: 0.1 },
      budget: { maxSteps: 10 },
      batchSizes: Array.from({ length: 50 }, (_, i) => i + 1),
      optimizers: [{ type: 'adam', learningRate: { logspace: [-4, -1, 500] } }],
    };
    assert.ok(50 * 500 > MAX_NEURAL_TRIALS);
    issueAt(rejected(file).issues, '/optimizers', /MAX_NEURAL_TRIALS/);
  });

  test('a million bad values: the error lists MAX_REPORTED_ISSUES of them and says how many more', () => {
    const learningRate = Array.from({ length: 2000 }, () => -1);
    const { issues, message } = rejected(nqm({ optimizers: [{ type: 'sgd', learningRate }] }));
    assert.equal(issues.length, MAX_REPORTED_ISSUES + 1);
    assert.match(issues[MAX_REPORTED_ISSUES].message, new RegExp(`and ${2000 - MAX_REPORTED_ISSUES} more problems`));
    assert.ok(message.split('\n').length <= MAX_REPORTED_ISSUES + 2);
  });
});

describe('file size and nesting', () => {
  test('a 50 MB array: refused before parsing, naming the file and MAX_EXPERIMENT_FILE_BYTES', () => {
    const text = `[${'1,'.repeat(25_000_000)}1]`;
    assert.throws(
      () => parseJsonWithLocation(text, 'big.optlab.json'),
      (e: unknown) => e instanceof ExperimentError && e.file === 'big.optlab.json' && /^big\.optlab\.json: /.test(e.message) && /MAX_EXPERIMENT_FILE_BYTES/.test(e.message) && e.issues[0].path === '',
    );
  });

  test('loadExperiment checks the size on disk before reading', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'optlab-limits-'));
    try {
      const file = path.join(dir, 'big.optlab.json');
      writeFileSync(file, `{"name": "${'x'.repeat(MAX_EXPERIMENT_FILE_BYTES)}"}`);
      assert.throws(() => loadExperiment(file), (e: unknown) => e instanceof ExperimentError && e.message.includes(file) && new RegExp(`limit of ${MAX_EXPERIMENT_FILE_BYTES}`).test(e.message));
      assert.throws(() => loadExperiment('/dev/zero'), (e: unknown) => e instanceof ExperimentError && /not a regular file: \/dev\/zero/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`nesting deeper than MAX_JSON_DEPTH: an error with the path where it goes too deep`, () => {
    const deep = `{"name": ${'['.repeat(MAX_JSON_DEPTH + 5)}${']'.repeat(MAX_JSON_DEPTH + 5)}}`;
    const { issues, message } = rejected(deep);
    assert.match(message, /MAX_JSON_DEPTH/);
    assert.equal(issues[0].path, `/name${'/0'.repeat(MAX_JSON_DEPTH - 1)}`);
    // One level less than the limit parses (and fails validation for other reasons).
    assert.doesNotThrow(() => parseJsonWithLocation(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`));
  });
});

describe('json-locate memory does not grow with the number of values', () => {
  // The old locator kept a Map entry (pointer string + spans) per value: about 150 bytes each.
  const COUNT = 100_000;
  const text = `{"a": [${Array.from({ length: COUNT }, (_, i) => i % 10).join(',\n')}], "b": {"c": "d"}}`;

  test('a pointer deep in a large array is located by scanning, exactly', () => {
    const doc = parseJsonWithLocation(text, 'large.json');
    const r = doc.locate(`/a/${COUNT - 1}`);
    assert.deepEqual(r?.start.line, COUNT);
    assert.equal(text.slice(r!.start.offset, r!.end.offset), String((COUNT - 1) % 10));
    const key = doc.locate('/b/c', 'key')!;
    assert.equal(text.slice(key.start.offset, key.end.offset), '"c"');
    // A missing pointer falls back to the nearest ancestor that exists (its value, not a key).
    const fallback = doc.locate(`/a/${COUNT + 5}/x`, 'key')!;
    assert.equal(fallback.start.offset, text.indexOf('['));
  });

  test('the parsed document retains little beyond the value itself (measured with gc)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const retained = (make: () => unknown): number => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const kept = make();
      gc();
      const used = process.memoryUsage().heapUsed - before;
      assert.ok(kept !== undefined);
      return used;
    };
    const plain = retained(() => JSON.parse(text));
    const located = retained(() => parseJsonWithLocation(text));
    // An index of every value would add ~COUNT x 150 bytes (15 MB); the locator may keep the text's
    // line starts (8 bytes per line) and nothing per value.
    assert.ok(located - plain < COUNT * 30, `parseJsonWithLocation retained ${located - plain} bytes more than JSON.parse for ${COUNT} values`);
  });
});
