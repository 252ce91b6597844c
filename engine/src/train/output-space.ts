// Products with the network Jacobian J = d(output)/d(params) on one minibatch (optim/types.ts
// OutputSpace), and the GGN-vector product built from them. J v is the model's forward-mode
// product (Model.jvp: one forward pass carrying tangents) when it has one; otherwise the
// double-vjp trick (J v = d/du <J^T u, v> at u = 0), since tfjs has no forward-mode
// differentiation, which costs a forward and a backward pass and the backward pass's own gradient.
import * as tf from '@tensorflow/tfjs';
import { modelLoss } from '../models/loss';
import type { Model } from '../models/types';
import type { OutputSpace, Params } from '../optim/types';
import { outputCurvatureProduct } from './loss';

/** Parameters as parallel name and tensor lists (tf.grads takes a list). */
export function splitParams(params: Params): { names: string[]; list: tf.Tensor[] } {
  const names = Object.keys(params);
  return { names, list: names.map((n) => params[n]) };
}

/** The inverse of splitParams. */
export function joinParams(names: string[], list: tf.Tensor[]): Params {
  const p: Params = {};
  names.forEach((n, i) => (p[n] = list[i]));
  return p;
}

/**
 * J v by the double-vjp trick: J v = d/du <J^T u, v> at u = 0 (any u gives the same, J^T u being
 * linear in u). Works for every model; `v` must hold a tangent for every parameter in `params`.
 * `output` (optional, borrowed) is the model's output at params, only for its shape (without it,
 * one more forward pass). Returns a fresh tensor of the output's shape.
 */
export function jvpByDoubleVjp(model: Model, params: Params, x: tf.Tensor, v: Params, output?: tf.Tensor): tf.Tensor {
  const { names, list } = splitParams(params);
  const forward = (ps: tf.Tensor[]) => model.forward(joinParams(names, ps), x, { training: true }).output;
  return tf.tidy(() => {
    const u0 = tf.zerosLike(output ?? forward(list));
    return tf.grad((u: tf.Tensor) => {
      const jtu = tf.grads((...ps: tf.Tensor[]) => tf.sum(tf.mul(forward(ps), u)))(list);
      return tf.addN(jtu.map((g, i) => tf.sum(tf.mul(g, v[names[i]]))));
    })(u0);
  });
}

/**
 * The output-space view of `model` at `params` on inputs `x` with loss targets `target`. `output`
 * is the model's output at params (borrowed, e.g. kept from the training pass); the returned
 * object's `lossGrad` is owned by the caller of this function (dispose it with the step). J v is
 * the model's forward mode (Model.jvp) when it has one, else the double-vjp.
 */
export function outputSpace(model: Model, params: Params, x: tf.Tensor, target: tf.Tensor, output: tf.Tensor): OutputSpace {
  const { names, list } = splitParams(params);
  const forward = (ps: tf.Tensor[]) => model.forward(joinParams(names, ps), x, { training: true }).output;
  const vjp = (u: tf.Tensor): Params =>
    tf.tidy(() => joinParams(names, tf.grads((...ps: tf.Tensor[]) => tf.sum(tf.mul(forward(ps), u)))(list)));
  const forwardMode = model.jvp?.bind(model);
  const jvp = forwardMode
    ? (v: Params): tf.Tensor =>
        tf.tidy(() => {
          // One forward pass carrying the tangents; its output (= `output`) is dropped.
          const r = forwardMode(params, v, x, { training: true });
          r.output.dispose();
          return r.tangent;
        })
    : (v: Params): tf.Tensor => jvpByDoubleVjp(model, params, x, v, output);
  const lossGrad = tf.tidy(() => tf.grad((o: tf.Tensor) => modelLoss(model, o, target))(output));
  return {
    output,
    lossGrad,
    jvp,
    vjp,
    curvature: (z: tf.Tensor) => outputCurvatureProduct(model.loss, output, z),
  };
}

/** GGN (= Fisher for the engine's losses) of the mean minibatch loss times v: J^T H_L J v. */
export function ggnProduct(space: OutputSpace, v: Params): Params {
  return tf.tidy(() => {
    const hjv = space.curvature(space.jvp(v));
    return space.vjp(hjv);
  });
}
