// Steps to target count updates that move the parameters: K-FAC's burn-in (updates that only
// gather curvature statistics) runs before step 1 and is reported apart (issue 10, item 1). The
// mutation "count the burn-in as steps" makes the first logged step's update zero and shifts every
// step number by the burn-in: both are asserted below.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gaussianClusters } from '../../../engine/src/data/synthetic';
import { makeOptimizer } from '../../../engine/src/optim';
import type { MetricRow } from '../../../engine/src/store/types';
import { initBackend } from '../../../engine/src/tf/backend';
import { train, type TrainOptions } from '../../../engine/src/train';
import { tinyMlp } from './tiny-model';

const data = gaussianClusters({ classes: 3, dim: 6, separation: 3, std: 1, trainSize: 384, testSize: 192, seed: 3 });
before(async () => {
  await initBackend('cpu');
});

const kfac = (burnIn: number) => makeOptimizer({ type: 'kfac', learningRate: 0.05, damping: 1, burnIn, inverseEvery: 1, adaptDamping: false }, { batchSize: 16 });

function options(burnIn: number, rows: MetricRow[], over: Partial<TrainOptions> = {}): TrainOptions {
  return { model: tinyMlp(6, [8], 3), train: data.train, test: data.test, optimizer: kfac(burnIn), batchSize: 16, seed: 7, budget: { maxSteps: 12 }, onMetrics: (r) => rows.push(r), ...over };
}

describe('warm-up updates (K-FAC burn-in) are not steps', () => {
  test('K-FAC declares its burn-in, through the chain the factory builds', () => {
    assert.equal(kfac(4).warmupSteps, 4);
    assert.equal(kfac(0).warmupSteps ?? 0, 0);
    assert.equal(makeOptimizer({ type: 'sgd', learningRate: 0.1 }).warmupSteps ?? 0, 0);
  });

  test('the burn-in runs before step 1: every counted step moves the parameters, and the count is reported apart', async () => {
    const rows: MetricRow[] = [];
    const r = await train(options(3, rows));
    assert.equal(r.warmupSteps, 3);
    assert.equal(r.steps, 12, 'the budget counts steps that update');
    assert.deepEqual(rows.map((x) => x.step), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.equal(rows[0].examples, 16, 'examples count the steps\' minibatches');
    for (const row of rows) assert.ok((row['update/global_norm'] as number) > 0, `step ${row.step} moved the parameters (update norm ${row['update/global_norm']})`);
  });

  test('a checkpoint remembers the burn-in: a resumed run continues on the same minibatches, with the same rows', async () => {
    const full: MetricRow[] = [];
    await train(options(3, full));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-warmup-'));
    try {
      const parts: MetricRow[] = [];
      await train(options(3, parts, { budget: { maxSteps: 5 }, checkpoint: { dir, atEnd: true } }));
      const resumed = await train(options(3, parts, { resumeFrom: dir }));
      assert.equal(resumed.resumedFrom, 5);
      assert.equal(resumed.warmupSteps, 3);
      // Everything but wall-clock readings (wallTime, the ms spent on inverses).
      const strip = (rows: MetricRow[]) => rows.map(({ wallTime: _w, 'kfac/inverse_ms': _ms, ...r }) => r);
      assert.deepEqual(strip(parts), strip(full));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the same optimizer with its burn-in counted as steps (the old count) is the same run shifted by the burn-in, and reaches the target burn-in steps later', async () => {
    const target = { metric: 'testAccuracy' as const, value: 0.9, evalEvery: 1 };
    const counted: MetricRow[] = [];
    const apart: MetricRow[] = [];
    // Hiding warmupSteps makes the loop count the statistics-only updates as steps, as it used to.
    const a = await train(options(4, apart, { target, budget: { maxSteps: 200 } }));
    const b = await train(options(4, counted, { optimizer: { ...kfac(4), warmupSteps: 0 }, target, budget: { maxSteps: 204 } }));
    assert.ok(a.stepsToTarget !== null, 'reaches 90%');
    assert.equal(b.stepsToTarget, a.stepsToTarget! + 4);
    assert.equal(a.warmupSteps, 4);
    // Row for row: the same minibatches, updates and evaluations, numbered 4 lower.
    const strip = ({ step: _s, examples: _e, wallTime: _w, 'kfac/inverse_ms': _ms, ...r }: MetricRow) => r;
    assert.deepEqual(apart.map(strip), counted.slice(4).map(strip));
    assert.deepEqual(apart.map((r) => r.step), counted.slice(4).map((r) => (r.step as number) - 4));
  });
});
