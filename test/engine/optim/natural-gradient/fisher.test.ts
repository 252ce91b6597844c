// Section 5's identities on a tiny MLP 3-4-3, with exact expectations:
//  - the true Fisher E_x E_{y~p(y|x)}[grad log p grad log p^T] equals the GGN J^T H_L J built from
//    the engine's curvature-vector products, for softmax cross-entropy (classes enumerated) and
//    for squared error = unit Gaussian (the score -J^T eps is linear in the noise, so the
//    Gaussian expectation is exactly (1/2) sum_k over eps = +-e_k);
//  - the EMPIRICAL Fisher (training labels) is not it;
//  - J v (double-vjp) and the Fisher-vector product match central finite differences.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { modelLoss } from '../../../../engine/src/models/loss';
import type { Model } from '../../../../engine/src/models/types';
import type { Params } from '../../../../engine/src/optim/types';
import { initBackend } from '../../../../engine/src/tf/backend';
import { sampledTarget } from '../../../../engine/src/train/loss';
import { ggnProduct } from '../../../../engine/src/train/output-space';
import { batchFor, disposeTree, flatten, ggnMatrix, minibatch, relativeError, shifted, tinyMlp, unflattenTree, type Minibatch } from './helpers';

const BATCH = 6;

before(async () => {
  await initBackend('cpu');
});

/** The gradient (float64, layout order) of the loss of example i alone against `target` ([1] or [1, k]). */
function exampleGrad(mb: Minibatch, i: number, target: tf.Tensor): Float64Array {
  const { model, params, layout } = mb;
  const g = tf.tidy(() => {
    const xi = tf.slice(mb.x, [i, 0], [1, -1]);
    const ps = layout.names.map((n) => params[n]);
    const grads = tf.grads((...qs: tf.Tensor[]) => modelLoss(model, model.forward(Object.fromEntries(layout.names.map((n, j) => [n, qs[j]])), xi).output, target))(ps);
    return Object.fromEntries(layout.names.map((n, j) => [n, grads[j]]));
  });
  const flat = flatten(g, layout);
  disposeTree(g);
  return flat;
}

/** A += w g g^T (P x P). */
function addOuter(a: Float64Array, g: Float64Array, w: number): void {
  const p = g.length;
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) a[r * p + c] += w * g[r] * g[c];
}

function trueFisher(mb: Minibatch): Float64Array {
  const p = mb.layout.total;
  const f = new Float64Array(p * p);
  const k = mb.model.outputSize;
  const out = mb.output.arraySync() as number[][];
  for (let i = 0; i < BATCH; i++) {
    if (mb.model.loss === 'softmax-cross-entropy') {
      const mx = Math.max(...out[i]);
      const e = out[i].map((z) => Math.exp(z - mx));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < k; c++) {
        const t = tf.tensor1d([c], 'int32');
        addOuter(f, exampleGrad(mb, i, t), e[c] / sum / BATCH);
        t.dispose();
      }
    } else {
      for (let c = 0; c < k; c++) {
        for (const sign of [1, -1]) {
          const y = out[i].slice();
          y[c] += sign;
          const t = tf.tensor2d([y]);
          addOuter(f, exampleGrad(mb, i, t), 0.5 / BATCH);
          t.dispose();
        }
      }
    }
  }
  return f;
}

function empiricalFisher(mb: Minibatch): Float64Array {
  const p = mb.layout.total;
  const f = new Float64Array(p * p);
  for (let i = 0; i < BATCH; i++) {
    const t = mb.model.task === 'classification' ? tf.slice(mb.target, [i], [1]) : tf.slice(mb.target, [i, 0], [1, -1]);
    addOuter(f, exampleGrad(mb, i, t), 1 / BATCH);
    t.dispose();
  }
  return f;
}

function setup(model: Model, seed: number): Minibatch & { all(): void } {
  const params = model.init(seed);
  const { x, y } = batchFor(model, BATCH, seed);
  const mb = minibatch(model, params, x, y);
  return { ...mb, all: () => (mb.dispose(), tf.dispose([x, y, ...Object.values(params)])) };
}

describe('Fisher = GGN for the engine\'s exponential-family losses', () => {
  for (const loss of ['softmax-cross-entropy', 'squared-error'] as const) {
    test(`${loss}: the true Fisher equals the GGN; the empirical Fisher does not`, () => {
      const mb = setup(tinyMlp(loss), 11);
      const before = tf.memory().numTensors;
      const ggn = ggnMatrix(mb);
      const fisher = trueFisher(mb);
      const empirical = empiricalFisher(mb);
      assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
      const err = relativeError(fisher, ggn);
      const empErr = relativeError(empirical, ggn);
      // float32 gradients: relative Frobenius error ~1e-7; empirical: O(1) apart.
      assert.ok(err < 1e-5, `||F - GGN||_F / ||GGN||_F = ${err}`);
      assert.ok(empErr > 0.2, `empirical Fisher is only ${empErr} from the GGN`);
      console.log(`${loss}: ||F - GGN||/||GGN|| = ${err.toExponential(2)}, ||F_emp - GGN||/||GGN|| = ${empErr.toFixed(3)}`);
      mb.all();
    });
  }
});

