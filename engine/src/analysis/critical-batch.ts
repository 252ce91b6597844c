// Critical batch size (McCandlish et al. 2018, arXiv 1812.06162).
// Steps to a target at batch size B: S(B) = S_min (1 + B_crit / B); examples E = B S = E_min (1 + B / B_crit);
// B_crit = E_min / S_min. The fit is least squares on log S, because step counts spread over decades
// and their noise is multiplicative.

import { Rng } from '../util/random';

export interface ScalingPoint {
  batchSize: number;
  /** Steps to reach the target; null = the run did not reach it. */
  steps: number | null;
  /** The tuned (best) learning rate at this batch size, passed through to the report. */
  learningRate?: number | null;
  [extra: string]: unknown;
}

export interface CriticalBatchFit {
  status: 'ok' | 'partial'; // partial: fit done but with caveats listed in warnings
  sMin: number;
  eMin: number;
  bCrit: number;
  /** Points used in the fit (reached the target), sorted by batch size. */
  points: ScalingPoint[];
  /** Points dropped (steps null = did not reach the target), with reason. */
  dropped: { batchSize: number; reason: string }[];
  /** d log2 S / d log2 B between consecutive fitted batch sizes: -1 = perfect scaling, 0 = no benefit. */
  slopes: { fromBatchSize: number; toBatchSize: number; slope: number }[];
  /** Every input batch size, sorted, with its learning rate (null when not given). */
  bestLearningRates: { batchSize: number; learningRate: number | null }[];
  /** Root-mean-square residual of log S in the fit (natural log). */
  rmsLogResidual: number;
  warnings: string[];
  /** True when the fitted B_crit lies outside the measured batch-size range (it is then an extrapolation). */
  extrapolated: boolean;
  /**
   * Literal checks S_min <= min S_j and E_min <= min E_j. A false one only raises a warning when the excess is
   * beyond the fit noise, since with noisy data these bounds are nearly tight at the ends of the sweep.
   */
  checks: { sMinAtMostMinSteps: boolean; eMinAtMostMinExamples: boolean };
  /**
   * Approximate 95% profile-likelihood interval for B_crit; a null bound means the data do not bound it on
   * that side within the search range. Null when there are no residual degrees of freedom (2 points).
   */
  bCritInterval: { lower: number | null; upper: number | null } | null;
}

export type CriticalBatchErrorCode = 'too-few-points' | 'no-target-reached' | 'invalid-input';

export class CriticalBatchError extends Error {
  readonly code: CriticalBatchErrorCode;
  constructor(code: CriticalBatchErrorCode, message: string) {
    super(message);
    this.name = 'CriticalBatchError';
    this.code = code;
  }
}

export interface FitOptions {
  /** Minimum number of distinct batch sizes that reached the target; default 2, at least 2. */
  minPoints?: number;
}

/** S(B) under a fit. */
export function predictSteps(fit: Pick<CriticalBatchFit, 'sMin' | 'bCrit'>, batchSize: number): number {
  return fit.sMin * (1 + fit.bCrit / batchSize);
}

/** E(B) = B S(B) under a fit. */
export function predictExamples(fit: Pick<CriticalBatchFit, 'eMin' | 'bCrit'>, batchSize: number): number {
  return fit.eMin * (1 + batchSize / fit.bCrit);
}

const LN2 = Math.LN2;
/** Grid spacing for log B_crit: 1/32 octave (~2%), refined afterwards. */
const GRID_STEP = LN2 / 32;
/** Search this many octaves beyond the measured batch sizes, so an edge hit means "not identified". */
const MARGIN_OCTAVES = 12;

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

interface LogFit {
  u: number; // log B_crit
  logSMin: number;
  sse: number;
  lo: number;
  hi: number;
  gridU: number[];
  gridSse: number[];
}

