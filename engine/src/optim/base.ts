// Composition (chain), applying updates, and helpers shared by the transforms.
import * as tf from '@tensorflow/tfjs';
import { MERGE_RULES, NEED_NAMES } from './needs';
import { disposeState } from './state';
import type { Extras, GradientTransformation, Needs, Params, State, UpdateResult } from './types';

/** Applies f to each named tensor (the names of `a`; others must hold the same names). */
export function mapParams(a: Params, f: (t: tf.Tensor, name: string) => tf.Tensor, ...others: { what: string; tree: Params }[]): Params {
  for (const o of others) assertSameNames(a, o.tree, o.what);
  const out: Params = {};
  for (const name of Object.keys(a)) out[name] = f(a[name], name);
  return out;
}

/** Throws unless `b` holds exactly the names of `a`. */
export function assertSameNames(a: Params, b: Params, what: string): void {
  const missing = Object.keys(a).filter((k) => !(k in b));
  const extra = Object.keys(b).filter((k) => !(k in a));
  if (missing.length || extra.length) {
    const parts = [];
    if (missing.length) parts.push(`missing ${missing.map((k) => `"${k}"`).join(', ')}`);
    if (extra.length) parts.push(`unexpected ${extra.map((k) => `"${k}"`).join(', ')}`);
    throw new RangeError(`${what} do not match the parameters: ${parts.join('; ')}`);
  }
}

/** sqrt(sum of squares) over every tensor of a tree, as a scalar tensor. */
export function globalNorm(tree: Params): tf.Scalar {
  return tf.tidy(() => {
    const parts = Object.values(tree).map((t) => tf.sum(tf.square(t)));
    return tf.sqrt(parts.length ? tf.addN(parts) : tf.scalar(0)) as tf.Scalar;
  });
}

/** Reads a scalar tensor (one device read). */
export function readScalar(t: tf.Tensor): number {
  return t.dataSync()[0];
}

/** Whether the costly (device-reading) stats are wanted this step. */
export function wantStats(extras: Extras | undefined): boolean {
  return extras?.stats !== false;
}

/** params + updates, as new tensors (the caller owns them; neither input is disposed). */
export function applyUpdates(params: Params, updates: Params): Params {
  return tf.tidy(() => mapParams(params, (p, name) => tf.add(p, updates[name]), { what: 'updates', tree: updates }));
}

/**
 * One optimizer step: update (consuming `state`), apply, dispose the updates. Returns new params
 * (owned by the caller; the old ones are not disposed) and the new state.
 */
export function takeStep<S extends State>(
  tx: GradientTransformation<S>,
  params: Params,
  state: S,
  grads: Params,
  extras: Extras = {},
): { params: Params; state: S; stats: Record<string, number> } {
  const r = tx.update(grads, state, params, extras);
  const next = applyUpdates(params, r.updates);
  tf.dispose(Object.values(r.updates));
  return { params: next, state: r.state, stats: r.stats ?? {} };
}

/** The parameters to evaluate with: the transform's averaged params (EMA), or `params`. */
export function evaluationParams<S extends State>(tx: GradientTransformation<S>, state: S, params: Params): Params {
  return tx.averaged?.(state) ?? params;
}

/**
 * The union of several transforms' needs (optim/needs.ts MERGE_RULES). Conflicting layer-statistics
 * requests (empirical and sampled targets) are an error: one backward pass cannot serve both.
 */
export function mergeNeeds(all: Needs[]): Needs {
  const out: Needs = {};
  for (const rule of Object.values(MERGE_RULES)) rule(out, all);
  return out;
}

/** Throws a clear error when the loop did not provide something a transform declared it needs. */
export function requireExtras(name: string, needs: Needs, extras: Extras): void {
  const missing = NEED_NAMES.filter((k) => needs[k] && extras[k] === undefined);
  if (missing.length) throw new RangeError(`${name} needs ${missing.join(', ')} in extras`);
}

/** Copies of the tensors (cheap: tfjs clones share the data buffer). */
export function cloneParams(tree: Params): Params {
  return mapParams(tree, (t) => tf.clone(t));
}