describe('Monte-Carlo Fisher with the engine\'s sampled targets (train/loss.ts sampledTarget)', () => {
  // With y_i ~ p(y|x_i) independent, the cross terms of the mean-loss gradient g = (1/b) sum_i g_i
  // vanish in expectation, so F = b E[g g^T]: one gradient per sample.
  const SAMPLES = 1500;
  for (const loss of ['softmax-cross-entropy', 'squared-error'] as const) {
    test(`${loss}: b E[g g^T] over ${SAMPLES} sampled targets approaches the GGN`, () => {
      const mb = setup(tinyMlp(loss), 11);
      const { layout, params, model, x } = mb;
      const p = layout.total;
      const mc = new Float64Array(p * p);
      const ps = layout.names.map((n) => params[n]);
      for (let s = 0; s < SAMPLES; s++) {
        const flat = tf.tidy(() => {
          const target = sampledTarget(model.loss, mb.output, 1000 + s);
          const g = tf.grads((...qs: tf.Tensor[]) => modelLoss(model, model.forward(Object.fromEntries(layout.names.map((n, j) => [n, qs[j]])), x).output, target))(ps);
          return tf.concat(g.map((t) => t.reshape([-1])));
        });
        const g = Float64Array.from(flat.dataSync());
        flat.dispose();
        addOuter(mc, g, BATCH / SAMPLES);
      }
      const err = relativeError(mc, ggnMatrix(mb));
      console.log(`${loss}: Monte-Carlo Fisher (${SAMPLES} samples) vs GGN: relative error ${err.toFixed(3)}`);
      // Sampling error of a second moment from S draws: ~sqrt(2 / S) per entry = 0.04; allow 0.15.
      assert.ok(err < 0.15, `Monte-Carlo Fisher relative error ${err}`);
      mb.all();
    });
  }
});

describe('Jacobian- and Fisher-vector products against central finite differences', () => {
  for (const loss of ['softmax-cross-entropy', 'squared-error'] as const) {
    test(`${loss}: J v and J^T H_L J v`, () => {
      const mb = setup(tinyMlp(loss), 5);
      const { layout, params, space, model, x } = mb;
      const v = unflattenTree(Float32Array.from({ length: layout.total }, (_, i) => Math.sin(1.7 * i + 0.3)), layout);
      const pn = Math.sqrt(flatten(params, layout).reduce((a, b) => a + b * b, 0));
      const vn = Math.sqrt(flatten(v, layout).reduce((a, b) => a + b * b, 0));
      const eps = (1e-2 * pn) / vn;
      const f = (p: Params) => model.forward(p, x).output;
      const plus = shifted(params, v, eps);
      const minus = shifted(params, v, -eps);
      const jvFd = tf.tidy(() => tf.div(tf.sub(f(plus), f(minus)), 2 * eps));
      const jv = space.jvp(v);
      const jvErr = relativeError(jv.dataSync(), jvFd.dataSync());
      // Gradient of the Gauss-Newton model q(d) = L(f(theta) + J d) at d = +-eps v:
      // J^T dL/dz(f(theta) +- eps J v), central difference in eps = J^T H_L J v.
      const gnGrad = (sign: number) =>
        tf.tidy(() => {
          const z = tf.add(mb.output, tf.mul(jvFd, sign * eps));
          const dz = tf.grad((o: tf.Tensor) => modelLoss(model, o, mb.target))(z);
          return space.vjp(dz);
        });
      const gp = gnGrad(1);
      const gm = gnGrad(-1);
      const fvFd = tf.tidy(() => Object.fromEntries(layout.names.map((n) => [n, tf.div(tf.sub(gp[n], gm[n]), 2 * eps)])));
      const fv = ggnProduct(space, v);
      const fvErr = relativeError(flatten(fv, layout), flatten(fvFd, layout));
      console.log(`${loss}: eps = ${eps.toExponential(2)}, J v rel. error ${jvErr.toExponential(2)}, F v rel. error ${fvErr.toExponential(2)}`);
      // float32 central differences at eps ~ 1e-2 ||theta|| / ||v||: truncation O(eps^2) ~ 1e-4.
      assert.ok(jvErr < 2e-3, `J v relative error ${jvErr}`);
      assert.ok(fvErr < 2e-3, `F v relative error ${fvErr}`);
      tf.dispose([jvFd, jv]);
      [v, plus, minus, gp, gm, fvFd, fv].forEach(disposeTree);
      mb.all();
    });
  }
});
