import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CriticalBatchReport } from '../../engine/src/analysis/report-types';
import { cancelledText, failedText, finishedText, firstProblemPosition } from '../../extension/src/commands/outcome-text';
import { entryDecorationText, lastResultSummary, lossSeries } from '../../extension/src/editor/inline-text';
import { crashMessage } from '../../extension/src/engine/crash-message';
import type { SessionOutcome } from '../../extension/src/engine/session-book';
import { escapeMarkdown, formatCount, formatDuration, formatNumber } from '../../extension/src/model/format';
import { flattenConfig, toRunInfo } from '../../extension/src/model/run-info';
import { curve, record } from './fixtures';

const report = (optimizer: string, bCrit: number | null): CriticalBatchReport => ({
  optimizer, type: 'sgd', precondition: 0, points: [], sMin: bCrit === null ? null : 100, eMin: null, bCrit, bCritInterval: null, bCritIntervalMethod: null, extrapolated: false, incompleteBatchSizes: [], status: bCrit === null ? 'error' : 'ok', warnings: [], slopes: [], ...(bCrit === null && { error: 'too few points' }),
});

describe('inline texts in the editor', () => {
  test('decoration: sparkline of the loss and steps at the batch size', () => {
    const run = record({ batchSize: 1048576, summary: { stepsToTarget: 1366 } });
    const text = entryDecorationText(run, curve(50));
    const [line, ...rest] = text.split('  ');
    assert.equal([...line].length, 16);
    assert.equal([...line][0], '█', 'the loss falls from the top');
    assert.equal([...line][15], '▁');
    assert.equal(rest.join('  '), '1,366 steps at B=1048576');
    assert.equal(entryDecorationText(record({ batchSize: 4, summary: { stepsToTarget: null } }), []), 'target not reached at B=4');
    assert.equal(entryDecorationText(undefined, undefined), '');
    assert.equal(entryDecorationText(undefined, undefined, { running: 3, total: 10 }), '(running 7/10)');
  });

  test('loss series: rows without loss are skipped, non-numbers become gaps', () => {
    assert.deepEqual(lossSeries([{ step: 1, loss: 2 }, { step: 2 }, { step: 3, loss: 'NaN' }]), [2, Number.NaN]);
  });

  test('CodeLens summary: runs, B_crit of the first two fitted optimizers, age', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    const latest = [record({ endedAt: '2026-01-01T00:57:00Z' }), record({ endedAt: '2026-01-01T00:55:00Z' })];
    const text = lastResultSummary(latest, [report('SGD', 800.5), report('EMA', null), report('SGD p=0.5', 17860), report('Momentum', 32520)], now);
    assert.equal(text, 'last run: 2 runs · B_crit SGD 801, SGD p=0.5 17900 … · 3 min ago');
    assert.equal(lastResultSummary([], []), undefined);
  });
});

