import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareNewestFirst, effectiveStatus, runContextValue, runDescription, runIcon, runLabel, runTooltipMarkdown } from '../../extension/src/model/run-view';
import { RUN_STATUSES } from '../../engine/src/store/types';
import { record } from './fixtures';

describe('explorer items from run records', () => {
  test('label: "<label> · B=<batch size>"', () => {
    assert.equal(runLabel(record({ label: 'SGD p=0.5', batchSize: 1024 })), 'SGD p=0.5 · B=1024');
    const noBatch = record({ label: 'Adam' });
    delete noBatch.batchSize;
    assert.equal(runLabel(noBatch), 'Adam');
  });

  test('contextValue is run.<status> for every status (the menus match on it)', () => {
    for (const s of RUN_STATUSES) assert.equal(runContextValue(s), `run.${s}`);
  });

  test('icons: spinning sync, pass, error, circle-slash, warning', () => {
    assert.equal(runIcon('running').id, 'sync~spin');
    assert.equal(runIcon('completed').id, 'pass');
    assert.equal(runIcon('failed').id, 'error');
    assert.equal(runIcon('crashed').id, 'error');
    assert.equal(runIcon('cancelled').id, 'circle-slash');
    assert.equal(runIcon('diverged').id, 'warning');
    assert.equal(runIcon('queued').id, 'clock');
  });

  test('description: steps to target, not reached, live progress, errors', () => {
    assert.equal(runDescription(record({ summary: { stepsToTarget: 1366 } })), '1,366 steps to target');
    assert.equal(runDescription(record({ summary: { stepsToTarget: null } })), 'target not reached');
    const running = record({ status: 'running', summary: {} });
    assert.equal(runDescription(running, { status: 'running', lastRow: { step: 1200, loss: 0.5321 } }), 'running · step 1,200 · loss 0.532');
    assert.equal(runDescription(running, { status: 'running', session: { done: 12, total: 60 } }), 'running · session 12/60 done');
    assert.equal(runDescription(record({ status: 'crashed', error: { message: 'the engine died\nsecond line' } })), 'crashed: the engine died');
    assert.equal(runDescription(record({ status: 'cancelled' })), 'cancelled');
  });

  test('the live status wins while the store still says queued/running, never over a final status', () => {
    assert.equal(effectiveStatus(record({ status: 'running' }), { status: 'completed' }), 'completed');
    assert.equal(effectiveStatus(record({ status: 'queued' }), { status: 'running' }), 'running');
    assert.equal(effectiveStatus(record({ status: 'crashed' }), { status: 'running' }), 'crashed');
    assert.equal(effectiveStatus(record({ status: 'completed' })), 'completed');
  });

  test('tooltip: hyperparameters and summary as tables, markdown in labels escaped', () => {
    const md = runTooltipMarkdown(record({ label: 'SGD *bold* [link](x)', hyperparameters: { learningRate: 0.1668, precondition: 0.5 }, summary: { stepsToTarget: 1366 } }));
    assert.ok(md.includes('| learning rate | 0\\.1668 |'), md);
    assert.ok(md.includes('| steps to target | 1,366 |'), md);
    assert.ok(md.includes('SGD \\*bold\\* \\[link\\]\\(x\\)'), md);
    assert.ok(!md.includes('<'), 'no HTML');
  });

  test('newest first: createdAt, then id', () => {
    const a = record({ createdAt: '2026-01-01T00:00:01.000Z', id: 'a' });
    const b = record({ createdAt: '2026-01-01T00:00:02.000Z', id: 'b' });
    const c = record({ createdAt: '2026-01-01T00:00:02.000Z', id: 'c' });
    assert.deepEqual([a, b, c].sort(compareNewestFirst).map((r) => r.id), ['c', 'b', 'a']);
  });
});
