import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsBatcher } from '../../engine/src/server/metrics-batcher';
import type { MetricRow } from '../../engine/src/store/types';

const rows = (from: number, n: number): MetricRow[] => Array.from({ length: n }, (_, i) => ({ step: from + i }));

test('the batcher joins consecutive rows of a run into one message and never glues rows that are not consecutive', () => {
  const sent: { runId: string; seq: number; steps: unknown[] }[] = [];
  const b = new MetricsBatcher((runId, r, seq) => sent.push({ runId, seq, steps: r.map((x) => x.step) }), 1_000_000);
  b.add('a', rows(0, 2), 0);
  b.add('b', rows(0, 1), 0);
  b.add('a', rows(2, 3), 2);
  // A hole (rows #5..#6 went elsewhere): what waits goes out first, numbered as it was.
  b.add('a', rows(7, 1), 7);
  b.flush();
  assert.deepEqual(sent, [
    { runId: 'a', seq: 0, steps: [0, 1, 2, 3, 4] },
    { runId: 'a', seq: 7, steps: [7] },
    { runId: 'b', seq: 0, steps: [0] },
  ]);
  // Each message's rows are numbered seq, seq + 1, ...: message i's rows match their numbers.
  for (const m of sent) m.steps.forEach((s, i) => assert.equal(s, m.seq + i));
});
