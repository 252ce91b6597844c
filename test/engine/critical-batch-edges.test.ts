// Edge cases of the critical-batch fit found by `npm run mutation` (each a surviving mutant):
// a single run that missed the target is reported as such ('no-target-reached'), not as too few
// points. Kept apart from critical-batch.test.ts, which the interval work is changing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CriticalBatchError, fitCriticalBatch } from '../../engine/src/analysis/critical-batch.js';

test('one run that did not reach the target: no-target-reached [guards: all.length > 0 -> > 1]', () => {
  assert.throws(
    () => fitCriticalBatch([{ batchSize: 64, steps: null }]),
    (err: unknown) => err instanceof CriticalBatchError && err.code === 'no-target-reached' && /none of the 1 runs/.test(err.message),
  );
});
