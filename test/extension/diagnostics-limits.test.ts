// The extension validates experiment files on its main thread on every edit: a file over the size
// limit gets one diagnostic naming the limit, and no outline, without being parsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_EXPERIMENT_FILE_BYTES } from '../../engine/src/spec/limits';
import { experimentDiagnostics } from '../../extension/src/editor/diagnostic-ranges';
import { outlineExperiment } from '../../extension/src/editor/experiment-outline';

const huge = `{"name": "big", "batchSizes": [${'1,'.repeat(MAX_EXPERIMENT_FILE_BYTES)}1]}`;

test('a file over MAX_EXPERIMENT_FILE_BYTES: one diagnostic on the first line naming the limit', () => {
  const diagnostics = experimentDiagnostics(huge, '/ws/big.optlab.json');
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics.map((d) => d.message)));
  assert.match(diagnostics[0].message, new RegExp(`more than the limit of ${MAX_EXPERIMENT_FILE_BYTES} .*MAX_EXPERIMENT_FILE_BYTES`));
  assert.equal(diagnostics[0].path, '');
  assert.equal(diagnostics[0].start.line, 0);
});

test('a file over the limit has no outline (no CodeLens, no run count)', () => {
  const outline = outlineExperiment(huge);
  assert.deepEqual(outline, { entries: [], batchSizes: [] });
});
