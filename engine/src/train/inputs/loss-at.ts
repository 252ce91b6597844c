// lossAt: the minibatch loss at other parameters (K-FAC's reduction ratio rho, line search).
import * as tf from '@tensorflow/tfjs';
import { modelLoss } from '../../models/loss';
import type { Params } from '../../optim/types';
import type { InputProvider } from './types';

export const lossAt: InputProvider<'lossAt'> = {
  provide: ({ model, x, target }) => (at: Params) => {
    const l = tf.tidy(() => modelLoss(model, model.forward(at, x, { training: true }).output, target));
    const v = l.dataSync()[0];
    l.dispose();
    return v;
  },
};
