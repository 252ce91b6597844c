import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricCoalescer, type RunRows, type Timers } from '../../extension/src/model/metric-coalescer';
import { liveMetricsMessage } from '../../extension/src/model/metric-columns';
import { parseHostMessage, type HostMessage } from '../../engine/src/protocol/view-messages';
import type { MetricRow } from '../../engine/src/store/types';
import { columnsToRows, rowsToColumns } from '../../engine/src/protocol/metric-columns';

/** A manual clock: timers fire only when advanced. */
class FakeTimers implements Timers {
  t = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.queue.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.queue = this.queue.filter((q) => q.id !== h);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

const row = (step: number, loss = 1 / step): MetricRow => ({ step, loss });
/** Rows as the engine streams them: columns. */
const cols = (rows: MetricRow[]) => rowsToColumns(rows);

function setup(intervalMs = 100) {
  const timers = new FakeTimers();
  const sent: { at: number; batch: RunRows[] }[] = [];
  const c = new MetricCoalescer({ intervalMs, timers, send: (batch) => sent.push({ at: timers.t, batch }) });
  return { timers, sent, c };
}

describe('metric coalescer', () => {
  test('rows pushed in one burst go out in one flush, one entry per run, in order', () => {
    const { timers, sent, c } = setup();
    c.push('a', 0, cols([row(1)]));
    c.push('b', 0, cols([row(1)]));
    c.push('a', 1, cols([row(2), row(3)]));
    assert.equal(sent.length, 0, 'nothing is sent synchronously');
    timers.advance(0);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].batch.map((b) => b.runId), ['a', 'b']);
    assert.deepEqual(sent[0].batch[0].columns.step, [1, 2, 3]);
  });

