// The options of the natural-gradient optimizer (science-spec sections 5 and 6), their defaults
// and their validation.
import type { Schedule } from '../types';

export type NaturalGradientMethod = 'exact' | 'cg';

/**
 * Natural gradient descent with Tikhonov damping: delta = -lr (F + damping I)^-1 grad, where F is
 * the Fisher of the MEAN minibatch loss, which equals its generalised Gauss-Newton matrix
 * J^T H_L J for the engine's losses (softmax cross-entropy on logits, squared error = unit
 * Gaussian, sigmoid cross-entropy).
 */
export interface NaturalGradientOptions {
  /**
   * Step size eta (> 0), or a schedule of the step count (0 for the first update). eta = 1 is the
   * full Gauss-Newton step; section 6's theorem needs eta <= 1. Default 1.
   */
  learningRate?: number | Schedule;
  /**
   * Tikhonov damping lambda >= 0, added to the curvature of the MEAN minibatch loss (so in the
   * units of J^T H_L J with H_L including 1/batch). Default 1e-4: it keeps the damped system
   * solvable where the curvature is singular (softmax's H_L has the all-ones direction per
   * example in its null space; J^T H_L J is singular whenever parameters outnumber outputs) and
   * bounds the step in directions without curvature (the trust-region view, section 5), while
   * changing the step by under 1% along directions whose curvature is above 1e-2. 0 gives the
   * undamped (pseudo-inverse) update of section 6, which the 'exact' method can take when H_L
   * J J^T is non-singular (squared error with distinct inputs). For squared error the exact
   * update is section 6's theta - eta J^T (J J^T + c I)^-1 (u - y) with c = batch * damping.
   */
  damping?: number;
  /**
   * 'exact' (default): solve in the N x N output space (N = batch x outputs) by the push-through
   * identity (J^T H J + lambda I)^-1 J^T = J^T (H J J^T + lambda I)^-1, in float64 on the host.
   * It builds J with N vector-Jacobian products, so it is for small networks and batches (it
   * refuses N x parameters above 5e7). It preconditions the minibatch loss gradient from
   * extras.outputSpace (J^T dL/d(output)), not the incoming updates: use it alone or first.
   * 'cg': conjugate gradient on (J^T H J + lambda I) d = updates with curvature-vector products
   * from extras.curvatureProduct; any network size; preconditions the incoming updates.
   */
  method?: NaturalGradientMethod;
  /** 'cg' only: most CG iterations per update (integer >= 1). Default 50. */
  cgIterations?: number;
  /** 'cg' only: stop when ||residual|| <= cgTolerance * ||right-hand side|| (>= 0). Default 1e-5. */
  cgTolerance?: number;
}

export const NATURAL_GRADIENT_DEFAULTS = { learningRate: 1, damping: 1e-4, method: 'exact' as NaturalGradientMethod, cgIterations: 50, cgTolerance: 1e-5 };

export type ResolvedNaturalGradientOptions = Required<NaturalGradientOptions>;

function check(cond: boolean, message: string): void {
  if (!cond) throw new RangeError(`natural gradient: ${message}`);
}

/** Fills in the defaults and throws RangeError on a bad value. */
export function resolveNaturalGradientOptions(o: NaturalGradientOptions = {}): ResolvedNaturalGradientOptions {
  const r = { ...NATURAL_GRADIENT_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as ResolvedNaturalGradientOptions;
  if (typeof r.learningRate === 'number') check(Number.isFinite(r.learningRate) && r.learningRate > 0, `learningRate must be a number > 0, got ${r.learningRate}`);
  else check(typeof r.learningRate === 'function', 'learningRate must be a number or a schedule');
  check(Number.isFinite(r.damping) && r.damping >= 0, `damping must be a finite number >= 0, got ${r.damping}`);
  check(r.method === 'exact' || r.method === 'cg', `method must be 'exact' or 'cg', got ${String(r.method)}`);
  check(Number.isInteger(r.cgIterations) && r.cgIterations >= 1, `cgIterations must be an integer >= 1, got ${r.cgIterations}`);
  check(Number.isFinite(r.cgTolerance) && r.cgTolerance >= 0, `cgTolerance must be a finite number >= 0, got ${r.cgTolerance}`);
  return r;
}