/** For fixed u the optimal log S_min is the mean residual; returns it with the SSE. */
function profile(xs: number[], ys: number[], u: number): { c: number; sse: number } {
  const n = xs.length;
  let mean = 0;
  for (let j = 0; j < n; j++) mean += ys[j] - softplus(u - xs[j]);
  mean /= n;
  let sse = 0;
  for (let j = 0; j < n; j++) {
    const r = ys[j] - softplus(u - xs[j]) - mean;
    sse += r * r;
  }
  return { c: mean, sse };
}

function fitLog(xs: number[], ys: number[]): LogFit {
  const lo = Math.min(...xs) - MARGIN_OCTAVES * LN2;
  const hi = Math.max(...xs) + MARGIN_OCTAVES * LN2;
  const count = Math.ceil((hi - lo) / GRID_STEP) + 1;
  const step = (hi - lo) / (count - 1);
  const gridU: number[] = [];
  const gridSse: number[] = [];
  let best = 0;
  for (let i = 0; i < count; i++) {
    const u = i === count - 1 ? hi : lo + i * step;
    gridU.push(u);
    gridSse.push(profile(xs, ys, u).sse);
    if (gridSse[i] < gridSse[best]) best = i;
  }
  // Golden-section refinement inside the bracket of the best grid point's neighbours.
  let a = gridU[Math.max(0, best - 1)];
  let b = gridU[Math.min(count - 1, best + 1)];
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = profile(xs, ys, c).sse;
  let fd = profile(xs, ys, d).sse;
  for (let it = 0; it < 200 && b - a > 1e-12; it++) {
    if (fc <= fd) {
      b = d; d = c; fd = fc;
      c = b - g * (b - a); fc = profile(xs, ys, c).sse;
    } else {
      a = c; c = d; fc = fd;
      d = a + g * (b - a); fd = profile(xs, ys, d).sse;
    }
  }
  let u = (a + b) / 2;
  let p = profile(xs, ys, u);
  // The golden search never evaluates the bracket ends; keep the grid point if it is better (edge minima).
  if (gridSse[best] < p.sse) {
    u = gridU[best];
    p = profile(xs, ys, u);
  }
  return { u, logSMin: p.c, sse: p.sse, lo, hi, gridU, gridSse };
}

/** Two-sided 97.5% Student-t quantile; table for small dof, Cornish-Fisher expansion beyond (error < 0.2%). */
function tQuantile975(dof: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306];
  if (dof <= table.length) return table[dof - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * dof) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * dof * dof);
}

/**
 * Profile-likelihood interval for log B_crit: where SSE(u) <= SSE_min (1 + t^2/(n-2)).
 * Walks the grid outward from the optimum; a bound is null if the region reaches the search edge.
 */
function profileInterval(fit: LogFit, n: number): { lower: number | null; upper: number | null } | null {
  const dof = n - 2;
  if (dof < 1) return null;
  const t = tQuantile975(dof);
  const thr = fit.sse * (1 + (t * t) / dof);
  const walk = (dir: 1 | -1): number | null => {
    let uIn = fit.u;
    let sIn = fit.sse;
    const { gridU, gridSse } = fit;
    let i = dir === 1 ? gridU.findIndex((v) => v > fit.u) : findLastIndex(gridU, (v) => v < fit.u);
    while (i >= 0 && i < gridU.length) {
      if (gridSse[i] > thr) {
        const f = (thr - sIn) / (gridSse[i] - sIn);
        return Math.exp(uIn + f * (gridU[i] - uIn));
      }
      uIn = gridU[i];
      sIn = gridSse[i];
      i += dir;
    }
    return null;
  };
  return { lower: walk(-1), upper: walk(1) };
}

function findLastIndex<T>(xs: T[], pred: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (pred(xs[i])) return i;
  return -1;
}

