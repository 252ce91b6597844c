// Natural gradient descent as one complete optimizer (its updates are ADDED to the parameters):
// delta = -eta (F + lambda I)^-1 grad, F the Fisher = GGN of the mean minibatch loss, solved
// exactly in output space or by conjugate gradient (see options.ts and exact.ts).
//
// Stats, all without prefix: learning_rate, damping (always); 'exact': gram_lambda_min,
// gram_lambda_max, gram_condition of section 6's Gram J J^T and, for squared error, residual
// = ||u - y||^2 at the parameters the step starts from; 'cg': cg_iterations, cg_residual.
import * as tf from '@tensorflow/tfjs';
import { requireExtras, wantStats } from '../base';
import { constant } from '../schedules';
import type { GradientTransformation, Needs, Params } from '../types';
import { conjugateGradient } from './cg';
import { exactDirection, gramStats } from './exact';
import { resolveNaturalGradientOptions, type NaturalGradientOptions } from './options';
import { paramLayout, unflatten } from './output-space-matrices';

export type NaturalGradientState = { count: number };

export function naturalGradient(options: NaturalGradientOptions = {}): GradientTransformation<NaturalGradientState> {
  const o = resolveNaturalGradientOptions(options);
  const schedule = typeof o.learningRate === 'number' ? constant(o.learningRate) : o.learningRate;
  const needs: Needs = o.method === 'exact' ? { outputSpace: true } : { curvatureProduct: true };
  const name = 'natural_gradient';
  return {
    name,
    needs,
    init: () => ({ count: 0 }),
    update(grads, state, params, extras) {
      requireExtras(name, needs, extras);
      const lr = schedule(state.count);
      if (!Number.isFinite(lr)) throw new RangeError(`natural gradient: learning rate schedule gave ${lr} at step ${state.count}`);
      const stats: Record<string, number> = { learning_rate: lr, damping: o.damping };
      let updates: Params;
      if (o.method === 'exact') {
        const layout = paramLayout(params);
        const r = exactDirection(extras.outputSpace!, layout, o.damping);
        updates = unflatten(r.direction, layout, -lr);
        if (r.residual !== null) stats.residual = r.residual;
        if (wantStats(extras)) Object.assign(stats, gramStats(r.gram, r.n));
      } else {
        const r = conjugateGradient(extras.curvatureProduct!, grads, o.damping, o.cgIterations, o.cgTolerance);
        updates = tf.tidy(() => Object.fromEntries(Object.entries(r.x).map(([k, t]) => [k, tf.mul(t, -lr)])));
        tf.dispose(Object.values(r.x));
        stats.cg_iterations = r.iterations;
        stats.cg_residual = r.relativeResidual;
      }
      return { updates, state: { count: state.count + 1 }, stats };
    },
  };
}