  test('at most one flush per interval however fast rows arrive, and no row is lost', () => {
    const { timers, sent, c } = setup(100);
    let step = 0;
    for (let ms = 0; ms < 1000; ms += 1) {
      c.push('run', step, cols([row(++step)]));
      timers.advance(1);
    }
    timers.advance(200);
    assert.ok(sent.length <= 11, `${sent.length} flushes in one second`);
    assert.ok(sent.length >= 9, `only ${sent.length} flushes: rows are held back too long`);
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i].at - sent[i - 1].at >= 100, `flushes ${sent[i - 1].at} and ${sent[i].at} are closer than the interval`);
    const steps = sent.flatMap((s) => s.batch.flatMap((b) => b.columns.step));
    assert.deepEqual(steps, Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  test('after a quiet period the next rows go out at once (no needless delay)', () => {
    const { timers, sent, c } = setup(100);
    c.push('a', 0, cols([row(1)]));
    timers.advance(0);
    timers.advance(500);
    c.push('a', 1, cols([row(2)]));
    timers.advance(0);
    assert.equal(sent.length, 2);
    assert.equal(sent[1].at, 500);
  });

  test('seeded rows are not sent again when the live copy arrives', () => {
    const { timers, sent, c } = setup();
    // The store gave the panel rows #0..#2 (steps 1..3).
    c.seed('a', 3);
    // The live stream overlaps the store: 2 and 3 again, then new rows.
    assert.equal(c.push('a', 1, cols([row(2), row(3)])), 0);
    assert.equal(c.push('a', 2, cols([row(3), row(4), row(5)])), 2);
    timers.advance(0);
    assert.deepEqual(sent.flatMap((s) => s.batch.flatMap((b) => b.columns.step)), [4, 5]);
  });

  test('a different row at the seeded step is kept (two metrics logged at the same step)', () => {
    const { timers, sent, c } = setup();
    c.seed('a', 1);
    assert.equal(c.push('a', 0, cols([{ step: 3, loss: 0.5 }])), 0);
    assert.equal(c.push('a', 1, cols([{ step: 3, accuracy: 0.9 }])), 1);
    timers.advance(0);
    assert.deepEqual(columnsToRows(sent[0].batch[0]), [{ step: 3, accuracy: 0.9 }]);
  });

  test('seeding drops the pending live rows of that run only', () => {
    const { timers, sent, c } = setup();
    c.push('a', 0, cols([row(1)]));
    c.push('b', 0, cols([row(1)]));
    c.seed('a', 2);
    timers.advance(0);
    assert.deepEqual(sent[0].batch.map((b) => b.runId), ['b']);
  });

  test('takeRun hands out one run now (before its status), the rest stays coalesced', () => {
    const { timers, sent, c } = setup();
    c.push('a', 0, cols([row(1)]));
    c.push('b', 0, cols([row(1)]));
    assert.deepEqual(c.takeRun('a'), { runId: 'a', ...cols([row(1)]) });
    assert.equal(c.takeRun('a'), undefined);
    timers.advance(0);
    assert.deepEqual(sent[0].batch.map((b) => b.runId), ['b']);
  });

  test('reset and dispose: nothing is sent afterwards', () => {
    const { timers, sent, c } = setup();
    c.push('a', 0, cols([row(1)]));
    c.reset();
    timers.advance(1000);
    assert.equal(sent.length, 0);
    c.push('a', 1, cols([row(2)]));
    c.dispose();
    timers.advance(1000);
    assert.equal(sent.length, 0);
    assert.equal(c.push('a', 2, cols([row(3)])), 0);
  });

  test('live rows after a hole ask the panel to reload the run, then only the rows it lacks go out', () => {
    const gaps: [string, number, number][] = [];
    const timers = new FakeTimers();
    const sent: RunRows[][] = [];
    const c: MetricCoalescer = new MetricCoalescer({
      timers,
      send: (batch) => sent.push(batch),
      // What ChartPanel does: reload from the store + recent rows, which now reach #6 (steps 1..7).
      onGap: (runId, expected, got) => {
        gaps.push([runId, expected, got]);
        c.seed(runId, 7);
      },
    });
    c.seed('a', 2);
    assert.equal(c.push('a', 2, cols([row(3)])), 1);
    // Rows #3..#4 went by before the panel followed; #5..#8 arrive.
    assert.equal(c.push('a', 5, cols([row(6), row(7), row(8), row(9)])), 2);
    assert.deepEqual(gaps, [['a', 3, 5]]);
    timers.advance(0);
    // The reload reset the run, so the row #2 pending before it is not sent again.
    assert.deepEqual(sent.flatMap((b) => b.flatMap((x) => x.columns.step)), [8, 9]);
  });

  test('a hole that a reload cannot fill is reported once and the rows are still drawn', () => {
    const gaps: number[] = [];
    const { timers, sent } = setup();
    const c = new MetricCoalescer({ timers, send: (batch) => sent.push({ at: timers.t, batch }), onGap: (_r, expected) => gaps.push(expected) });
    c.seed('a', 1);
    assert.equal(c.push('a', 4, cols([row(5)])), 1);
    assert.equal(c.push('a', 5, cols([row(6)])), 1);
    assert.deepEqual(gaps, [1]);
    timers.advance(0);
    assert.deepEqual(sent.flatMap((x) => x.batch.flatMap((b) => b.columns.step)), [5, 6]);
  });

  test('rows without a step are never dropped as duplicates', () => {
    const { timers, sent, c } = setup();
    c.seed('a', 1);
    // (A column of numbers: the view draws numbers only; strings never reach it.)
    assert.equal(c.push('a', 1, cols([{ note: 7 }])), 1);
    timers.advance(0);
    assert.deepEqual(columnsToRows(sent[0].batch[0]), [{ note: 7 }]);
  });

  test('50 busy runs: at most ~10 messages per second to the panel, every run in every message, none held back', () => {
    // What ChartPanel does: one flush becomes one metricsBatch message.
    const timers = new FakeTimers();
    const posted: { at: number; message: HostMessage }[] = [];
    const c = new MetricCoalescer({
      intervalMs: 100,
      timers,
      send: (batch) => {
        const message = liveMetricsMessage(batch);
        if (message) posted.push({ at: timers.t, message: parseHostMessage(JSON.parse(JSON.stringify(message))) });
      },
    });
    const steps = new Map<string, number>();
    for (let ms = 0; ms < 1000; ms++) {
      // Every run logs a row every 5 ms (10,000 rows per second in all).
      for (let r = 0; r < 50; r++) {
        if ((ms + r) % 5 !== 0) continue;
        const id = `run${r}`;
        const step = (steps.get(id) ?? 0) + 1;
        steps.set(id, step);
        c.push(id, step - 1, cols([row(step)]));
      }
      timers.advance(1);
    }
    timers.advance(200);
    assert.ok(posted.length <= 11, `${posted.length} messages in one second`);
    const delivered = new Map<string, number[]>();
    for (const { message } of posted) {
      assert.equal(message.type, 'metricsBatch');
      if (message.type !== 'metricsBatch') continue;
      for (const b of message.batches) {
        assert.ok(b.columns !== undefined, 'live deltas go as columns');
        const list = delivered.get(b.runId) ?? [];
        list.push(...(b.columns!.step as number[]));
        delivered.set(b.runId, list);
      }
    }
    // Each of the ~10 messages of the busy second carries all 50 runs.
    const full = posted.filter(({ message }) => message.type === 'metricsBatch' && message.batches.length === 50).length;
    assert.ok(full >= posted.length - 1, `${full} of ${posted.length} messages carry every run`);
    for (const [id, last] of steps) assert.deepEqual(delivered.get(id), Array.from({ length: last }, (_, i) => i + 1), `${id}: every row, in order`);
  });
});
