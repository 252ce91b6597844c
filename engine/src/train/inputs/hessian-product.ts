// jvp and vjp of the gradient field: for one loss, both are the Hessian-vector product (the
// Hessian is symmetric), by double backprop.
import * as tf from '@tensorflow/tfjs';
import { modelLoss } from '../../models/loss';
import type { Params } from '../../optim/types';
import { joinParams, splitParams } from '../output-space';
import type { InputProvider, StepInputs } from './types';

/** Hessian of the minibatch loss times v. */
function hessianProduct({ model, params, x, target }: StepInputs, v: Params): Params {
  return tf.tidy(() => {
    const { names, list } = splitParams(params);
    const res = tf.grads((...ps: tf.Tensor[]) => {
      const g = tf.grads((...qs: tf.Tensor[]) => modelLoss(model, model.forward(joinParams(names, qs), x, { training: true }).output, target))(ps);
      return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[names[i]]))));
    })(list);
    return joinParams(names, res);
  });
}

export const jvp: InputProvider<'jvp'> = { provide: (s) => (v: Params) => hessianProduct(s, v) };
export const vjp: InputProvider<'vjp'> = { provide: (s) => (v: Params) => hessianProduct(s, v) };
