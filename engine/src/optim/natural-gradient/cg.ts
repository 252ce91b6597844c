// Conjugate gradient in parameter space on tensors: solves (C + lambda I) x = b with C given only
// through products (the Fisher/GGN-vector product of extras.curvatureProduct), so natural gradient
// scales to networks whose Jacobian cannot be built. Every iteration runs in tf.tidy and frees the
// previous iterate; two scalars are read per iteration (p^T A p and r^T r).
import * as tf from '@tensorflow/tfjs';
import { mapParams } from '../base';
import type { Params } from '../types';

export interface CgResult {
  /** The approximate solution (owned by the caller). */
  x: Params;
  /** Iterations run (products with C). */
  iterations: number;
  /** ||r|| / ||b|| at the end (recursively updated residual; 0 when b = 0). */
  relativeResidual: number;
}

function dot(a: Params, b: Params): number {
  const t = tf.tidy(() => tf.addN(Object.keys(a).map((k) => tf.sum(tf.mul(a[k], b[k])))));
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

function disposeTree(tree: Params): void {
  for (const t of Object.values(tree)) if (!t.isDisposed) t.dispose();
}

/**
 * CG from x = 0 on (C + damping I) x = b, at most maxIterations, stopping when
 * ||r|| <= tolerance ||b||, or when p^T A p <= 0 (no positive curvature left: with damping 0 on a
 * singular C this is the consistent system's min-norm solution, the pseudo-inverse one).
 */
export function conjugateGradient(product: (v: Params) => Params, b: Params, damping: number, maxIterations: number, tolerance: number): CgResult {
  const bb = dot(b, b);
  let x = tf.tidy(() => mapParams(b, (t) => tf.zerosLike(t)));
  if (bb === 0) return { x, iterations: 0, relativeResidual: 0 };
  let r = tf.tidy(() => mapParams(b, (t) => tf.clone(t)));
  let p = tf.tidy(() => mapParams(b, (t) => tf.clone(t)));
  let rr = bb;
  let iterations = 0;
  const stop = tolerance * tolerance * bb;
  try {
    while (iterations < maxIterations && rr > stop) {
      const ap = tf.tidy(() => {
        const cp = product(p);
        return mapParams(p, (t, k) => (damping > 0 ? tf.add(cp[k], tf.mul(t, damping)) : tf.clone(cp[k])));
      });
      const pap = dot(p, ap);
      iterations += 1;
      if (!(pap > 0)) {
        disposeTree(ap);
        break;
      }
      const alpha = rr / pap;
      const next = tf.tidy(() => ({
        x: mapParams(x, (t, k) => tf.add(t, tf.mul(p[k], alpha))),
        r: mapParams(r, (t, k) => tf.sub(t, tf.mul(ap[k], alpha))),
      }));
      disposeTree(ap);
      disposeTree(x);
      disposeTree(r);
      x = next.x;
      r = next.r;
      const rrNext = dot(r, r);
      const beta = rrNext / rr;
      rr = rrNext;
      const pNext = tf.tidy(() => mapParams(r, (t, k) => tf.add(t, tf.mul(p[k], beta))));
      disposeTree(p);
      p = pNext;
    }
  } finally {
    disposeTree(r);
    disposeTree(p);
  }
  return { x, iterations, relativeResidual: Math.sqrt(rr / bb) };
}
