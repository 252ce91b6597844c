// K-FAC (Martens & Grosse 2015) for dense layers and KFC (Grosse & Martens 2016) for convolutions,
// as one complete optimizer transform (science-spec sections 3 and 4). One update, in the order of 3.7:
//   1. EMA of every registered layer's factors from extras.layerStats (sampled targets = true
//      Fisher), a plain running mean during burn-in (burn-in steps return zero updates);
//   2. damped inverses every T3 updates (and on the first three), synchronously or through the
//      InverseService (submitted at update k, applied from k + inverseLag);
//   3. Delta = -(A^-1 V G^-1) per layer with damping lambda + eta; parameters of no registered layer
//      get the plain gradient, Delta = -grad, and share the layers' alpha and mu;
//   4. adaptive mode: (alpha, mu) minimise the exact quadratic model; fixed mode: alpha = lr
//      (optionally KL-clipped), mu = momentum;
//   5. delta = alpha Delta + mu delta0 (the returned update), kept as the next delta0;
//   6. every T1 updates: rho = (h(theta + delta) - h(theta)) / (M(delta) - M(0)) on the same
//      minibatch, and the Levenberg-Marquardt rule for lambda.
import * as tf from '@tensorflow/tfjs';
import { InverseService, trace, type InverseJob, type InverseTicket } from '../../linalg';
import { applyUpdates, mapParams, requireExtras, wantStats } from '../base';
import { disposeState } from '../state';
import type { GradientTransformation, LayerTap, Needs, Params, Schedule } from '../types';
import { levenbergMarquardt } from './damping';
import { emaUpdate, emaWeights, nextWeight } from './ema';
import { readFactors } from './factors';
import { disposeInverses, inverseJobs, runJobsHere, toLayerInverses, namingLayers, type FactorPair, type LayerInverse } from './inverses';
import { resolveKfacOptions, type KfacOptions, type ResolvedKfacOptions } from './options';
import { eigenSolve, kroneckerSolve, stackGradient, unstackUpdate, type LayerParams } from './precondition';
import { modelChange, quadraticTerms, solveQuadraticModel, type QuadraticTerms } from './qmodel';

/** A registered layer's curvature: where its parameters are and its factor averages. */
export type KfacLayerState = LayerParams & FactorPair;

/** Inverses submitted to the worker: applied from update `applyAt`; `factors` lets a resumed run recompute them. */
export type PendingInverses = { applyAt: number; ticket: string; damping: number; factors: Record<string, FactorPair> };

export type KfacState = {
  /** update() calls so far (burn-in included). */
  count: number;
  /** Parameter updates so far (burn-in excluded). */
  updates: number;
  /** The Levenberg-Marquardt damping lambda. */
  lambda: number;
  /** Total weight of the factors' moving average (shared by every layer). */
  emaWeight: number;
  layers: Record<string, KfacLayerState>;
  inverses: Record<string, LayerInverse> | null;
  pending: PendingInverses | null;
  /** The previous update (null before the first). */
  delta0: Params | null;
};

/** With more registered layers than this, per-layer stats are summarised as max and mean. */
const MAX_LAYER_STATS = 8;

let instances = 0;
/**
 * One inverse worker thread per process, shared by every K-FAC instance (a sweep worker runs many
 * trials); tickets are keyed per instance, and the worker runs batches in submission order.
 */
let sharedService: InverseService | null = null;

function scheduleOf(lr: number | Schedule | undefined): Schedule | null {
  if (lr === undefined) return null;
  return typeof lr === 'number' ? () => lr : lr;
}

function layerParams(tap: LayerTap): LayerParams {
  return { weight: tap.weight, bias: tap.bias ?? null };
}

/** The factors as the inverse jobs read them (copies when they must outlive in-place EMA updates). */
function factorPairs(layers: Record<string, KfacLayerState>, copy: boolean): Record<string, FactorPair> {
  const out: Record<string, FactorPair> = {};
  for (const [name, l] of Object.entries(layers)) out[name] = { a: copy ? l.a.slice() : l.a, g: copy ? l.g.slice() : l.g, dimA: l.dimA, dimG: l.dimG };
  return out;
}

