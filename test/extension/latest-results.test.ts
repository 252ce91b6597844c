import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalBatchFromRuns, latestResults, optimizerIdentity, resultAtLargestBatch, scalingRow } from '../../extension/src/model/latest-results';
import { record } from './fixtures';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe('latest results (what the critical-batch-size panel plots)', () => {
  test('the newest completed run per (label, batch size); a newer unfinished session does not hide it', () => {
    const old4 = record({ id: 'old4', label: 'SGD', batchSize: 4, createdAt: t(1) });
    const old16 = record({ id: 'old16', label: 'SGD', batchSize: 16, createdAt: t(1) });
    const new4 = record({ id: 'new4', label: 'SGD', batchSize: 4, createdAt: t(10) });
    const new16Running = record({ id: 'new16', label: 'SGD', batchSize: 16, createdAt: t(10), status: 'running' });
    const new16Cancelled = record({ id: 'new16c', label: 'SGD', batchSize: 16, createdAt: t(11), status: 'cancelled' });
    const picked = latestResults([old4, old16, new4, new16Running, new16Cancelled]).map((r) => r.id);
    assert.deepEqual(picked, ['new4', 'old16']);
  });

  test('ordered by the file\'s label order, then batch size ascending', () => {
    const runs = [
      record({ id: 'm64', label: 'Momentum', batchSize: 64 }),
      record({ id: 's64', label: 'SGD', batchSize: 64 }),
      record({ id: 'm4', label: 'Momentum', batchSize: 4 }),
      record({ id: 's4', label: 'SGD', batchSize: 4 }),
    ];
    assert.deepEqual(latestResults(runs, ['SGD', 'Momentum']).map((r) => r.id), ['s4', 's64', 'm4', 'm64']);
    assert.deepEqual(latestResults(runs, ['Momentum', 'SGD']).map((r) => r.id), ['m4', 'm64', 's4', 's64']);
  });

  test('diverged runs count as results (steps null)', () => {
    const d = record({ label: 'SGD', batchSize: 8, status: 'diverged', summary: { stepsToTarget: 50 } });
    assert.equal(latestResults([d]).length, 1);
    assert.equal(scalingRow(d)!.steps, null);
  });

  test('critical batch reports: fitted per label with the engine\'s fit, runIds per batch size', () => {
    // Exactly S(B) = 1000 (1 + 256 / B): B_crit = 256, S_min = 1000.
    const runs = [4, 16, 64, 256, 1024, 4096].map((b) =>
      record({ id: `sgd-${b}`, label: 'SGD', batchSize: b, summary: { stepsToTarget: Math.round(1000 * (1 + 256 / b)), lowerBound: 10 }, hyperparameters: { learningRate: b / 1000, precondition: 0 } }),
    );
    const { reports, runIds, runs: used } = criticalBatchFromRuns(runs);
    assert.equal(reports.length, 1);
    const r = reports[0];
    assert.equal(r.optimizer, 'SGD');
    assert.equal(r.type, 'sgd');
    assert.equal(r.points.length, 6);
    assert.ok(r.bCrit !== null && Math.abs(r.bCrit - 256) / 256 < 0.02, `B_crit ${r.bCrit}`);
    assert.ok(r.sMin !== null && Math.abs(r.sMin - 1000) / 1000 < 0.02, `S_min ${r.sMin}`);
    assert.deepEqual(runIds, { SGD: Object.fromEntries([4, 16, 64, 256, 1024, 4096].map((b) => [String(b), `sgd-${b}`])) });
    assert.equal(used.length, 6);
  });

  test('a label with one batch size gets an error report, not a number', () => {
    const { reports } = criticalBatchFromRuns([record({ label: 'EMA', batchSize: 4 })]);
    assert.equal(reports[0].status, 'error');
    assert.equal(reports[0].bCrit, null);
    assert.ok(reports[0].error);
  });

  test('optimizer identity from the resolved config, then the spec', () => {
    assert.deepEqual(optimizerIdentity(record({ config: { optimizer: { type: 'momentum', precondition: 0.5 } } })), { type: 'momentum', precondition: 0.5 });
    assert.deepEqual(optimizerIdentity(record({ config: null, spec: { type: 'ema', precondition: 0.25 }, hyperparameters: {} })), { type: 'ema', precondition: 0.25 });
  });

  test('the result at the largest batch size of a label', () => {
    const runs = [record({ id: 'a', label: 'SGD', batchSize: 4 }), record({ id: 'b', label: 'SGD', batchSize: 1024 }), record({ id: 'c', label: 'EMA', batchSize: 4096 })];
    assert.equal(resultAtLargestBatch(runs, 'SGD')?.id, 'b');
    assert.equal(resultAtLargestBatch(runs, 'Momentum'), undefined);
  });
});