/** Powers of two print as 2^k, which is how batch-size sweeps are usually laid out. */
function fmtB(b: number): string {
  const k = Math.log2(b);
  if (Number.isInteger(k) && k >= 0) return `2^${k}`;
  return fmtNum(b);
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

function isPositiveFinite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

interface Checked {
  reached: ScalingPoint[];
  dropped: { batchSize: number; reason: string }[];
  all: ScalingPoint[];
}

function validate(points: ScalingPoint[], minPoints: number): Checked {
  if (!Array.isArray(points)) throw new CriticalBatchError('invalid-input', 'points must be an array');
  if (!Number.isInteger(minPoints) || minPoints < 2) {
    throw new CriticalBatchError('invalid-input', `minPoints must be an integer >= 2 (two parameters are fitted), got ${minPoints}`);
  }
  const seen = new Set<number>();
  for (const p of points) {
    if (!isPositiveFinite(p?.batchSize)) {
      throw new CriticalBatchError('invalid-input', `batch size must be a positive finite number, got ${String(p?.batchSize)}`);
    }
    if (seen.has(p.batchSize)) {
      throw new CriticalBatchError(
        'invalid-input',
        `duplicate batch size ${p.batchSize}: average seeds first (or use bootstrapCriticalBatch)`,
      );
    }
    seen.add(p.batchSize);
    if (p.steps !== null && !isPositiveFinite(p.steps)) {
      throw new CriticalBatchError(
        'invalid-input',
        `steps at batch size ${p.batchSize} must be a positive finite number or null (target not reached), got ${String(p.steps)}`,
      );
    }
  }
  const all = [...points].sort((x, y) => x.batchSize - y.batchSize);
  const reached = all.filter((p) => p.steps !== null);
  const dropped = all
    .filter((p) => p.steps === null)
    .map((p) => ({ batchSize: p.batchSize, reason: 'did not reach the target (steps = null)' }));
  if (all.length > 0 && reached.length === 0) {
    throw new CriticalBatchError('no-target-reached', `none of the ${all.length} runs reached the target`);
  }
  if (reached.length < minPoints) {
    throw new CriticalBatchError(
      'too-few-points',
      `${reached.length} of ${all.length} point(s) reached the target; need at least ${minPoints} distinct batch sizes to fit S_min and B_crit`,
    );
  }
  return { reached, dropped, all };
}

/** Fit S(B) = S_min (1 + B_crit/B) to steps-to-target measured at several batch sizes. */
export function fitCriticalBatch(points: ScalingPoint[], options: FitOptions = {}): CriticalBatchFit {
  const { reached, dropped, all } = validate(points, options.minPoints ?? 2);
  const bs = reached.map((p) => p.batchSize);
  const ss = reached.map((p) => p.steps as number);
  const xs = bs.map(Math.log);
  const ys = ss.map(Math.log);
  const n = xs.length;
  const fit = fitLog(xs, ys);

  const bCrit = Math.exp(fit.u);
  const sMin = Math.exp(fit.logSMin);
  const eMin = sMin * bCrit;
  const bLo = bs[0];
  const bHi = bs[n - 1];
  const warnings: string[] = [];

  if (dropped.length > 0) {
    warnings.push(
      `${dropped.length} run(s) did not reach the target and were left out of the fit: batch size ${dropped.map((d) => d.batchSize).join(', ')}`,
    );
  }

  const slopes: CriticalBatchFit['slopes'] = [];
  const rising: string[] = [];
  for (let j = 0; j + 1 < n; j++) {
    slopes.push({ fromBatchSize: bs[j], toBatchSize: bs[j + 1], slope: (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]) });
    if (ss[j + 1] > ss[j]) rising.push(`${bs[j]} -> ${bs[j + 1]} (${fmtNum(ss[j])} -> ${fmtNum(ss[j + 1])} steps)`);
  }
  if (rising.length > 0) {
    warnings.push(`steps increase with batch size at ${rising.join('; ')}: the model assumes they never do`);
  }

  // An optimum within one grid step of the search edge means SSE is still falling there: not identified.
  const atUpper = fit.hi - fit.u < GRID_STEP;
  const atLower = fit.u - fit.lo < GRID_STEP;
  if (atUpper) {
    const s = slopes.length > 0 ? slopes[slopes.length - 1].slope : NaN;
    warnings.push(
      `B_crit is not identified: steps still fall ~1/B at the largest batch size (last slope ${s.toFixed(2)}), so B_crit > ${fmtB(bHi)}; measure larger batch sizes`,
    );
  } else if (atLower) {
    const s = slopes.length > 0 ? slopes[0].slope : NaN;
    warnings.push(
      `B_crit is not identified: steps barely fall with batch size even at the smallest one (first slope ${s.toFixed(2)}), so B_crit < ${fmtB(bLo)}; measure smaller batch sizes`,
    );
  } else if (bCrit < bLo || bCrit > bHi) {
    warnings.push(
      `B_crit = ${fmtNum(bCrit)} lies outside the measured batch sizes [${bLo}, ${bHi}]: it is an extrapolation`,
    );
  }
  const extrapolated = atUpper || atLower || bCrit < bLo || bCrit > bHi;

  const bCritInterval = profileInterval(fit, n);
  if (bCritInterval === null) {
    warnings.push('only 2 batch sizes reached the target: the fit is exact, so neither the model nor the uncertainty can be checked');
  } else if (!atUpper && !atLower) {
    // Optimum inside, but the data may still not bound B_crit on one side.
    if (bCritInterval.upper === null) {
      warnings.push(`B_crit is only bounded from below by the data (95% profile interval: B_crit > ${fmtNum(bCritInterval.lower ?? 0)})`);
    }
    if (bCritInterval.lower === null) {
      warnings.push(`B_crit is only bounded from above by the data (95% profile interval: B_crit < ${fmtNum(bCritInterval.upper ?? 0)})`);
    }
  }

  // The booleans are the literal checks. Near B = 1 or B >> B_crit the bounds are tight (E_1 = E_min (1 + 1/B_crit)),
  // so noise alone breaks them; warn only when the excess is beyond twice the fit's rms log residual.
  const minS = Math.min(...ss);
  const minE = Math.min(...ss.map((s, j) => s * bs[j]));
  const rms = Math.sqrt(fit.sse / n);
  const slack = 2 * rms + 1e-9;
  const checks = { sMinAtMostMinSteps: sMin <= minS, eMinAtMostMinExamples: eMin <= minE };
  if (Math.log(sMin / minS) > slack) {
    warnings.push(`fitted S_min = ${fmtNum(sMin)} exceeds the fewest measured steps ${fmtNum(minS)} beyond the fit noise: the model misfits`);
  }
  if (Math.log(eMin / minE) > slack) {
    warnings.push(`fitted E_min = ${fmtNum(eMin)} exceeds the fewest measured examples ${fmtNum(minE)} beyond the fit noise: the model misfits`);
  }

  return {
    status: warnings.length > 0 ? 'partial' : 'ok',
    sMin,
    eMin,
    bCrit,
    points: reached,
    dropped,
    slopes,
    bestLearningRates: all.map((p) => ({
      batchSize: p.batchSize,
      learningRate: typeof p.learningRate === 'number' ? p.learningRate : null,
    })),
    rmsLogResidual: rms,
    warnings,
    extrapolated,
    checks,
    bCritInterval,
  };
}

