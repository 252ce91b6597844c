// K-FAC through the real training loop on a tiny autoencoder: a flat tensor count over many steps
// (async inverses on the worker thread, eigen mode), a statsFraction run, and checkpoint/resume
// equivalence while async inverses are in flight (a resumed run recomputes them on the main thread:
// same numbers).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { lowRank } from '../../../../engine/src/data/synthetic';
import { makeModel } from '../../../../engine/src/models/registry';
import { kfac, type KfacOptions } from '../../../../engine/src/optim/kfac';
import type { GradientTransformation, State } from '../../../../engine/src/optim';
import type { MetricRow } from '../../../../engine/src/store/types';
import { initBackend } from '../../../../engine/src/tf/backend';
import { train, type TrainOptions } from '../../../../engine/src/train';

const data = lowRank({ dim: 16, rank: 3, trainSize: 256, seed: 2 });
let tmp: string;

before(async () => {
  await initBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-kfac-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const opt = (o: Partial<KfacOptions>) => kfac({ damping: 1, burnIn: 2, inverseEvery: 4, inverseLag: 2, ...o }) as unknown as GradientTransformation<State>;

function base(over: Partial<TrainOptions>): TrainOptions {
  return {
    model: makeModel({ type: 'autoencoder', widths: [8, 3, 8] }, { inputShape: [16] }),
    train: data.train,
    optimizer: opt({ asyncInverses: true }),
    batchSize: 32,
    seed: 5,
    budget: { maxSteps: 30 },
    ...over,
  };
}

for (const [what, o] of [
  ['async inverses', { asyncInverses: true }],
  ['exact inverses (eigen)', { exactInverses: true, asyncInverses: false }],
  ['fixed lr, KL clip, statsFraction 1/4', { learningRate: 0.05, damping: 150, klClip: 0.01, statsFraction: 0.25, adaptDamping: true }],
] as [string, Partial<KfacOptions>][]) {
  test(`${what}: the tensor count stays flat over 80 steps and the run stays finite`, async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const rows: MetricRow[] = [];
    const r = await train(base({ optimizer: opt(o), budget: { maxSteps: 80 }, onMetrics: (row) => (counts.push(tf.memory().numTensors), rows.push(row)) }));
    assert.equal(r.status, 'budget');
    // From the second parameter update on (burn-in has no previous update to keep).
    const steady = counts.slice(4);
    assert.ok(steady.every((c) => c === steady[0]), `tensor count moved: ${[...new Set(counts)].join(', ')}`);
    assert.equal(tf.memory().numTensors, before);
    const last = rows[rows.length - 1];
    for (const k of ['damping', 'alpha', 'mu', 'inverse_ms', 'A_trace/code', 'G_cond/output']) assert.ok(Number.isFinite(last[k]), `${k} = ${last[k]}`);
    assert.ok(rows.some((row) => Number.isFinite(row.rho)), 'rho was never reported');
    assert.ok(r.finalLoss! < (rows[0].loss as number), `loss ${rows[0].loss} -> ${r.finalLoss}`);
  });
}

test('checkpoint and resume with async inverses in flight continue identically', async () => {
  const strip = (rows: MetricRow[]) => rows.map(({ wallTime: _w, inverse_ms: _i, ...rest }) => rest);
  const full: MetricRow[] = [];
  const straight = await train(base({ onMetrics: (row) => full.push(row), returnParams: true }));
  const dir = fs.mkdtempSync(path.join(tmp, 'ckpt-'));
  const parts: MetricRow[] = [];
  // 13 steps (after the 2 burn-in updates, which are not steps): the inverses submitted at update 12 are applied at 14.
  await train(base({ budget: { maxSteps: 13 }, onMetrics: (row) => parts.push(row), checkpoint: { dir, atEnd: true } }));
  const saved = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
  assert.ok(JSON.stringify(saved).includes('"applyAt":14'), 'no inverses were in flight at the checkpoint');
  const resumed = await train(base({ onMetrics: (row) => parts.push(row), resumeFrom: dir, returnParams: true }));
  assert.equal(resumed.resumedFrom, 13);
  assert.deepEqual(strip(parts), strip(full));
  for (const name of Object.keys(straight.params!)) assert.deepEqual(Array.from(resumed.params![name].dataSync()), Array.from(straight.params![name].dataSync()), name);
  tf.dispose([...Object.values(straight.params!), ...Object.values(resumed.params!)]);
});
