// Fuzz test of experiment files: a few thousand seeded cases (mutated examples/*.optlab.json,
// random JSON, broken text), each of which must give a clear error (a SpecError with JSON paths and
// the file's name, never a TypeError or a stack) or a valid resolved experiment that can be planned;
// never a crash or a hang (each case has its own time limit). A sample of the valid NQM cases,
// shrunk to tiny dimensions, is actually run against a temp store, and nothing is written anywhere
// else. OPTLAB_FUZZ_SEED and OPTLAB_FUZZ_CASES replay or widen it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { expandGrid } from '../../engine/src/experiment/grid';
import { loadExperiment } from '../../engine/src/experiment/load';
import type { GridSpec } from '../../engine/src/experiment/types';
import { runExperiment } from '../../engine/src/runner';
import { RunStore } from '../../engine/src/store';
import { fuzzCase } from './experiment-fuzz-cases';

const SEED = Number(process.env.OPTLAB_FUZZ_SEED ?? 20261207);
const CASES = Number(process.env.OPTLAB_FUZZ_CASES ?? 3000);
/** One case may take this long; the slowest seen is about 1.4 s (the first, compiling the schema, on a busy machine). */
const CASE_TIMEOUT_MS = 15_000;
const ROOT = path.resolve(__dirname, '../..');

interface Violation {
  index: number;
  violation: string;
  text: string;
}

function runCases(from: number, to: number): Promise<{ counts: Record<string, number>; violations: Violation[]; validNqm: number[] }> {
  const tsx = require.resolve('tsx/cjs/api');
  const source = path.join(__dirname, 'experiment-fuzz-worker.ts');
  const worker = new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, { eval: true, workerData: { seed: SEED, from, to } });
  const violations: Violation[] = [];
  return new Promise((resolve, reject) => {
    let current = -1;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        const text = current >= 0 ? fuzzCase(SEED, current).slice(0, 1500) : '';
        reject(new Error(`fuzz case ${current} (seed ${SEED}) did not finish within ${CASE_TIMEOUT_MS} ms:\n${text}`));
      }, CASE_TIMEOUT_MS);
    };
    arm();
    worker.on('message', (m: { type: string; index?: number; counts?: Record<string, number>; validNqm?: number[] } & Partial<Violation>) => {
      if (m.type === 'case') {
        current = m.index!;
        arm();
      } else if (m.type === 'violation') violations.push(m as Violation);
      else if (m.type === 'done') {
        clearTimeout(timer);
        void worker.terminate();
        resolve({ counts: m.counts!, violations, validNqm: m.validNqm! });
      }
    });
    worker.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`the fuzz worker crashed at case ${current} (seed ${SEED}): ${err.stack ?? String(err)}`));
    });
  });
}

// Every case runs in the worker (where a hang can be stopped); both tests read its result.
const fuzzed = runCases(0, CASES);
fuzzed.catch(() => undefined); // reported by the tests that await it

test(`${CASES} experiment files (seed ${SEED}): a clear error or a valid experiment, each within ${CASE_TIMEOUT_MS / 1000} s`, async () => {
  const { counts, violations } = await fuzzed;
  const shown = violations
    .slice(0, 5)
    .map((v) => `case ${v.index} (seed ${SEED}): ${v.violation}\n  input: ${v.text.slice(0, 400)}`)
    .join('\n\n');
  assert.equal(violations.length, 0, `${violations.length} of ${CASES} cases misbehaved:\n${shown}`);
  // The generator must reach both sides: a fuzzer whose every case is rejected tests little.
  assert.ok(counts.valid >= CASES * 0.02, `only ${counts.valid} valid cases of ${CASES}`);
  assert.ok(counts.error >= CASES * 0.5, `only ${counts.error} rejected cases of ${CASES}`);
});

/** A valid NQM case made tiny: small dim and bins, two batch sizes, two optimizers of two grid points each. */
function shrink(raw: Record<string, unknown>): Record<string, unknown> {
  const p = raw.problem as Record<string, unknown>;
  const batchSizes = raw.batchSizes;
  const sizes = Array.isArray(batchSizes) ? batchSizes.slice(0, 2) : [4, 64];
  const optimizers = (raw.optimizers as Record<string, unknown>[]).slice(0, 2).map((o) => {
    const out: Record<string, unknown> = { ...o };
    for (const key of ['learningRate', 'momentum', 'decay']) if (out[key] !== undefined) out[key] = expandGrid(out[key] as GridSpec).slice(0, 2);
    return out;
  });
  return {
    ...raw,
    problem: { ...p, dim: Math.min(Number(p.dim ?? 100), 200), bins: Math.min(Number(p.bins ?? 20), 20) },
    batchSizes: sizes,
    optimizers,
    logPoints: 20,
  };
}

function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('a sample of the valid NQM cases, shrunk, runs against a temp store and writes nowhere else', async () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-fuzz-'));
  const rootBefore = fs.readdirSync(ROOT).sort();
  try {
    const { validNqm } = await fuzzed;
    const sample = validNqm.map((index) => shrink(JSON.parse(fuzzCase(SEED, index)) as Record<string, unknown>));
    assert.ok(sample.length >= 3, `only ${sample.length} valid NQM cases to run`);
    const store = path.join(workspace, 'store');
    let runs = 0;
    for (const [i, json] of sample.entries()) {
      const file = path.join(workspace, `case-${i}.optlab.json`);
      fs.writeFileSync(file, JSON.stringify(json));
      const exp = loadExperiment(file);
      const result = await runExperiment(exp, new RunStore(store), { workers: 1 });
      for (const run of result.runs) assert.ok(['completed', 'diverged'].includes(run.status), `case ${i}: run ${run.id} is ${run.status}`);
      runs += result.runs.length;
    }
    // Only the experiment files and the store, which holds only runs, experiment results and the
    // heartbeat files of the processes that own runs.
    assert.deepEqual(fs.readdirSync(workspace).sort(), [...sample.map((_, i) => `case-${i}.optlab.json`), 'store'].sort());
    assert.deepEqual(fs.readdirSync(store).sort(), ['experiments', 'owners', 'runs']);
    assert.equal(fs.readdirSync(path.join(store, 'runs')).length, runs);
    assert.ok(tree(path.join(store, 'runs')).every((f) => /^[^/]+(\/(run\.json|metrics\.jsonl))?$/.test(f)), tree(path.join(store, 'runs')).join('\n'));
    assert.deepEqual(fs.readdirSync(ROOT).sort(), rootBefore, 'nothing new in the repository folder (the working folder)');
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
});
