// The expected NQM loss after k steps of a constant-hyperparameter optimizer, compiled into a sum
// of exponentials so that one evaluation costs about one Math.exp per mode. Modes whose k-th
// power underflows are skipped, so at the large k of a binary search only the slow modes cost.
// Buffers are reused across grid points: compiling allocates nothing.
import { addLinearGaussian, cayleyPowers, momentTransition, type CayleyMode, type TermSink } from './linear-gaussian';
import { preconditioner } from './model';
import type { NqmOptimizer, NqmProblem } from './types';

const UNDERFLOW = -745.2; // Math.exp below this is exactly 0

export interface LossEvaluator {
  /** Expected loss after k steps (k a non-negative integer). */
  at(k: number): number;
  /** Expected loss at k = 0. */
  readonly initial: number;
  /** Limit of the loss as k grows (Infinity when a mode diverges). */
  readonly steadyState: number;
  /** Every mode has a base in [0, 1] and a non-negative coefficient: the loss cannot rise. */
  readonly monotone: boolean;
}

/** A near-defective coordinate without a fixed point (it diverges): its 3x3 moments are iterated. */
interface DirectMode {
  weight: number;
  T: number[];
  noise: number;
  p0: [number, number, number];
  readout: 0 | 1;
}

export class TermEvaluator implements LossEvaluator, TermSink {
  initial = 0;
  monotone = true;
  private constant = 0;
  private nReal = 0;
  private nPair = 0;
  private readonly rLog: Float64Array;
  private readonly rCoef: Float64Array;
  private readonly rNeg: Uint8Array;
  private readonly pLog: Float64Array;
  private readonly pPhase: Float64Array;
  private readonly pA: Float64Array;
  private readonly pB: Float64Array;
  private cayley: CayleyMode[] = [];
  private readonly powers = new Float64Array(2);
  private direct: DirectMode[] = [];
  private diverges = false;

  constructor(capacity: number) {
    this.rLog = new Float64Array(3 * capacity);
    this.rCoef = new Float64Array(3 * capacity);
    this.rNeg = new Uint8Array(3 * capacity);
    this.pLog = new Float64Array(capacity);
    this.pPhase = new Float64Array(capacity);
    this.pA = new Float64Array(capacity);
    this.pB = new Float64Array(capacity);
  }

  reset(initial: number): void {
    this.initial = initial;
    this.constant = 0;
    this.nReal = 0;
    this.nPair = 0;
    this.cayley = [];
    this.direct = [];
    this.diverges = false;
    this.monotone = true;
  }

  get steadyState(): number {
    return this.diverges ? Infinity : this.constant;
  }

  addConstant(value: number): void {
    this.constant += value;
  }

  addReal(base: number, coef: number): void {
    const j = this.nReal++;
    const mag = Math.abs(base);
    this.rLog[j] = Math.log(mag);
    this.rCoef[j] = coef;
    this.rNeg[j] = base < 0 ? 1 : 0;
    if (mag > 1 && coef !== 0) this.diverges = true;
    if (base < 0 || base > 1 || coef < 0) this.monotone = false;
  }

  addPair(modulus: number, phase: number, a: number, b: number): void {
    const j = this.nPair++;
    this.pLog[j] = Math.log(modulus);
    this.pPhase[j] = phase;
    this.pA[j] = a;
    this.pB[j] = b;
    if (modulus > 1 && (a !== 0 || b !== 0)) this.diverges = true;
    this.monotone = false;
  }

  addCayley(mode: CayleyMode): void {
    this.cayley.push(mode);
    this.monotone = false;
  }

  addDirect(mode: DirectMode): void {
    this.direct.push(mode);
    this.monotone = false;
    if (spectralRadius(mode.T) >= 1) this.diverges = true;
  }

  at(k: number): number {
    if (k === 0) return this.initial;
    let total = this.constant;
    const odd = k % 2 === 1;
    const rLog = this.rLog;
    const rCoef = this.rCoef;
    const rNeg = this.rNeg;
    for (let j = 0, n = this.nReal; j < n; j++) {
      const x = k * rLog[j];
      if (x < UNDERFLOW) continue;
      const t = rCoef[j] * Math.exp(x);
      total += odd && rNeg[j] === 1 ? -t : t;
    }
    const pLog = this.pLog;
    for (let j = 0, n = this.nPair; j < n; j++) {
      const x = k * pLog[j];
      if (x < UNDERFLOW) continue;
      const angle = k * this.pPhase[j];
      total += Math.exp(x) * (this.pA[j] * Math.cos(angle) + this.pB[j] * Math.sin(angle));
    }
    const gb = this.powers;
    for (const c of this.cayley) {
      cayleyPowers(c, k, gb);
      total += gb[0] * (c.cee * gb[0] + 2 * c.ceu * gb[1]) + c.cuu * gb[1] * gb[1];
    }
    for (const d of this.direct) total += d.weight * directMoment(d, k);
    return total;
  }
}

function directMoment(d: DirectMode, k: number): number {
  // p_k = T^k p0 + sum_{j<k} T^j n(1,1,1), by binary powering of the affine map (T, b).
  let M = d.T.slice();
  let b = [d.noise, d.noise, d.noise];
  let accM = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  let accB = [0, 0, 0];
  let e = k;
  while (e > 0) {
    if (e % 2 === 1) {
      accB = add3(mv(M, accB), b);
      accM = mm(M, accM);
    }
    b = add3(mv(M, b), b);
    M = mm(M, M);
    e = Math.floor(e / 2);
  }
  return add3(mv(accM, d.p0), accB)[d.readout];
}

