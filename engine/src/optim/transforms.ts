// The first-order building blocks (optax's transforms on tfjs tensors). Each update runs in
// tf.tidy; each replaced state tensor is disposed; returned updates are always fresh tensors.
import * as tf from '@tensorflow/tfjs';
import { cloneParams, globalNorm, mapParams, readScalar, wantStats } from './base';
import { constant } from './schedules';
import type { GradientTransformation, Params, Schedule } from './types';

function check(cond: boolean, message: string): void {
  if (!cond) throw new RangeError(message);
}

const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function zerosLike(params: Params): Params {
  return tf.tidy(() => mapParams(params, (p) => tf.zerosLike(p)));
}

function disposeTree(tree: Params): void {
  for (const t of Object.values(tree)) if (!t.isDisposed) t.dispose();
}

// ---- scaling ------------------------------------------------------------------------------------

export type CountState = { count: number };

/**
 * Multiplies updates by -lr(step) (flipSign, the default: a descent step) or +lr(step), with the
 * step counted in the state (0 for the first update). Stat: learning_rate.
 */
export function scaleByLearningRate(learningRate: number | Schedule, opts: { flipSign?: boolean } = {}): GradientTransformation<CountState> {
  if (typeof learningRate === 'number') check(isFiniteNumber(learningRate), `learning rate must be a finite number, got ${learningRate}`);
  const schedule = typeof learningRate === 'number' ? constant(learningRate) : learningRate;
  const sign = opts.flipSign === false ? 1 : -1;
  return {
    name: 'scale_by_learning_rate',
    needs: {},
    init: () => ({ count: 0 }),
    update(grads, state) {
      const lr = schedule(state.count);
      if (!Number.isFinite(lr)) throw new RangeError(`learning rate schedule gave ${lr} at step ${state.count}`);
      const updates = tf.tidy(() => mapParams(grads, (g) => tf.mul(g, sign * lr)));
      return { updates, state: { count: state.count + 1 }, stats: { learning_rate: lr } };
    },
  };
}

/** Multiplies updates by a constant. */
export function scale(factor: number): GradientTransformation<null> {
  check(isFiniteNumber(factor), `scale factor must be a finite number, got ${factor}`);
  return {
    name: 'scale',
    needs: {},
    init: () => null,
    update: (grads) => ({ updates: tf.tidy(() => mapParams(grads, (g) => tf.mul(g, factor))), state: null }),
  };
}

export type DiagonalState = { diagonal: Params };

/** A per-parameter diagonal: a tensor, numbers (reshaped to the parameter when sizes match), or one number. */
export type DiagonalSpec = Record<string, tf.Tensor | ArrayLike<number> | number>;

/**
 * Preconditioning by a fixed diagonal: updates * P elementwise. P is given per parameter and must
 * broadcast to the parameter's shape (for the NQM, P = h^-p of shape [d] with params [seeds, d]).
 * The diagonal lives in the state (so it is checkpointed and disposed with it).
 */
export function scaleByDiagonal(diagonal: DiagonalSpec): GradientTransformation<DiagonalState> {
  return {
    name: 'scale_by_diagonal',
    needs: {},
    init(params) {
      const unknown = Object.keys(diagonal).filter((k) => !(k in params));
      check(unknown.length === 0, `scale_by_diagonal: no parameter named ${unknown.map((k) => `"${k}"`).join(', ')}`);
      const missing = Object.keys(params).filter((k) => !(k in diagonal));
      check(missing.length === 0, `scale_by_diagonal: no diagonal for parameter ${missing.map((k) => `"${k}"`).join(', ')}`);
      const out: Params = {};
      try {
        for (const [name, p] of Object.entries(params)) {
          const spec = diagonal[name];
          let t: tf.Tensor;
          if (spec instanceof tf.Tensor) t = tf.clone(spec);
          else if (typeof spec === 'number') t = tf.scalar(spec);
          else {
            const values = Float32Array.from(spec as ArrayLike<number>);
            t = values.length === p.size ? tf.tensor(values, p.shape) : tf.tensor1d(values);
          }
          out[name] = t;
          let shape: number[];
          try {
            shape = tf.backend_util.assertAndGetBroadcastShape(t.shape, p.shape);
          } catch {
            shape = [];
          }
          check(
            shape.length === p.shape.length && shape.every((n, i) => n === p.shape[i]),
            `scale_by_diagonal: the diagonal of "${name}" has shape [${t.shape.join(', ')}], which does not broadcast to the parameter's [${p.shape.join(', ')}]`,
          );
        }
      } catch (err) {
        disposeTree(out);
        throw err;
      }
      return { diagonal: out };
    },
    update(grads, state) {
      const updates = tf.tidy(() => mapParams(grads, (g, name) => tf.mul(g, state.diagonal[name]), { what: 'gradients', tree: state.diagonal }));
      return { updates, state };
    },
  };
}

