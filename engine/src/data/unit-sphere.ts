// The data of science-spec section 6 / experiment E6 (Zhang, Martens & Grosse 2019): inputs drawn
// uniformly on the unit sphere in R^dim (a normalised Gaussian, so ||x_i|| = 1 and, almost
// surely, no two inputs are parallel, as the NGD convergence theorem assumes), targets
// y_i ~ N(0, targetStd^2) drawn independently of x (pure memorisation: an overparameterised net
// can still fit them exactly). Seeded like the other synthetic sets (synthetic.ts).
import type { Rng } from '../util/random.js';
import type { Dataset } from './dataset.js';
import { checkSizes, nonNegative, positiveInt, rngs, type SizeOptions, type Synthetic } from './synthetic.js';

export interface UnitSphereOptions extends SizeOptions {
  /** Input dimension d (>= 1; the theorem needs d >= 2 for non-parallel inputs). */
  dim: number;
  /** Standard deviation of the targets y ~ N(0, targetStd^2); default 1. */
  targetStd: number;
}

export const UNIT_SPHERE_DEFAULTS = { dim: 8, targetStd: 1, trainSize: 32, testSize: 0, seed: 0 };

/** n unit-norm inputs in R^dim with independent Gaussian regression targets (yShape [1]). */
export function unitSphere(options: Partial<UnitSphereOptions> = {}): Synthetic<Record<string, never>> {
  const o = { ...UNIT_SPHERE_DEFAULTS, ...options };
  checkSizes('unitSphere', o);
  positiveInt('unitSphere', 'dim', o.dim);
  nonNegative('unitSphere', 'targetStd', o.targetStd);
  const d = o.dim;
  const sample = (n: number, rng: Rng): Dataset => {
    const x = new Float32Array(n * d);
    const y = new Float32Array(n);
    const v = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let norm = 0;
      // A zero Gaussian draw has probability 0, but redraw rather than divide by it.
      while (norm === 0) {
        norm = 0;
        for (let j = 0; j < d; j++) {
          v[j] = rng.normal();
          norm += v[j] * v[j];
        }
      }
      norm = Math.sqrt(norm);
      for (let j = 0; j < d; j++) x[i * d + j] = v[j] / norm;
      y[i] = o.targetStd * rng.normal();
    }
    return { x, y, n, xShape: [d], yShape: [1] };
  };
  return {
    train: sample(o.trainSize, rngs(o.seed).train),
    test: sample(o.testSize, rngs(o.seed).test),
    params: {},
  };
}
