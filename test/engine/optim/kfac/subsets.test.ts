// K-FAC's tau2 subset (quadModelFraction -> Needs.outputSpaceFraction): the needs and their merge
// (the largest subset wins), the training loop's output space on the first ceil(fraction * B) rows
// (its curvature terms equal those of an output space built explicitly on those rows: H_L of the MEAN
// loss over the subset), fraction 1 changing nothing, and the tau1 + tau2 run's tensor count.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lowRank } from '../../../../engine/src/data/synthetic';
import { makeModel } from '../../../../engine/src/models/registry';
import type { Model } from '../../../../engine/src/models/types';
import { chain, mergeNeeds, type GradientTransformation, type Params, type State } from '../../../../engine/src/optim';
import { kfac, quadraticTerms, readFactors, minibatchFactors, type KfacOptions } from '../../../../engine/src/optim/kfac';
import { naturalGradient } from '../../../../engine/src/optim/natural-gradient/natural-gradient';
import type { MetricRow } from '../../../../engine/src/store/types';
import { toFloat32Flushed } from '../../../../engine/src/optim/kfac/inverses';
import { initBackend } from '../../../../engine/src/tf/backend';
import { train, type TrainOptions } from '../../../../engine/src/train';
import { subsetRows } from '../../../../engine/src/train/loop';
import { outputSpace } from '../../../../engine/src/train/output-space';

before(async () => {
  await initBackend('cpu');
});

const data = lowRank({ dim: 16, rank: 3, trainSize: 256, seed: 2 });
const BATCH = 30;
const autoencoder = () => makeModel({ type: 'autoencoder', widths: [8, 3, 8] }, { inputShape: [16] });
const opt = (o: Partial<KfacOptions>) => kfac({ damping: 1, burnIn: 2, inverseEvery: 4, asyncInverses: false, ...o }) as unknown as GradientTransformation<State>;

function base(over: Partial<TrainOptions>): TrainOptions {
  return { model: autoencoder(), train: data.train, optimizer: opt({}), batchSize: BATCH, seed: 5, budget: { maxSteps: 12 }, ...over };
}

test('needs: quadModelFraction asks for the output space on a subset; merged, the largest subset wins', () => {
  assert.equal(kfac().needs.outputSpaceFraction, undefined);
  assert.equal(kfac({ quadModelFraction: 1 }).needs.outputSpaceFraction, undefined);
  assert.equal(kfac({ quadModelFraction: 0.25 }).needs.outputSpaceFraction, 0.25);
  // Fixed mode without LM builds no output space at all.
  assert.equal(kfac({ learningRate: 0.1, damping: 1, quadModelFraction: 0.25 }).needs.outputSpace, undefined);
  assert.equal(kfac({ learningRate: 0.1, damping: 1, quadModelFraction: 0.25, adaptDamping: true }).needs.outputSpaceFraction, 0.25);
  // The fixed-step mode has no default damping: a library caller chooses it too.
  assert.throws(() => kfac({ learningRate: 0.1 }), /damping must be given with a learningRate/);
  assert.throws(() => kfac({ quadModelFraction: 0 }), /quadModelFraction must be in \(0, 1\]/);
  assert.throws(() => kfac({ quadModelFraction: 1.5 }), /quadModelFraction/);
  assert.equal(mergeNeeds([{ outputSpace: true, outputSpaceFraction: 0.25 }, { outputSpace: true, outputSpaceFraction: 0.5 }]).outputSpaceFraction, 0.5);
  // A transform that gives no fraction wants the whole minibatch.
  assert.equal(chain(kfac({ quadModelFraction: 0.25 }), naturalGradient()).needs.outputSpaceFraction, 1);
  assert.deepEqual(mergeNeeds([{ outputSpace: true }, { loss: true }]), { outputSpace: true, loss: true });
});

/**
 * A transform that checks the loop's output space against one built explicitly on the first rows
 * of the minibatch (recorded from the model's forward on the whole batch) and moves nothing.
 */
function spy(model: Model, fraction: number | undefined, seen: () => tf.Tensor, report: (r: { rows: number; err: number }) => void): GradientTransformation<null> {
  return {
    name: 'spy',
    needs: fraction === undefined ? { outputSpace: true } : { outputSpace: true, outputSpaceFraction: fraction },
    init: () => null,
    update(grads, _s, params, extras) {
      const space = extras.outputSpace!;
      const rows = Math.ceil((fraction ?? 1) * BATCH);
      const err = tf.tidy(() => {
        const xs = seen().slice(0, rows);
        const out = model.forward(params, xs, { training: true }).output;
        // Reconstruction: the target is the input.
        const ref = outputSpace(model, params, xs, tf.reshape(xs, [rows, -1]), out);
        const d: Params = {};
        const d0: Params = {};
        Object.entries(params).forEach(([n, p], i) => {
          d[n] = tf.randomNormal(p.shape, 0, 1, 'float32', 10 + i);
          d0[n] = tf.randomNormal(p.shape, 0, 1, 'float32', 50 + i);
        });
        const got = quadraticTerms(space, grads, d, d0);
        const want = quadraticTerms(ref, grads, d, d0);
        let e = 0;
        got.fisher.forEach((v, i) => (e = Math.max(e, Math.abs(v - want.fisher[i]) / Math.abs(want.fisher[0]))));
        const outErr = tf.max(tf.abs(tf.sub(space.output, out))).dataSync()[0];
        const gradErr = tf.max(tf.abs(tf.sub(space.lossGrad, ref.lossGrad))).dataSync()[0] / tf.max(tf.abs(ref.lossGrad)).dataSync()[0];
        return Math.max(e, outErr, gradErr);
      });
      report({ rows: space.output.shape[0]!, err });
      return { updates: tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, tf.zerosLike(g)]))), state: null };
    },
  };
}

