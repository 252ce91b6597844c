// Inputs the fuzzer found (seeds 1 to 3) that crashed validation with a TypeError or took seconds;
// kept as fixed cases, since a seed change would stop reaching them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCase, EXAMPLES } from './experiment-fuzz-cases';

interface Doc {
  optimizers: Record<string, unknown>[];
  problem: { data: Record<string, unknown> };
}
const example = (name: string) => structuredClone(EXAMPLES.find((e) => (e as { name: string }).name === name)) as Doc;

function assertClearError(doc: unknown, path: string): void {
  const r = checkCase(JSON.stringify(doc, null, 2));
  assert.ok(!('violation' in r), 'violation' in r ? r.violation : '');
  const { outcome, paths } = r as { outcome: string; paths: string[] };
  assert.equal(outcome, 'error');
  assert.ok(paths.some((p) => p.startsWith(path)), `expected an issue at ${path}, got ${paths.join(', ')}`);
}

test('NQM learningRate null: a schema error, not a TypeError in the grid checks (seed 1, case 915)', () => {
  const doc = example('nqm-critical-batch');
  doc.optimizers[1].learningRate = null;
  assertClearError(doc, '/optimizers/1/learningRate');
});

test("an optimizer or dataset named 'constructor', 'toString' or '__proto__': unknown, not a TypeError (seeds 2 and 3)", () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const opt = example('quick-critical-batch');
    opt.optimizers[0].type = name;
    assertClearError(opt, '/optimizers/0/type');
    const data = example('quick-critical-batch');
    data.problem.data.type = name;
    assertClearError(data, '/problem/data/type');
    const option = example('quick-critical-batch');
    Object.defineProperty(option.problem.data, name, { value: 1, enumerable: true }); // '__proto__' as a key, as JSON has it
    assertClearError(option, `/problem/data/${name}`);
  }
});
