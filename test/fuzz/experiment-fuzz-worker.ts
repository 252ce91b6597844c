// Runs fuzz cases [from, to) of a seed in a worker thread and reports each case as it starts, so
// the test that started it can stop a case that hangs (a synchronous parse cannot be interrupted).
import { parentPort, workerData } from 'node:worker_threads';
import { checkCase, fuzzCase } from './experiment-fuzz-cases';

const { seed, from, to } = workerData as { seed: number; from: number; to: number };
const counts = { valid: 0, error: 0, violation: 0 };
/** The first valid NQM cases, for the test that runs a sample. */
const validNqm: number[] = [];
for (let index = from; index < to; index++) {
  parentPort!.postMessage({ type: 'case', index });
  const text = fuzzCase(seed, index);
  const result = checkCase(text);
  if ('violation' in result) {
    counts.violation += 1;
    parentPort!.postMessage({ type: 'violation', index, violation: result.violation, text: text.slice(0, 1500) });
  } else {
    counts[result.outcome] += 1;
    if (result.experiment?.problem.type === 'nqm' && validNqm.length < 6) validNqm.push(index);
  }
}
parentPort!.postMessage({ type: 'done', counts, validNqm });