for (const fraction of [undefined, 1, 0.25, 0.1]) {
  test(`the loop's output space with outputSpaceFraction ${fraction ?? '(none)'} is the one built on the first ceil(fraction * B) rows`, async () => {
    const inner = autoencoder();
    let lastX: tf.Tensor | null = null;
    // The model's forward on the whole minibatch records the batch (the training pass comes first).
    const model = Object.create(inner) as Model;
    model.forward = (p, x, o) => {
      if (x.shape[0] === BATCH) lastX = x;
      return inner.forward(p, x, o);
    };
    const reports: { rows: number; err: number }[] = [];
    const tx = spy(model, fraction, () => lastX!, (r) => reports.push(r)) as unknown as GradientTransformation<State>;
    const before = tf.memory().numTensors;
    await train(base({ model, optimizer: tx, budget: { maxSteps: 3 } }));
    assert.equal(tf.memory().numTensors, before);
    assert.equal(reports.length, 3);
    for (const r of reports) {
      assert.equal(r.rows, Math.ceil((fraction ?? 1) * BATCH));
      assert.ok(r.err < 1e-5, `curvature terms / output / dL/doutput differ from the explicit subset's: ${r.err}`);
    }
  });
}

test('quadModelFraction 1 changes nothing: the same metrics as the default, step for step', async () => {
  const strip = (rows: MetricRow[]) => rows.map(({ wallTime: _w, inverse_ms: _i, ...rest }) => rest);
  const a: MetricRow[] = [];
  const b: MetricRow[] = [];
  await train(base({ optimizer: opt({}), onMetrics: (r) => a.push(r) }));
  await train(base({ optimizer: opt({ quadModelFraction: 1 }), onMetrics: (r) => b.push(r) }));
  assert.deepEqual(strip(b), strip(a));
  // And a subset changes the model's numbers (alpha, mu are estimated on fewer rows).
  const c: MetricRow[] = [];
  await train(base({ optimizer: opt({ quadModelFraction: 0.25 }), onMetrics: (r) => c.push(r) }));
  assert.notDeepEqual(strip(c), strip(a));
});

test('tau1 = 1/8, tau2 = 1/4 through the loop: a flat tensor count, finite stats and timing phases, lower loss', async () => {
  const counts: number[] = [];
  const rows: MetricRow[] = [];
  const before = tf.memory().numTensors;
  const r = await train(base({ optimizer: opt({ statsFraction: 1 / 8, quadModelFraction: 1 / 4, timing: true }), budget: { maxSteps: 40 }, onMetrics: (row) => (counts.push(tf.memory().numTensors), rows.push(row)) }));
  assert.equal(r.status, 'budget');
  const steady = counts.slice(4);
  assert.ok(steady.every((c) => c === steady[0]), `tensor count moved: ${[...new Set(counts)].join(', ')}`);
  assert.equal(tf.memory().numTensors, before);
  const last = rows[rows.length - 1];
  for (const k of ['alpha', 'mu', 'damping', 'time_factors', 'time_ema', 'time_inverses', 'time_precondition', 'time_qmodel', 'time_update']) assert.ok(Number.isFinite(last[k]) && (!k.startsWith('time_') || (last[k] as number) >= 0), `${k} = ${last[k]}`);
  assert.ok(rows.some((row) => Number.isFinite(row.time_rho)), 'rho was never timed');
  assert.ok(r.finalLoss! < (rows[0].loss as number), `loss ${rows[0].loss} -> ${r.finalLoss}`);
});

test('vanishing output gradients: the factor read is scaled out of the denormal range and G stays exact', () => {
  // g ~ 1e-22: g^T g ~ 1e-44 is below float32's normal range (denormal or zero) without the scaling.
  const g = tf.tensor2d([[3e-22, -1e-22], [2e-22, 5e-22]]);
  const a = tf.tensor2d([[1, 2], [3, 4]]);
  const taps = { fc: { kind: 'dense' as const, weight: 'w', bias: 'b', inputs: a, outputGrads: g } };
  const raw = readFactors(taps).fc;
  for (const v of raw.g) assert.ok(v === 0 || Math.abs(v) >= 1.1754943508222875e-38, `denormal read ${v}`);
  const f = minibatchFactors(taps).fc;
  const expected = [(9 + 4) / 2, (-3 + 10) / 2, (-3 + 10) / 2, (1 + 25) / 2].map((v) => v * 1e-44);
  f.g.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6 * 13e-44, `G[${i}] = ${v}, expected ${expected[i]}`));
  tf.dispose([g, a]);
  // Inverses are uploaded with float32-denormal entries flushed to zero.
  assert.deepEqual(Array.from(toFloat32Flushed([1e-40, -1e-39, 2e-38, -3, 0])), [0, 0, Math.fround(2e-38), -3, 0]);
});

test('subsetMinRows: a fraction of a small batch is raised to the floor, never past the batch', () => {
  assert.equal(subsetRows(4096, 0.25, 256), 1024);
  assert.equal(subsetRows(512, 0.25, 256), 256);
  assert.equal(subsetRows(16, 0.25, 256), 16);
  assert.equal(subsetRows(32, 0.25), 8);
  assert.equal(subsetRows(32), 32);
  const k = kfac({ statsFraction: 0.125, quadModelFraction: 0.25, subsetMinRows: 128 });
  assert.equal(k.needs.subsetMinRows, 128);
  assert.equal(kfac({ subsetMinRows: 128 }).needs.subsetMinRows, undefined, 'no fractions, no floor');
  assert.throws(() => kfac({ subsetMinRows: 0 }), /subsetMinRows must be an integer >= 1/);
});