// ---- momentum -----------------------------------------------------------------------------------

export type TraceState = { trace: Params };

/**
 * Heavy-ball momentum in the velocity form v <- beta v + g, update v; with nesterov the update is
 * g + beta v (the new v), as PyTorch and optax.trace. Followed by scaleByLearningRate(lr) it is
 * x <- x - lr v, i.e. the NQM's v' <- m v' - lr g; x <- x + v' with v' = -lr v (constant lr).
 */
export function traceMomentum(beta: number, opts: { nesterov?: boolean } = {}): GradientTransformation<TraceState> {
  check(isFiniteNumber(beta) && beta >= 0 && beta < 1, `momentum must be in [0, 1), got ${beta}`);
  const nesterov = opts.nesterov === true;
  return {
    name: nesterov ? 'nesterov_momentum' : 'trace_momentum',
    needs: {},
    init: (params) => ({ trace: zerosLike(params) }),
    update(grads, state) {
      const out = tf.tidy(() => {
        const trace = mapParams(state.trace, (v, n) => tf.add(tf.mul(v, beta), grads[n]), { what: 'gradients', tree: grads });
        const updates = nesterov ? mapParams(trace, (v, n) => tf.add(grads[n], tf.mul(v, beta))) : cloneParams(trace);
        return { trace, updates };
      });
      disposeTree(state.trace);
      return { updates: out.updates, state: { trace: out.trace } };
    },
  };
}

// ---- adaptive -----------------------------------------------------------------------------------

export type AdamState = { count: number; mu: Params; nu: Params };

/**
 * Adam's scaling (Kingma & Ba 2015) with bias correction: mu <- b1 mu + (1 - b1) g,
 * nu <- b2 nu + (1 - b2) g^2, update = mu_hat / (sqrt(nu_hat + epsRoot) + eps) with
 * mu_hat = mu / (1 - b1^t), nu_hat = nu / (1 - b2^t), t = 1 for the first update.
 */
export function scaleByAdam(b1 = 0.9, b2 = 0.999, eps = 1e-8, opts: { epsRoot?: number } = {}): GradientTransformation<AdamState> {
  check(isFiniteNumber(b1) && b1 >= 0 && b1 < 1, `beta1 must be in [0, 1), got ${b1}`);
  check(isFiniteNumber(b2) && b2 >= 0 && b2 < 1, `beta2 must be in [0, 1), got ${b2}`);
  check(isFiniteNumber(eps) && eps >= 0, `eps must be >= 0, got ${eps}`);
  const epsRoot = opts.epsRoot ?? 0;
  check(isFiniteNumber(epsRoot) && epsRoot >= 0, `epsRoot must be >= 0, got ${epsRoot}`);
  return {
    name: 'scale_by_adam',
    needs: {},
    init: (params) => ({ count: 0, mu: zerosLike(params), nu: zerosLike(params) }),
    update(grads, state) {
      const t = state.count + 1;
      const bc1 = 1 - Math.pow(b1, t);
      const bc2 = 1 - Math.pow(b2, t);
      const out = tf.tidy(() => {
        const mu = mapParams(state.mu, (m, n) => tf.add(tf.mul(m, b1), tf.mul(grads[n], 1 - b1)), { what: 'gradients', tree: grads });
        const nu = mapParams(state.nu, (v, n) => tf.add(tf.mul(v, b2), tf.mul(tf.square(grads[n]), 1 - b2)));
        const updates = mapParams(mu, (m, n) => {
          let denom = tf.div(nu[n], bc2);
          if (epsRoot > 0) denom = tf.add(denom, epsRoot);
          return tf.div(tf.div(m, bc1), tf.add(tf.sqrt(denom), eps));
        });
        return { mu, nu, updates };
      });
      disposeTree(state.mu);
      disposeTree(state.nu);
      return { updates: out.updates, state: { count: t, mu: out.mu, nu: out.nu } };
    },
  };
}

export type RmsState = { nu: Params };

/**
 * RMSProp's scaling (Tieleman & Hinton 2012): nu <- decay nu + (1 - decay) g^2, update
 * g / (sqrt(nu) + eps) (PyTorch, optax), or g / sqrt(nu + eps) with epsInSqrt (TF1). nu starts at
 * initialScale (optax: 0; TF1's RMSPropOptimizer: 1). No bias correction.
 */
