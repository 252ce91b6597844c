// Shared fixtures of the optimizer tests: a 2-element parameter, a fixed gradient sequence, and a
// runner that records the iterates and stats.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { takeStep, type Extras, type GradientTransformation, type Params, type State } from '../../../engine/src/optim';

export const X0 = [1, -2];
/** The gradients of steps 1, 2, 3 (fixed, independent of the iterate). */
export const G = [
  [0.5, -1],
  [1.5, 2],
  [-0.25, 0.5],
];
/** 5 steps of gradients: enough for schedules, momentum and every option to act visibly. */
export const G5 = [
  [0.5, -1],
  [1.5, 2],
  [-0.25, 0.5],
  [1, 1],
  [-2, 0.5],
];

export interface Trace {
  /** Iterates x1, x2, ... */
  xs: number[][];
  stats: Record<string, number>[];
  state: State;
  params: Params;
}

/** Runs `tx` on {x: X0} with the gradients G (or `grads`), recording every iterate. */
export function run<S extends State>(tx: GradientTransformation<S>, grads: number[][] = G, extras: Extras = {}, x0: number[] = X0): Trace & { state: S } {
  let params: Params = { x: tf.tensor1d(x0) };
  let state = tx.init(params);
  const xs: number[][] = [];
  const stats: Record<string, number>[] = [];
  for (const g of grads) {
    const gt = { x: tf.tensor1d(g) };
    const r = takeStep(tx, params, state, gt, extras);
    tf.dispose([...Object.values(params), ...Object.values(gt)]);
    params = r.params;
    state = r.state;
    xs.push(Array.from(params.x.dataSync()));
    stats.push(r.stats);
  }
  return { xs, stats, state, params };
}

/** Asserts a == b elementwise within float32 accuracy (absolute 2e-6 + relative 2e-6). */
export function assertClose(actual: ArrayLike<number>, expected: number[], what: string, tol = 2e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (error ${err})`);
  }
}

/** Asserts every iterate of a trace against the expected ones. */
export function assertIterates(trace: { xs: number[][] }, expected: number[][], what: string, tol?: number): void {
  assert.equal(trace.xs.length, expected.length);
  expected.forEach((e, k) => assertClose(trace.xs[k], e, `${what}: x${k + 1}`, tol));
}

/** Elementwise helpers for writing the arithmetic out. */
export const add = (a: number[], b: number[]) => a.map((x, i) => x + b[i]);
export const sub = (a: number[], b: number[]) => a.map((x, i) => x - b[i]);
export const mul = (a: number[], s: number) => a.map((x) => x * s);
export const sq = (a: number[]) => a.map((x) => x * x);
