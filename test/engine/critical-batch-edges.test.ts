// Edge cases of the critical-batch fit found by `npm run mutation` (each a surviving mutant):
// a single run that missed the target is reported as such ('no-target-reached'), not as too few
// points; a warning quotes step counts to 4 significant digits. Kept apart from critical-batch.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CriticalBatchError, fitCriticalBatch } from '../../engine/src/analysis/critical-batch.js';

test('one run that did not reach the target: no-target-reached [guards: all.length > 0 -> > 1]', () => {
  assert.throws(
    () => fitCriticalBatch([{ batchSize: 64, steps: null }]),
    (err: unknown) => err instanceof CriticalBatchError && err.code === 'no-target-reached' && /none of the 1 runs/.test(err.message),
  );
});

test('step counts in a warning print with 4 significant digits [guards: critical-batch.ts:197 toPrecision(4) -> 5]', () => {
  const fit = fitCriticalBatch([{ batchSize: 16, steps: 12.3456 }, { batchSize: 64, steps: 20.5 }, { batchSize: 256, steps: 5 }]);
  assert.ok(fit.warnings.some((w) => w.includes('16 -> 64 (12.35 -> 20.50 steps)')), fit.warnings.join(' | '));
});