export function scaleByRms(decay = 0.9, eps = 1e-8, opts: { initialScale?: number; epsInSqrt?: boolean } = {}): GradientTransformation<RmsState> {
  check(isFiniteNumber(decay) && decay >= 0 && decay < 1, `RMSProp decay must be in [0, 1), got ${decay}`);
  check(isFiniteNumber(eps) && eps >= 0, `eps must be >= 0, got ${eps}`);
  const initialScale = opts.initialScale ?? 0;
  check(isFiniteNumber(initialScale) && initialScale >= 0, `initialScale must be >= 0, got ${initialScale}`);
  const epsInSqrt = opts.epsInSqrt === true;
  return {
    name: 'scale_by_rms',
    needs: {},
    init: (params) => ({ nu: tf.tidy(() => mapParams(params, (p) => tf.fill(p.shape, initialScale, p.dtype))) }),
    update(grads, state) {
      const out = tf.tidy(() => {
        const nu = mapParams(state.nu, (v, n) => tf.add(tf.mul(v, decay), tf.mul(tf.square(grads[n]), 1 - decay)), { what: 'gradients', tree: grads });
        const updates = mapParams(nu, (v, n) => tf.div(grads[n], epsInSqrt ? tf.sqrt(tf.add(v, eps)) : tf.add(tf.sqrt(v), eps)));
        return { nu, updates };
      });
      disposeTree(state.nu);
      return { updates: out.updates, state: { nu: out.nu } };
    },
  };
}

// ---- regularisation and clipping ---------------------------------------------------------------

/**
 * updates + wd * params. After an adaptive scaling and before scaleByLearningRate this is AdamW's
 * decoupled weight decay (the decay is scaled by lr but not by the preconditioner); first in a
 * chain it is an L2 penalty's gradient. `mask(name)` false leaves a parameter undecayed (biases).
 */
export function addDecayedWeights(weightDecay: number, opts: { mask?: (name: string) => boolean } = {}): GradientTransformation<null> {
  check(isFiniteNumber(weightDecay) && weightDecay >= 0, `weight decay must be >= 0, got ${weightDecay}`);
  const mask = opts.mask ?? (() => true);
  return {
    name: 'add_decayed_weights',
    needs: {},
    init: () => null,
    update(grads, _state, params) {
      const updates = tf.tidy(() =>
        mapParams(grads, (g, name) => (mask(name) && weightDecay !== 0 ? tf.add(g, tf.mul(params[name], weightDecay)) : tf.clone(g)), {
          what: 'parameters',
          tree: params,
        }),
      );
      return { updates, state: null };
    },
  };
}

/**
 * Rescales the updates to global norm at most maxNorm: u * min(1, maxNorm / ||u||). Stats:
 * global_norm (before clipping) and clipped (1 when the scale was < 1).
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<null> {
  check(isFiniteNumber(maxNorm) && maxNorm > 0, `clip norm must be > 0, got ${maxNorm}`);
  return {
    name: 'clip_by_global_norm',
    needs: {},
    init: () => null,
    update(grads, _state, _params, extras) {
      const norm = globalNorm(grads);
      const updates = tf.tidy(() => {
        const factor = tf.minimum(1, tf.div(maxNorm, norm));
        return mapParams(grads, (g) => tf.mul(g, factor));
      });
      let stats: Record<string, number> | undefined;
      if (wantStats(extras)) {
        const n = readScalar(norm);
        stats = { global_norm: n, clipped: n > maxNorm ? 1 : 0 };
      }
      norm.dispose();
      return { updates, state: null, stats };
    },
  };
}

/** Passes updates through and reports their global norm as `global_norm` (named e.g. 'grad', 'update'). */
export function trackGlobalNorm(name: string): GradientTransformation<null> {
  return {
    name,
    needs: {},
    init: () => null,
    update(grads, _state, _params, extras) {
      const updates = cloneParams(grads);
      if (!wantStats(extras)) return { updates, state: null };
      const norm = globalNorm(grads);
      const n = readScalar(norm);
      norm.dispose();
      return { updates, state: null, stats: { global_norm: n } };
    },
  };
}

// ---- averaging ----------------------------------------------------------------------------------

export type EmaState = { ema: Params };

/**
 * Exponential moving average of the iterates (Polyak-style, the NQM's EMA):
 * ema_{t+1} = decay ema_t + (1 - decay) theta_{t+1}, ema_0 = theta_0, where theta_{t+1} =
 * params + updates. Passes the updates through unchanged; must be last in a chain. Evaluate on
 * `averaged(state)` (also reachable through chain(...).averaged and evaluationParams).
 */
export function emaOfParams(decay: number): GradientTransformation<EmaState> & { averaged(state: EmaState): Params } {
  check(isFiniteNumber(decay) && decay >= 0 && decay < 1, `EMA decay must be in [0, 1), got ${decay}`);
  return {
    name: 'ema_of_params',
    needs: {},
    terminal: true,
    init: (params) => ({ ema: cloneParams(params) }),
    update(updates, state, params) {
      const out = tf.tidy(() => {
        const ema = mapParams(state.ema, (e, n) => tf.add(tf.mul(e, decay), tf.mul(tf.add(params[n], updates[n]), 1 - decay)), { what: 'updates', tree: updates });
        return { ema, updates: cloneParams(updates) };
      });
      disposeTree(state.ema);
      return { updates: out.updates, state: { ema: out.ema } };
    },
    averaged: (state) => state.ema,
  };
}