describe('notification texts', () => {
  const base: SessionOutcome = { requestId: 's', result: 'finished', runIds: ['a', 'b'], file: '/ws/nqm.optlab.json', experiment: 'nqm', durationMs: 4200 };

  test('finished: runs, time, B_crit, findings, unreached targets', () => {
    const text = finishedText({
      ...base,
      finished: {
        type: 'experimentFinished', requestId: 's', experiment: 'nqm',
        runs: [
          { id: 'a', label: 'SGD', optimizer: 'sgd', batchSize: 4, status: 'completed', stepsToTarget: 10, hyperparameters: {} },
          { id: 'b', label: 'SGD', optimizer: 'sgd', batchSize: 8, status: 'completed', stepsToTarget: null, hyperparameters: {} },
        ],
        criticalBatchSize: [report('SGD', 800.5), report('EMA', null)],
        findings: [{ claim: 'c', evidence: 'e', holds: true }, { claim: 'c', evidence: 'e', holds: false }, { claim: 'c', evidence: 'e', holds: null }],
      },
    });
    assert.equal(text, "nqm: 2 runs finished in 4.2 s. B_crit: SGD 801. No fit for EMA (too few points). 1 of 2 of the paper's findings agree. 1 run did not reach the target.");
  });

  test('cancelled and failed', () => {
    assert.equal(cancelledText({ ...base, result: 'cancelled' }, 5), 'nqm: cancelled after 4.2 s. 5 finished runs kept; the unfinished ones are marked cancelled.');
    const failed = failedText({ ...base, result: 'failed', experiment: undefined, message: '/ws/nqm.optlab.json: invalid experiment file (2 problems)\n/ws/nqm.optlab.json:7:5 /optimizers/0: bad\n/ws/nqm.optlab.json:8:7 x' });
    assert.equal(failed, 'nqm failed: /ws/nqm.optlab.json: invalid experiment file (2 problems) /ws/nqm.optlab.json:7:5 /optimizers/0: bad (+2 more lines in the engine log)');
    assert.deepEqual(firstProblemPosition('/ws/nqm.optlab.json:7:5 /optimizers/0: bad', '/ws/nqm.optlab.json'), { line: 7, column: 5 });
    assert.equal(firstProblemPosition('nothing here', '/ws/nqm.optlab.json'), undefined);
  });

  test('crash: what died, which runs were marked, that their metrics are kept', () => {
    const text = crashMessage({
      pid: 4242, code: null, signal: 'SIGKILL', stderrTail: ['FATAL ERROR: heap out of memory'], markErrors: [],
      sessions: [{ requestId: 's', file: '/ws/nqm.optlab.json', experiment: 'nqm', crashed: [{ id: 'a', label: 'SGD' }, { id: 'b', label: 'EMA' }], finishedRuns: 7 }],
    });
    assert.equal(text, 'The OptLab engine stopped unexpectedly (signal SIGKILL, pid 4242). 2 unfinished runs were marked crashed (2 of nqm); the metrics they recorded are kept. 7 finished runs are unaffected. Last engine error: FATAL ERROR: heap out of memory');
    assert.equal(crashMessage({ pid: 1, code: 3, signal: null, stderrTail: [], markErrors: [], sessions: [] }), 'The OptLab engine stopped unexpectedly (exit code 3, pid 1).');
  });
});

describe('formatting and run info', () => {
  test('numbers', () => {
    assert.equal(formatNumber(800.5), '801');
    assert.equal(formatNumber(17860), '17900');
    assert.equal(formatNumber(136700), '1.37e5');
    assert.equal(formatNumber(1e-5, 4), '1e-5');
    assert.equal(formatNumber(0.000123), '1.23e-4');
    assert.equal(formatNumber(Number.NaN), 'NaN');
    assert.equal(formatNumber(Number.POSITIVE_INFINITY), '∞');
    assert.equal(formatCount(1048576), '1,048,576');
    assert.equal(formatDuration(4200), '4.2 s');
    assert.equal(formatDuration(125_000), '2 min 5 s');
    assert.equal(escapeMarkdown('a*b_[c]'), 'a\\*b\\_\\[c\\]');
  });

  test('config flattened to dotted keys, long grids summarised, bookkeeping dropped', () => {
    const flat = flattenConfig({ problem: { dim: 100, noise: { power: 1 } }, optimizer: { learningRates: Array.from({ length: 100 }, (_, i) => 10 ** (i / 10 - 5)), momenta: [0.9, 0.99] }, empty: {}, none: null });
    assert.equal(flat['problem.dim'], 100);
    assert.equal(flat['problem.noise.power'], 1);
    assert.equal(flat['optimizer.momenta'], '[0.9,0.99]');
    assert.equal(flat['optimizer.learningRates'], '100 values, 1e-5 … 79430');
    assert.equal(flat.empty, '{}');
    assert.equal(flat.none, null);
    const info = toRunInfo(record({ id: 'x', label: 'SGD', batchSize: 4, config: { batchSize: 4, optimizer: { label: 'SGD', pointer: '/optimizers/0', type: 'sgd' } } }));
    assert.equal(info.id, 'x');
    assert.equal(info.batchSize, 4);
    assert.deepEqual(info.config, { batchSize: 4, 'optimizer.type': 'sgd' });
  });
});
