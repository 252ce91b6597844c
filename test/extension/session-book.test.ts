import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { columnsToRows, rowsToColumns, type ColumnChunk } from '../../engine/src/protocol/metric-columns';
import { joinStoreAndRecent, RecentRows } from '../../extension/src/engine/recent-rows';
import { SessionBook } from '../../extension/src/engine/session-book';
import type { ExperimentStartedEvent } from '../../engine/src/protocol/engine-messages';

const started = (requestId = 's1'): ExperimentStartedEvent => ({
    type: 'experimentStarted',
    requestId,
    experiment: 'nqm',
    file: '/ws/nqm.optlab.json',
    store: '/ws/.optlab',
    runs: [
      { id: 'r1', label: 'SGD', optimizer: 'sgd', batchSize: 4 },
      { id: 'r2', label: 'SGD', optimizer: 'sgd', batchSize: 16 },
    ],
});

describe('session book', () => {
  test('follows a session from start to finish', () => {
    const book = new SessionBook();
    book.open('s1', '/ws/nqm.optlab.json', '/ws/.optlab', 1000);
    assert.equal(book.get('s1')!.accepted, false);
    book.apply(started(), 1001);
    const s = book.get('s1')!;
    assert.equal(s.accepted, true);
    assert.deepEqual([...s.runs.keys()], ['r1', 'r2']);
    assert.equal(book.sessionOfRun('r2')?.requestId, 's1');
    book.apply({ type: 'runStatus', requestId: 's1', runId: 'r1', status: 'running' }, 1002);
    book.apply({ type: 'metrics', requestId: 's1', runId: 'r1', seq: 0, ...rowsToColumns([{ step: 1, loss: 2 }, { step: 2, loss: 1 }]) }, 1003);
    book.apply({ type: 'progress', requestId: 's1', done: 1, total: 2, message: 'SGD B=4: 10 steps' }, 1004);
    assert.deepEqual(book.liveState('r1'), { status: 'running', lastRow: { step: 2, loss: 1 }, session: { done: 1, total: 2 } });
    assert.deepEqual(book.unfinishedRuns(s).map((r) => r.ref.id), ['r1', 'r2']);
    const { ended } = book.apply({ type: 'experimentFinished', requestId: 's1', experiment: 'nqm', runs: [], criticalBatchSize: [], findings: [] }, 5000);
    assert.ok(ended);
    assert.equal(ended.result, 'finished');
    assert.deepEqual(ended.runIds, ['r1', 'r2']);
    assert.equal(ended.durationMs, 4000);
    assert.equal(ended.experiment, 'nqm');
    assert.deepEqual(book.active(), []);
  });

  test('failures: invalid -> failed with the message, cancelled -> cancelled', () => {
    const book = new SessionBook();
    book.open('a', '/f', '/s', 0);
    book.open('b', '/f', '/s', 0);
    const a = book.apply({ type: 'experimentFailed', requestId: 'a', reason: 'invalid', message: '/f:3:4 bad' }, 1).ended!;
    assert.equal(a.result, 'failed');
    assert.equal(a.message, '/f:3:4 bad');
    assert.equal(book.apply({ type: 'experimentFailed', requestId: 'b', reason: 'cancelled', message: 'cancelled' }, 1).ended!.result, 'cancelled');
  });

  test('events of unknown or ended sessions change nothing', () => {
    const book = new SessionBook();
    assert.deepEqual(book.apply({ type: 'runStatus', requestId: 'zzz', runId: 'r', status: 'running' }, 0), {});
    book.open('s1', '/f', '/s', 0);
    book.apply(started(), 0);
    book.apply({ type: 'experimentFailed', requestId: 's1', reason: 'error', message: 'x' }, 1);
    const { ended } = book.apply({ type: 'experimentFinished', requestId: 's1', experiment: 'nqm', runs: [], criticalBatchSize: [], findings: [] }, 2);
    assert.equal(ended, undefined, 'a session ends once');
    assert.equal(book.get('s1')!.outcome!.result, 'failed');
  });

  test('ending abnormally marks the named runs crashed', () => {
    const book = new SessionBook();
    book.open('s1', '/f', '/s', 0);
    book.apply(started(), 0);
    book.apply({ type: 'runStatus', requestId: 's1', runId: 'r1', status: 'completed' }, 0);
    const s = book.get('s1')!;
    const o = book.endAbnormally(s, 'crashed', 'engine died', ['r2'], 10);
    assert.equal(o.result, 'crashed');
    assert.deepEqual(o.crashedRunIds, ['r2']);
    assert.equal(s.runs.get('r2')!.status, 'crashed');
    assert.equal(s.runs.get('r1')!.status, 'completed');
  });

  test('prune forgets ended sessions and their runs', () => {
    const book = new SessionBook();
    book.open('s1', '/f', '/s', 0);
    book.apply(started(), 0);
    book.apply({ type: 'experimentFailed', requestId: 's1', reason: 'cancelled', message: '' }, 1);
    book.prune();
    assert.equal(book.get('s1'), undefined);
    assert.equal(book.sessionOfRun('r1'), undefined);
  });
});