/** Per-layer factor stats (traces of the averages, conditions of the damped factors), bounded in number. */
function layerStats(layers: Record<string, KfacLayerState>, inverses: Record<string, LayerInverse> | null): Record<string, number> {
  const rows = Object.entries(layers).map(([name, l]) => ({
    name,
    A_trace: trace(l.a, l.dimA),
    G_trace: trace(l.g, l.dimG),
    A_cond: inverses?.[name]?.aCond ?? NaN,
    G_cond: inverses?.[name]?.gCond ?? NaN,
  }));
  const out: Record<string, number> = {};
  const keys = ['A_trace', 'G_trace', 'A_cond', 'G_cond'] as const;
  if (rows.length <= MAX_LAYER_STATS) {
    for (const r of rows) for (const k of keys) if (Number.isFinite(r[k])) out[`${k}/${r.name}`] = r[k];
    return out;
  }
  for (const k of keys) {
    const xs = rows.map((r) => r[k]).filter(Number.isFinite);
    if (!xs.length) continue;
    out[`${k}/max`] = Math.max(...xs);
    out[`${k}/mean`] = xs.reduce((a, b) => a + b, 0) / xs.length;
  }
  return out;
}

/**
 * K-FAC / KFC as a complete optimizer: returns the updates to ADD to the parameters. Needs layer
 * statistics with sampled targets (and, when adapting alpha/mu or the damping, the output space,
 * the minibatch loss and a loss evaluator). Stats: damping, alpha, mu, rho and qmodel_change (when
 * computed), inverse_ms (main-thread time spent on inverses this update), learning_rate (fixed mode),
 * kl_clip (with klClip), and per layer A_trace, G_trace, A_cond, G_cond (condition numbers of the
 * damped factors, for factors up to COND_MAX_SIZE; max/mean over layers when there are more than 8).
 */