function mv(M: number[], v: number[]): number[] {
  return [
    M[0] * v[0] + M[1] * v[1] + M[2] * v[2],
    M[3] * v[0] + M[4] * v[1] + M[5] * v[2],
    M[6] * v[0] + M[7] * v[1] + M[8] * v[2],
  ];
}
function mm(A: number[], B: number[]): number[] {
  const out = new Array<number>(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) out[3 * i + j] = A[3 * i] * B[j] + A[3 * i + 1] * B[3 + j] + A[3 * i + 2] * B[6 + j];
  return out;
}
function add3(a: number[], b: number[]): number[] {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}
function spectralRadius(T: number[]): number {
  // Growth rate of ||T^k|| by repeated squaring: ||T^(2^j)||^(1/2^j) tends to the radius.
  let M = T.slice();
  let logScale = 0;
  for (let j = 1; j <= 40; j++) {
    M = mm(M, M);
    const norm = Math.max(...M.map(Math.abs));
    if (norm === 0) return 0;
    M = M.map((x) => x / norm);
    logScale = logScale * 2 + Math.log(norm);
  }
  return Math.exp(logScale / 2 ** 40);
}

/**
 * Compiles loss curves of one problem, one optimizer family and one preconditioning power for
 * many (lr, momentum/decay, batch size) points, reusing its buffers: `compile` returns the same
 * evaluator object each time, valid until the next call.
 */
export class LossCompiler {
  private readonly ph: Float64Array; // prec_i h_i
  private readonly pc: Float64Array; // prec_i^2 c_i
  private readonly scale: Float64Array; // 1/2 w_i h_i
  private readonly initial: number;
  private readonly ev: TermEvaluator;

  constructor(private readonly problem: NqmProblem, readonly precondition: number) {
    const { h, c, weight, s0 } = problem;
    const prec = preconditioner(h, precondition);
    this.ph = new Float64Array(h.length);
    this.pc = new Float64Array(h.length);
    this.scale = new Float64Array(h.length);
    let initial = 0;
    for (let i = 0; i < h.length; i++) {
      this.ph[i] = prec[i] * h[i];
      this.pc[i] = prec[i] * prec[i] * c[i];
      this.scale[i] = 0.5 * weight[i] * h[i];
      initial += this.scale[i] * s0[i];
    }
    this.initial = initial;
    this.ev = new TermEvaluator(h.length);
  }

  sgd(lr: number, batchSize: number): TermEvaluator {
    const ev = this.ev;
    ev.reset(this.initial);
    const s0 = this.problem.s0;
    for (let i = 0; i < this.ph.length; i++) {
      const one = 1 - lr * this.ph[i];
      const beta = one * one;
      // The notebook's 1e-8 keeps s* finite at beta = 1; kept so step counts match it.
      const sStar = (lr * lr * this.pc[i]) / batchSize / (1 - beta + 1e-8);
      ev.addConstant(this.scale[i] * sStar);
      ev.addReal(beta, this.scale[i] * (s0[i] - sStar));
    }
    return ev;
  }

  momentum(lr: number, m: number, batchSize: number): TermEvaluator {
    const ev = this.ev;
    ev.reset(this.initial);
    const s0 = this.problem.s0;
    for (let i = 0; i < this.ph.length; i++) {
      const a = lr * this.ph[i];
      const n = (lr * lr * this.pc[i]) / batchSize;
      // z = (x, v): v' = m v - a x - lr P eps; x' = x + v'.
      if (!addLinearGaussian(ev, this.scale[i], 1 - a, m, -a, m, n, s0[i], 0, 0, 1, 0)) {
        ev.addDirect({ weight: this.scale[i], T: momentTransition(1 - a, m, -a, m), noise: n, p0: [s0[i], 0, 0], readout: 0 });
      }
    }
    return ev;
  }

  ema(lr: number, g: number, batchSize: number): TermEvaluator {
    const ev = this.ev;
    ev.reset(this.initial);
    const s0 = this.problem.s0;
    const out = (1 - g) * (1 - g);
    for (let i = 0; i < this.ph.length; i++) {
      const a = lr * this.ph[i];
      const n = (lr * lr * this.pc[i]) / batchSize;
      const w = this.scale[i] * out;
      const s = s0[i];
      // z = (x, y) with y = theta~/(1-g): y' = g y + x'. The loss reads (1-g)^2 E[y^2].
      const S0: [number, number, number] = [s, s / out, s / (1 - g)];
      if (!addLinearGaussian(ev, w, 1 - a, 0, 1 - a, g, n, S0[0], S0[1], S0[2], 0, 1)) {
        ev.addDirect({ weight: w, T: momentTransition(1 - a, 0, 1 - a, g), noise: n, p0: S0, readout: 1 });
      }
    }
    return ev;
  }

  compile(opt: NqmOptimizer, batchSize: number): TermEvaluator {
    if (opt.precondition !== this.precondition) throw new Error('LossCompiler: preconditioning power mismatch');
    switch (opt.kind) {
      case 'sgd':
        return this.sgd(opt.lr, batchSize);
      case 'momentum':
        return this.momentum(opt.lr, opt.momentum, batchSize);
      case 'ema':
        return this.ema(opt.lr, opt.decay, batchSize);
      case 'pwc':
        throw new Error('a piecewise-constant schedule has no single closed form; use expectedLoss');
    }
  }
}

/** A fresh evaluator for one optimizer (convenience; grids should reuse a LossCompiler). */
export function compileLoss(problem: NqmProblem, opt: NqmOptimizer, batchSize: number): LossEvaluator {
  return new LossCompiler(problem, opt.precondition).compile(opt, batchSize);
}