/**
 * Geometric mean of steps per batch size over the given seeds. A batch size is null (dropped) if any seed
 * that measured it missed the target: averaging only the runs that made it would bias steps downward.
 */
function averageSeeds(tables: ScalingPoint[][]): ScalingPoint[] {
  const acc = new Map<number, { sumLog: number; count: number; missed: boolean }>();
  for (const table of tables) {
    for (const p of table) {
      const e = acc.get(p.batchSize) ?? { sumLog: 0, count: 0, missed: false };
      if (p.steps === null) e.missed = true;
      else {
        e.sumLog += Math.log(p.steps);
        e.count += 1;
      }
      acc.set(p.batchSize, e);
    }
  }
  return [...acc].map(([batchSize, e]) => ({
    batchSize,
    steps: e.missed ? null : Math.exp(e.sumLog / e.count),
  }));
}

function quantileSorted(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

export interface BootstrapOptions {
  resamples: number;
  seed: number;
  /** Confidence level of the percentile interval; default 0.95. */
  level?: number;
}

export interface CriticalBatchBootstrap {
  /** Point estimate: fit to the average over all seeds. */
  bCrit: number;
  lower: number;
  upper: number;
  /** Resamples that produced a fit. */
  used: number;
  /** Resamples that could not be fitted (e.g. too few batch sizes reached the target). */
  failed: number;
  /** Resamples whose B_crit hit the search edge (not identified); they widen the interval honestly. */
  notIdentified: number;
  warnings: string[];
}

/**
 * Percentile CI for B_crit over seeds: each inner array is one seed's table. Seeds are resampled with
 * replacement, log-steps averaged per batch size, and the curve refitted.
 */
export function bootstrapCriticalBatch(seedsOfPoints: ScalingPoint[][], options: BootstrapOptions): CriticalBatchBootstrap {
  const { resamples, seed } = options;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new CriticalBatchError('invalid-input', `resamples must be a positive integer, got ${resamples}`);
  }
  if (!Number.isFinite(seed)) throw new CriticalBatchError('invalid-input', `seed must be finite, got ${seed}`);
  if (!(level > 0 && level < 1)) throw new CriticalBatchError('invalid-input', `level must lie in (0, 1), got ${level}`);
  if (!Array.isArray(seedsOfPoints) || seedsOfPoints.length < 2) {
    throw new CriticalBatchError(
      'too-few-points',
      `bootstrap over seeds needs at least 2 seeds, got ${Array.isArray(seedsOfPoints) ? seedsOfPoints.length : 0}`,
    );
  }
  // Validate every seed's table up front so bad input is reported, not hidden in failed resamples.
  seedsOfPoints.forEach((table, k) => {
    try {
      validate(table, 2);
    } catch (err) {
      if (err instanceof CriticalBatchError && err.code === 'invalid-input') {
        throw new CriticalBatchError('invalid-input', `seed ${k}: ${err.message}`);
      }
    }
  });
  const point = fitCriticalBatch(averageSeeds(seedsOfPoints));

  const rng = new Rng(seed);
  const k = seedsOfPoints.length;
  const logs: number[] = [];
  let failed = 0;
  let notIdentified = 0;
  for (let r = 0; r < resamples; r++) {
    const draw: ScalingPoint[][] = [];
    for (let i = 0; i < k; i++) draw.push(seedsOfPoints[Math.floor(rng.next() * k)]);
    try {
      const f = fitCriticalBatch(averageSeeds(draw));
      if (f.warnings.some((w) => w.startsWith('B_crit is not identified'))) notIdentified += 1;
      logs.push(Math.log(f.bCrit));
    } catch (err) {
      if (!(err instanceof CriticalBatchError)) throw err;
      failed += 1;
    }
  }
  if (logs.length === 0) {
    throw new CriticalBatchError('too-few-points', `none of the ${resamples} bootstrap resamples could be fitted`);
  }
  logs.sort((a, b) => a - b);
  const warnings: string[] = [];
  if (failed > 0) warnings.push(`${failed} of ${resamples} resamples could not be fitted and were skipped`);
  if (notIdentified > 0) warnings.push(`${notIdentified} of ${resamples} resamples did not identify B_crit (search edge)`);
  if (point.status === 'partial') warnings.push(...point.warnings.map((w) => `point estimate: ${w}`));
  return {
    bCrit: point.bCrit,
    lower: Math.exp(quantileSorted(logs, (1 - level) / 2)),
    upper: Math.exp(quantileSorted(logs, (1 + level) / 2)),
    used: logs.length,
    failed,
    notIdentified,
    warnings,
  };
}