export function kfac(options: Partial<KfacOptions> = {}): GradientTransformation<KfacState> {
  const o: ResolvedKfacOptions = resolveKfacOptions(options);
  const schedule = scheduleOf(o.learningRate);
  const adaptive = schedule === null;
  const needs: Needs = { layerStats: 'sampled' };
  if (o.statsFraction < 1) needs.layerStatsFraction = o.statsFraction;
  if (o.subsetMinRows > 1 && (o.statsFraction < 1 || o.quadModelFraction < 1)) needs.subsetMinRows = o.subsetMinRows;
  if (adaptive || o.adaptDamping) {
    needs.outputSpace = true;
    if (o.quadModelFraction < 1) needs.outputSpaceFraction = o.quadModelFraction;
  }
  if (o.adaptDamping) {
    needs.loss = true;
    needs.lossAt = true;
  }
  const eta = o.l2;
  const id = `kfac${++instances}`;
  const tickets = new Map<string, InverseTicket>();
  let ticketCount = 0;

  const useAsync = (layers: Record<string, KfacLayerState>): boolean =>
    o.asyncInverses ?? Object.values(layers).some((l) => Math.max(l.dimA, l.dimG) >= o.asyncMinSize);

  /** Installs the pending inverses (waiting for the worker, or recomputing after a resume). */
  function collect(pending: PendingInverses): Record<string, LayerInverse> {
    const jobs = inverseJobs(pending.factors, pending.damping, o.exactInverses);
    const ticket = tickets.get(pending.ticket);
    tickets.delete(pending.ticket);
    const submittedAt = pending.applyAt - o.inverseLag;
    const results = ticket ? namingLayers(pending.factors, submittedAt, () => ticket.wait()) : runJobsHere(jobs, pending.factors, submittedAt);
    return toLayerInverses(pending.factors, jobs, results, pending.damping);
  }

  function submit(jobs: InverseJob[]): string {
    sharedService ??= new InverseService();
    const key = `${id}:${++ticketCount}`;
    tickets.set(key, sharedService.submit(jobs));
    return key;
  }

  function preconditioned(grads: Params, layers: Record<string, KfacLayerState>, inverses: Record<string, LayerInverse>, damping: number): Params {
    return tf.tidy(() => {
      const out: Params = {};
      const shapes: Record<string, number[]> = {};
      for (const [n, g] of Object.entries(grads)) shapes[n] = g.shape;
      for (const [name, layer] of Object.entries(layers)) {
        const v = stackGradient(grads, layer);
        const inv = inverses[name];
        const u =
          inv.kind === 'cholesky'
            ? kroneckerSolve(v, inv.aInv as tf.Tensor2D, inv.gInv as tf.Tensor2D)
            : eigenSolve(v, inv.qa as tf.Tensor2D, inv.sa as tf.Tensor1D, inv.qg as tf.Tensor2D, inv.sg as tf.Tensor1D, damping);
        Object.assign(out, unstackUpdate(tf.neg(u) as tf.Tensor2D, layer, shapes));
      }
      // Parameters of no registered layer: the plain (negative) gradient.
      for (const [n, g] of Object.entries(grads)) if (!(n in out)) out[n] = tf.neg(g);
      return out;
    });
  }

  /** h(theta + delta) - h(theta) on the minibatch, with the L2 term eta/2 |theta|^2. */
  function actualChange(params: Params, delta: Params, loss: number, lossAt: (p: Params) => number): number {
    const moved = applyUpdates(params, delta);
    let h1: number;
    try {
      h1 = lossAt(moved);
    } finally {
      disposeState(moved);
    }
    if (eta === 0) return h1 - loss;
    // eta/2 (|theta + delta|^2 - |theta|^2) = eta (theta.delta + |delta|^2 / 2)
    const l2 = tf.tidy(() => tf.addN(Object.keys(params).map((n) => tf.sum(tf.mul(tf.add(params[n], tf.mul(delta[n], 0.5)), delta[n])))));
    const extra = eta * l2.dataSync()[0];
    l2.dispose();
    return h1 - loss + extra;
  }

  return {
    name: 'kfac',
    needs,
    // Burn-in: factor statistics only, zero updates (below); not training steps.
    warmupSteps: o.burnIn,
    init: () => ({ count: 0, updates: 0, lambda: o.damping, emaWeight: 0, layers: {}, inverses: null, pending: null, delta0: null }),
    update(grads, state, params, extras) {
      requireExtras('kfac', needs, extras);
      const taps = extras.layerStats!;
      const inBurnIn = state.count < o.burnIn;
      const stats: Record<string, number> = {};
      // Phase timings (options.timing): main-thread ms since the previous mark.
      let mark = o.timing ? performance.now() : 0;
      const lap = (phase: string) => {
        if (!o.timing) return;
        const now = performance.now();
        stats[`time_${phase}`] = (stats[`time_${phase}`] ?? 0) + (now - mark);
        mark = now;
      };

      // 1. Factor statistics (float32 views of one device read) folded into the float64 moving
      // averages in place.
      const batch = readFactors(taps);
      lap('factors');
      const { emaOld, emaNew } = emaWeights(inBurnIn, o.emaDecay);
      const layers: Record<string, KfacLayerState> = {};
      for (const [name, f] of Object.entries(batch)) {
        const old = state.layers[name];
        layers[name] = {
          ...layerParams(taps[name]),
          a: emaUpdate(old?.a ?? null, old ? state.emaWeight : 0, f.a, emaOld, emaNew),
          g: emaUpdate(old?.g ?? null, old ? state.emaWeight : 0, f.g, emaOld, emaNew, f.gFactor),
          dimA: f.dimA,
          dimG: f.dimG,
        };
      }
      lap('ema');
      const next: KfacState = { ...state, count: state.count + 1, layers, emaWeight: nextWeight(state.emaWeight, emaOld, emaNew) };
      if (inBurnIn) {
        const zeros = tf.tidy(() => mapParams(grads, (g) => tf.zerosLike(g)));
        return { updates: zeros, state: next, stats: { ...stats, damping: state.lambda } };
      }

      const k = state.updates;
      const damping = state.lambda + eta;

      // 2. Inverses: install what was submitted earlier, then refresh if due.
      const t0 = performance.now();
      let inverses = state.inverses;
      let pending = state.pending;
      if (pending && k >= pending.applyAt) {
        const fresh = collect(pending);
        disposeInverses(inverses);
        inverses = fresh;
        pending = null;
      }
      if (inverses === null || k % o.inverseEvery === 0 || k < 3) {
        const asyncNow = inverses !== null && k >= 3 && useAsync(layers);
        const factors = factorPairs(layers, asyncNow);
        const jobs = inverseJobs(factors, damping, o.exactInverses);
        if (asyncNow) {
          pending = { applyAt: k + o.inverseLag, ticket: submit(jobs), damping, factors };
        } else {
          const fresh = toLayerInverses(factors, jobs, runJobsHere(jobs, factors, k), damping);
          disposeInverses(inverses);
          inverses = fresh;
        }
      }
      stats.inverse_ms = performance.now() - t0;
      lap('inverses');
      const active = inverses!;

      // 3. The preconditioned direction, on the gradient of h + eta/2 |theta|^2.
      const g = eta > 0 ? tf.tidy(() => mapParams(grads, (x, n) => tf.add(x, tf.mul(params[n], eta)))) : grads;
      const direction = preconditioned(g, layers, active, damping);
      const delta0 = k > 0 ? state.delta0 : null;
      lap('precondition');

      try {
        // 4. Step size and momentum.
        let alpha: number;
        let mu: number;
        let terms: QuadraticTerms | null = null;
        if (adaptive) {
          terms = quadraticTerms(extras.outputSpace!, g, direction, delta0);
          const sol = solveQuadraticModel(terms, state.lambda, eta, delta0 !== null);
          alpha = sol.alpha;
          mu = sol.mu;
          stats.qmodel_change = sol.change;
          lap('qmodel');
        } else {
          const lr = schedule(k);
          if (!Number.isFinite(lr)) throw new RangeError(`kfac: learning rate schedule gave ${lr} at update ${k}`);
          let clip = 1;
          if (o.klClip !== undefined) {
            // grad^T Fhat^-1 grad = -grad . Delta
            const gd = tf.tidy(() => tf.addN(Object.keys(g).map((n) => tf.sum(tf.mul(g[n], direction[n])))));
            const v = Math.abs(gd.dataSync()[0]);
            gd.dispose();
            clip = v > 0 ? Math.min(1, Math.sqrt(o.klClip / (lr * lr * v))) : 1;
            stats.kl_clip = clip;
          }
          alpha = lr * clip;
          mu = delta0 ? o.momentum : 0;
          stats.learning_rate = lr;
          lap('update');
        }
        stats.alpha = alpha;
        stats.mu = mu;

        // 5. The update.
        const updates = tf.tidy(() => mapParams(direction, (d, n) => (delta0 && mu !== 0 ? tf.add(tf.mul(d, alpha), tf.mul(delta0[n], mu)) : tf.mul(d, alpha))));
        lap('update');

        // 6. rho and the Levenberg-Marquardt rule.
        let lambda = state.lambda;
        if (o.adaptDamping && (k + 1) % o.adaptEvery === 0) {
          if (!terms) {
            terms = quadraticTerms(extras.outputSpace!, g, direction, delta0);
            lap('qmodel');
          }
          const predicted = modelChange(terms, eta, alpha, mu);
          const actual = actualChange(params, updates, extras.loss!, extras.lossAt!);
          const rho = actual / predicted;
          stats.rho = rho;
          if (!adaptive) stats.qmodel_change = predicted;
          lambda = levenbergMarquardt(lambda, rho, { decay: o.dampingDecay, every: o.adaptEvery, min: o.minDamping, max: o.maxDamping });
          lap('rho');
        }
        stats.damping = lambda;
        if (wantStats(extras)) Object.assign(stats, layerStats(layers, active));

        disposeState(state.delta0);
        next.delta0 = tf.tidy(() => mapParams(updates, (u) => tf.clone(u)));
        lap('update');
        next.updates = k + 1;
        next.lambda = lambda;
        next.inverses = inverses;
        next.pending = pending;
        return { updates, state: next, stats };
      } finally {
        disposeState(direction);
        if (g !== grads) disposeState(g);
      }
    },
  };
}