/** The transform that changes nothing (returns copies, as every update must be fresh). */
export function identity(): GradientTransformation<null> {
  return {
    name: 'identity',
    needs: {},
    init: () => null,
    update: (grads) => ({ updates: cloneParams(grads), state: null }),
  };
}

export type ChainState = State[];

export interface ChainOptions {
  /** Name of the chain (its stats prefix when nested in another chain). Default 'chain'. */
  name?: string;
}

/**
 * Composes transforms left to right: each one's updates are the next one's input. The state is
 * the list of the parts' states; needs are the union; stats are merged as `${part.name}/${key}`
 * (a repeated name gets `_2`, `_3`, ...).
 */
export function chain(...args: (GradientTransformation<State> | ChainOptions)[]): GradientTransformation<ChainState> {
  const opts: ChainOptions = {};
  const ts: GradientTransformation<State>[] = [];
  for (const a of args) {
    if (typeof (a as GradientTransformation).update === 'function') ts.push(a as GradientTransformation<State>);
    else Object.assign(opts, a);
  }
  ts.forEach((t, i) => {
    if (t.terminal && i !== ts.length - 1) {
      throw new RangeError(`${t.name} must be the last transform of a chain (it averages the final iterates), found at position ${i + 1} of ${ts.length}`);
    }
  });
  const seen = new Map<string, number>();
  const prefixes = ts.map((t) => {
    const n = (seen.get(t.name) ?? 0) + 1;
    seen.set(t.name, n);
    return n === 1 ? t.name : `${t.name}_${n}`;
  });
  const needs = mergeNeeds(ts.map((t) => t.needs));
  const withAveraged = ts.map((t, i) => [t, i] as const).filter(([t]) => t.averaged);

  const tx: GradientTransformation<ChainState> = {
    name: opts.name ?? 'chain',
    needs,
    terminal: ts.length > 0 && ts[ts.length - 1].terminal === true,
    // A part that gathers statistics first holds the whole chain's updates at zero meanwhile.
    ...(ts.some((t) => (t.warmupSteps ?? 0) > 0) && { warmupSteps: Math.max(...ts.map((t) => t.warmupSteps ?? 0)) }),
    init(params) {
      const states: State[] = [];
      try {
        for (const t of ts) states.push(t.init(params));
      } catch (err) {
        for (const s of states) disposeState(s);
        throw err;
      }
      return states;
    },
    update(grads, state, params, extras): UpdateResult<ChainState> {
      if (!Array.isArray(state) || state.length !== ts.length) {
        throw new RangeError(`${tx.name}: state has ${Array.isArray(state) ? state.length : 'no'} parts, the chain has ${ts.length}`);
      }
      const inputs = new Set(Object.values(grads));
      const intermediates: tf.Tensor[] = [];
      const newStates: State[] = [];
      const stats: Record<string, number> = {};
      let u = grads;
      ts.forEach((t, i) => {
        const r = t.update(u, state[i], params, extras);
        newStates.push(r.state);
        if (r.stats) for (const [k, v] of Object.entries(r.stats)) stats[`${prefixes[i]}/${k}`] = v;
        if (u !== grads) intermediates.push(...Object.values(u));
        u = r.updates;
      });
      // Free the intermediate updates, never the final ones or the caller's gradients (a
      // transform that breaks the "fresh updates" rule still cannot cause a double free).
      const keep = new Set(Object.values(u));
      for (const t of new Set(intermediates)) if (!keep.has(t) && !inputs.has(t) && !t.isDisposed) t.dispose();
      if (ts.length === 0) u = cloneParams(grads);
      return { updates: u, state: newStates, stats };
    },
  };
  if (withAveraged.length) {
    tx.averaged = (state) => {
      for (let j = withAveraged.length - 1; j >= 0; j--) {
        const [t, i] = withAveraged[j];
        const a = t.averaged?.(state[i]);
        if (a) return a;
      }
      return undefined;
    };
  }
  return tx;
}

/** Renames a transform (its stats prefix inside a chain). */
export function named<S extends State>(name: string, t: GradientTransformation<S>): GradientTransformation<S> {
  return { ...t, name };
}