/** A joined chunk as rows, to compare. */
const rowsOf = (j: ColumnChunk & { nextSeq: number }) => ({ rows: columnsToRows(j), nextSeq: j.nextSeq });

describe('recent rows', () => {
  test('keeps only the last few seconds per run', () => {
    let now = 0;
    const recent = new RecentRows(1000, () => now);
    recent.add('a', rowsToColumns([{ step: 1 }]), 0);
    now = 600;
    recent.add('a', rowsToColumns([{ step: 2 }]), 1);
    assert.deepEqual(columnsToRows(recent.since('a', 0)), [{ step: 1 }, { step: 2 }]);
    now = 1500;
    assert.deepEqual(columnsToRows(recent.since('a', 1)), [{ step: 2 }]);
    now = 5000;
    assert.deepEqual(columnsToRows(recent.since('a', 0)), []);
  });

  test('join: the store\'s rows, then the recent rows past its last sequence number', () => {
    const recent = new RecentRows(1000, () => 0);
    const stored = { rows: [{ step: 1 }, { step: 2 }], nextSeq: 2 };
    assert.deepEqual(rowsOf(joinStoreAndRecent(stored, recent, 'a')), stored);
    recent.add('a', rowsToColumns([{ step: 2 }, { step: 3 }]), 1);
    assert.deepEqual(rowsOf(joinStoreAndRecent(stored, recent, 'a')), { rows: [{ step: 1 }, { step: 2 }, { step: 3 }], nextSeq: 3 });
    assert.deepEqual(rowsOf(joinStoreAndRecent({ rows: [], nextSeq: 0 }, recent, 'b')), { rows: [], nextSeq: 0 });
    recent.add('b', rowsToColumns([{ step: 5 }]), 0);
    assert.deepEqual(rowsOf(joinStoreAndRecent({ rows: [], nextSeq: 0 }, recent, 'b')), { rows: [{ step: 5 }], nextSeq: 1 });
    // Two rows at the same step are two rows: nothing is lost to a comparison of steps.
    recent.add('c', rowsToColumns([{ step: 4, loss: 1 }, { step: 4, accuracy: 0.5 }]), 3);
    assert.deepEqual(rowsOf(joinStoreAndRecent({ rows: [{ step: 1 }, { step: 2 }, { step: 3 }, { step: 4, loss: 1 }], nextSeq: 4 }, recent, 'c')).rows.slice(3), [{ step: 4, loss: 1 }, { step: 4, accuracy: 0.5 }]);
  });

  test('since: rows after a hole are not joined', () => {
    const recent = new RecentRows(1000, () => 0);
    recent.add('a', rowsToColumns([{ step: 1 }]), 0);
    recent.add('a', rowsToColumns([{ step: 5 }]), 4);
    assert.deepEqual(columnsToRows(recent.since('a', 0)), [{ step: 1 }]);
    assert.deepEqual(columnsToRows(recent.since('a', 1)), []);
    assert.deepEqual(columnsToRows(recent.since('a', 4)), [{ step: 5 }]);
  });
});
