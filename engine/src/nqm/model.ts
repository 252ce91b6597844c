// Builds the NQM (science-spec 1.1): spectrum h_i = i^-a, noise c_i = scale * h_i^power, the
// reference notebook's greedy geometric binning, and the information-theoretic lower bound.
import { MAX_NQM_DIM, MAX_NQM_MODES } from '../spec/limits';
import { geomspace } from '../util/numpy-ranges';
import type { NqmProblem, NqmSpec } from './types';

export const REFERENCE_NQM: NqmSpec = {
  dim: 10000,
  exponent: 1,
  bins: 100,
  noise: { power: 1, scale: 1 },
  initVariance: 1,
  target: 0.01,
};

/** The full (unbinned) spectrum h_i = i^-a, i = 1..d, decreasing. */
export function spectrum(dim: number, exponent: number): Float64Array {
  const h = new Float64Array(dim);
  for (let i = 0; i < dim; i++) h[i] = exponent === 1 ? 1.0 / (i + 1) : Math.pow(i + 1, -exponent);
  return h;
}

/**
 * The notebook's binning: bins = geomspace(h_1, h_d, nbins); walking h in decreasing order, each h_i
 * goes to the first bin whose edge it reaches (strictly sequential). A bin is represented by its
 * edge value, not the mean of its members.
 */
export function binSpectrum(full: Float64Array, nbins: number): { edges: Float64Array; counts: Float64Array } {
  const edges = Float64Array.from(geomspace(full[0], full[full.length - 1], nbins));
  const counts = new Float64Array(nbins);
  let bin = 0;
  let i = 0;
  while (i < full.length) {
    while (i < full.length && full[i] >= edges[bin]) {
      counts[bin] += 1;
      i += 1;
    }
    bin += 1;
  }
  return { edges, counts };
}

/** An NQM specification that cannot be built (invalid input, not an engine fault). */
export class NqmSpecError extends RangeError {}

export function validateSpec(spec: NqmSpec): void {
  const bad = (what: string) => {
    throw new NqmSpecError(`invalid NQM: ${what}`);
  };
  if (!Number.isInteger(spec.dim) || spec.dim < 1) bad(`dim must be a positive integer, got ${spec.dim}`);
  if (!Number.isInteger(spec.bins) || spec.bins < 0) bad(`bins must be 0 (unbinned) or a positive integer, got ${spec.bins}`);
  if (spec.bins === 1 && spec.dim > 1) bad('bins must be at least 2 (the first and last edges are h_1 and h_d)');
  if (spec.dim > MAX_NQM_DIM) bad(`dim ${spec.dim} is more than the limit of ${MAX_NQM_DIM} (MAX_NQM_DIM)`);
  const modes = spec.bins > 0 && spec.bins < spec.dim ? spec.bins : spec.dim;
  if (modes > MAX_NQM_MODES) bad(`${modes} modes (${spec.bins === 0 || spec.bins >= spec.dim ? 'unbinned: one per dimension' : 'one per bin'}) is more than the limit of ${MAX_NQM_MODES} (MAX_NQM_MODES)`);
  if (!(spec.exponent > 0)) bad(`exponent must be > 0, got ${spec.exponent}`);
  if (!(spec.initVariance > 0)) bad(`initVariance must be > 0, got ${spec.initVariance}`);
  if (!(spec.target > 0)) bad(`target must be > 0, got ${spec.target}`);
  if (!(spec.noise.scale >= 0) || !Number.isFinite(spec.noise.power)) bad('noise needs a finite power and a scale >= 0');
}

export function buildProblem(spec: NqmSpec): NqmProblem {
  validateSpec(spec);
  const full = spectrum(spec.dim, spec.exponent);
  let h: Float64Array;
  let weight: Float64Array;
  if (spec.bins > 0 && spec.bins < spec.dim) {
    const binned = binSpectrum(full, spec.bins);
    h = binned.edges;
    weight = binned.counts;
  } else {
    h = full;
    weight = new Float64Array(spec.dim).fill(1);
  }
  const c = new Float64Array(h.length);
  for (let i = 0; i < h.length; i++) {
    c[i] = spec.noise.scale * (spec.noise.power === 1 ? h[i] : Math.pow(h[i], spec.noise.power));
  }
  const s0 = new Float64Array(h.length).fill(spec.initVariance);
  return { spec, h, c, weight, s0 };
}

/** Expected loss 1/2 sum_i w_i h_i s_i. */
export function lossOf(problem: NqmProblem, s: Float64Array): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) total += problem.weight[i] * problem.h[i] * s[i];
  return 0.5 * total;
}

/** Information-theoretic lower bound on steps: d / (2 C B) (science-spec 1.1). */
export function lowerBoundSteps(problem: NqmProblem, batchSize: number): number {
  return problem.spec.dim / (2 * problem.spec.target * batchSize);
}

/** Preconditioner prec_i = h_i^-p (not normalised: prec = 1 where h = 1). */
export function preconditioner(h: Float64Array, p: number): Float64Array {
  const out = new Float64Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = p === 0 ? 1 : Math.pow(h[i], -p);
  return out;
}
