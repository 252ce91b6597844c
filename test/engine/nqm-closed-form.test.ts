// The NQM closed forms (science-spec 1.1-1.2) against independent computations: the notebook's
// binning redone by brute force, the plain step-by-step recurrence (iterateExpectedLoss), a
// repeated-squaring oracle of the spec's 3x3 moment maps for large k, hand-iterated schedules and
// the closed-form steady-state risks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLoss, LossCompiler, TermEvaluator, type LossEvaluator } from '../../engine/src/nqm/evaluator.js';
import { addLinearGaussian, NEAR_DEFECTIVE } from '../../engine/src/nqm/linear-gaussian.js';
import { expectedLoss, lossCurve } from '../../engine/src/nqm/dynamics.js';
import { binSpectrum, buildProblem, REFERENCE_NQM, spectrum } from '../../engine/src/nqm/model.js';
import { iterateExpectedLoss } from '../../engine/src/nqm/recurrence.js';
import { geomspace } from '../../engine/src/util/numpy-ranges.js';
import type { NqmOptimizer, NqmProblem, NqmSpec, SchedulePiece } from '../../engine/src/nqm/types.js';

// ---------------------------------------------------------------------------------------------
// Helpers (written independently of the code under test)

function spec(over: Partial<NqmSpec>): NqmSpec {
  return { ...REFERENCE_NQM, ...over };
}

/** A problem given coordinate by coordinate. */
function makeProblem(h: number[], c: number[], weight: number[], s0: number[]): NqmProblem {
  return {
    spec: spec({ dim: weight.reduce((x, y) => x + y, 0), bins: 0 }),
    h: Float64Array.from(h),
    c: Float64Array.from(c),
    weight: Float64Array.from(weight),
    s0: Float64Array.from(s0),
  };
}

const precOf = (h: number, p: number) => (p === 0 ? 1 : Math.pow(h, -p));

function assertClose(got: number, want: number, rel: number, abs: number, what: string): void {
  const err = Math.abs(got - want);
  assert.ok(Number.isFinite(got) && err <= rel * Math.abs(want) + abs, `${what}: got ${got}, want ${want} (|diff| ${err.toExponential(2)}, rel ${(err / Math.abs(want)).toExponential(2)})`);
}

/**
 * The notebook's SGD closed form keeps a 1e-8 in s* = n / (1 - beta + 1e-8); that is exactly the
 * plain recurrence with the per-step noise n scaled by (1 - beta) / (1 - beta + 1e-8). This builds
 * the problem whose plain recurrence at (lr, p) is the closed form to rounding.
 */
function sgdEquivalentProblem(problem: NqmProblem, lr: number, p: number): NqmProblem {
  const c = problem.c.map((ci, i) => {
    const beta = (1 - lr * precOf(problem.h[i], p) * problem.h[i]) ** 2;
    return (ci * (1 - beta)) / (1 - beta + 1e-8);
  });
  return { ...problem, c };
}

/**
 * Counts the coordinates that the evaluator takes off Sylvester's formula: near-defective ones
 * (Cayley-Hamilton form, addCayley) and those iterated directly (addDirect).
 */
function countFallbacks<T>(fn: () => T): { value: T; cayley: number; direct: number } {
  const proto = TermEvaluator.prototype;
  const { addCayley, addDirect } = proto;
  let cayley = 0;
  let direct = 0;
  proto.addCayley = function (this: TermEvaluator, mode: Parameters<TermEvaluator['addCayley']>[0]) {
    cayley += 1;
    addCayley.call(this, mode);
  };
  proto.addDirect = function (this: TermEvaluator, mode: Parameters<TermEvaluator['addDirect']>[0]) {
    direct += 1;
    addDirect.call(this, mode);
  };
  try {
    const value = fn();
    return { value, cayley, direct };
  } finally {
    proto.addCayley = addCayley;
    proto.addDirect = addDirect;
  }
}

// 3x3 affine maps F(v) = T v + b, iterated by binary powering (the spec's "repeated squaring").
type Vec3 = [number, number, number];
function mv(M: number[], v: number[]): Vec3 {
  return [M[0] * v[0] + M[1] * v[1] + M[2] * v[2], M[3] * v[0] + M[4] * v[1] + M[5] * v[2], M[6] * v[0] + M[7] * v[1] + M[8] * v[2]];
}
function mm(A: number[], B: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out.push(A[3 * i] * B[j] + A[3 * i + 1] * B[3 + j] + A[3 * i + 2] * B[6 + j]);
  return out;
}
/** F^k(v0): the powers F^(2^j) commute, so they can be applied in any order. */
function affinePower(T: number[], b: Vec3, v0: Vec3, k: number): Vec3 {
  let M = T;
  let c: Vec3 = b;
  let v: Vec3 = v0;
  for (let e = k; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) v = add3(mv(M, v), c);
    c = add3(mv(M, c), c);
    M = mm(M, M);
  }
  return v;
}
function add3(a: Vec3, b: Vec3): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

/**
 * Expected loss after k steps from the 3x3 second-moment maps, one coordinate at a time:
 * momentum with the spec's T (state E x^2, E v^2, E x v); EMA with the averaged iterate itself
 * (state E x^2, E bar^2, E x bar; x' = r x - noise, bar' = g bar + (1-g) x').
 */
function oracleLoss(problem: NqmProblem, opt: NqmOptimizer, batchSize: number, k: number): number {
  const { h, c, weight, s0 } = problem;
  let total = 0;
  for (let i = 0; i < h.length; i++) {
    const lr = opt.kind === 'pwc' ? NaN : opt.lr;
    const a = lr * precOf(h[i], opt.precondition) * h[i];
    const n = (lr * precOf(h[i], opt.precondition)) ** 2 * (c[i] / batchSize);
    const r = 1 - a;
    let moment: number;
    if (opt.kind === 'momentum') {
      const m = opt.momentum;
      const T = [r * r, m * m, 2 * r * m, a * a, m * m, -2 * a * m, -r * a, m * m, (1 - 2 * a) * m];
      moment = affinePower(T, [n, n, n], [s0[i], 0, 0], k)[0];
    } else if (opt.kind === 'ema') {
      const g = opt.decay;
      const u = 1 - g;
      const T = [r * r, 0, 0, u * u * r * r, g * g, 2 * g * u * r, u * r * r, 0, g * r];
      moment = affinePower(T, [n, u * u * n, u * n], [s0[i], s0[i], s0[i]], k)[1];
    } else {
      throw new Error('oracleLoss: momentum or ema only');
    }
    total += weight[i] * h[i] * moment;
  }
  return 0.5 * total;
}

// ---------------------------------------------------------------------------------------------
// Problems

const REF = buildProblem(REFERENCE_NQM);
/** Small, unbinned, with a non-unit noise scale and start. */
const SMALL = buildProblem(spec({ dim: 40, bins: 0, noise: { power: 1, scale: 1.5 }, initVariance: 0.7 }));
/** A non-reference binned spectrum: exponent 1.3, noise power 0.7. */
const ODD = buildProblem(spec({ dim: 300, exponent: 1.3, bins: 25, noise: { power: 0.7, scale: 2 }, initVariance: 0.5 }));

const KS = [0, 1, 2, 3, 10, 100, 1000, 5000];
const KMAX = 5000;

/** Closed form (compileLoss and expectedLoss) vs the recurrence of `oracle` at every k in KS. */
function assertMatchesRecurrence(problem: NqmProblem, opt: NqmOptimizer, B: number, what: string, oracle: NqmProblem = problem): void {
  const ref = iterateExpectedLoss(oracle, opt, B, KMAX);
  const ev = compileLoss(problem, opt, B);
  const floor = 1e-14 * ref[0];
  for (const k of KS) {
    assertClose(ev.at(k), ref[k], 1e-9, floor, `${what} k=${k}`);
  }
  assert.equal(expectedLoss(problem, opt, B, 1000), ev.at(1000), `${what}: expectedLoss = compiled at(1000)`);
}

const label = (opt: NqmOptimizer, B: number, name: string) => `${name} ${JSON.stringify(opt)} B=${B}`;

// ---------------------------------------------------------------------------------------------

describe('binning (science-spec 1.1)', () => {
  const d = REFERENCE_NQM.dim;
  const nb = REFERENCE_NQM.bins;

  test('reference problem: 100 bins at geomspace(1, 1e-4, 100) edges holding all 10^4 dimensions', () => {
    assert.equal(REF.h.length, nb);
    assert.equal(REF.weight.reduce((x, y) => x + y, 0), d);
    assert.equal(REF.h[0], 1, 'first edge is exactly h_1 = 1');
    assert.equal(REF.h[nb - 1], 1e-4, 'last edge is exactly h_d = 1e-4');
    assert.equal(REF.weight[0], 1, 'the first bin holds only h_1 (h_2 = 0.5 is below the second edge)');
    const edges = geomspace(1, 1e-4, nb);
    for (let b = 0; b < nb; b++) {
      assert.equal(REF.h[b], edges[b], `edge ${b} is geomspace's`);
      // independently: 10^(-4 b / 99)
      assertClose(REF.h[b], Math.pow(10, (-4 * b) / (nb - 1)), 1e-14, 0, `edge ${b}`);
      if (b > 0) assert.ok(REF.h[b] < REF.h[b - 1], 'edges decrease');
    }
  });

  test('every h_i = 1/i lands in the first bin whose edge it reaches (brute force)', () => {
    const counts = new Array<number>(nb).fill(0);
    for (let i = 1; i <= d; i++) {
      const hi = 1 / i;
      let b = 0;
      while (!(hi >= REF.h[b])) b++;
      counts[b] += 1;
    }
    assert.deepEqual(Array.from(REF.weight), counts);
    // The same with edges computed independently of geomspace (no h_i sits within an ulp of an edge).
    const counts2 = new Array<number>(nb).fill(0);
    for (let i = 1; i <= d; i++) {
      let b = 0;
      while (!(1 / i >= (b === nb - 1 ? 1e-4 : Math.pow(10, (-4 * b) / (nb - 1))))) b++;
      counts2[b] += 1;
    }
    assert.deepEqual(counts2, counts);
    assert.ok(counts.slice(1, 7).every((x) => x === 0), 'edges 1..6 lie in (0.5, 1): empty bins');
    assert.ok(counts[nb - 1] >= 1, 'the last bin holds h_d');
  });

  test('binSpectrum on another spectrum agrees with the brute-force assignment', () => {
    const full = spectrum(500, 1.7);
    const { edges, counts } = binSpectrum(full, 12);
    assert.equal(edges[0], full[0]);
    assert.equal(edges[11], full[499]);
    const brute = new Array<number>(12).fill(0);
    for (const hi of full) {
      let b = 0;
      while (!(hi >= edges[b])) b++;
      brute[b] += 1;
    }
    assert.deepEqual(Array.from(counts), brute);
  });

  test('unbinned (bins 0): h_i = i^-a, weights all 1; noise c = scale * h^power', () => {
    const p = buildProblem(spec({ dim: 50, exponent: 1.5, bins: 0, noise: { power: 2, scale: 3 }, initVariance: 0.25 }));
    assert.equal(p.h.length, 50);
    assert.ok(p.weight.every((w) => w === 1));
    assert.ok(p.s0.every((s) => s === 0.25));
    for (let i = 0; i < 50; i++) {
      assertClose(p.h[i], Math.pow(i + 1, -1.5), 1e-15, 0, `h_${i + 1}`);
      assertClose(p.c[i], 3 * p.h[i] * p.h[i], 1e-15, 0, `c_${i + 1}`);
    }
    // reference noise C = H exactly; binned noise uses the bin edge
    assert.deepEqual(Array.from(REF.c), Array.from(REF.h));
    for (let b = 0; b < ODD.h.length; b++) assertClose(ODD.c[b], 2 * Math.pow(ODD.h[b], 0.7), 1e-15, 0, `binned c_${b}`);
    assert.equal(ODD.weight.reduce((x, y) => x + y, 0), 300);
  });
});

describe('closed form vs the step-by-step recurrence', () => {
  test('SGD and preconditioned SGD (the 1e-8 in s* accounted for)', () => {
    for (const problem of [REF, SMALL, ODD]) {
      for (const p of [0, 0.5]) {
        for (const lr of [0.01, 0.5, 1.5, 1.95]) {
          for (const B of [1, 64]) {
            const opt: NqmOptimizer = { kind: 'sgd', lr, precondition: p };
            assertMatchesRecurrence(problem, opt, B, label(opt, B, 'sgd'), sgdEquivalentProblem(problem, lr, p));
          }
        }
      }
    }
  });

  test('SGD against the plain recurrence differs only by the notebook 1e-8 in s*', () => {
    for (const [lr, p] of [[0.01, 0], [0.5, 0.5], [1.9, 0]] as const) {
      const B = 2;
      const opt: NqmOptimizer = { kind: 'sgd', lr, precondition: p };
      const plain = iterateExpectedLoss(REF, opt, B, KMAX);
      const ev = compileLoss(REF, opt, B);
      for (const k of KS) {
        // closed form - plain = sum 1/2 w h (s*_1e8 - s*) (1 - beta^k) <= 0
        let bound = 0;
        for (let i = 0; i < REF.h.length; i++) {
          const a = lr * precOf(REF.h[i], p) * REF.h[i];
          const beta = (1 - a) ** 2;
          const n = (lr * precOf(REF.h[i], p)) ** 2 * (REF.c[i] / B);
          bound += 0.5 * REF.weight[i] * REF.h[i] * (n / (1 - beta) - n / (1 - beta + 1e-8)) * (1 - beta ** k);
        }
        const diff = plain[k] - ev.at(k);
        assertClose(diff, bound, 1e-3, 1e-15, `lr=${lr} p=${p} k=${k}: the 1e-8 effect`);
      }
    }
  });

  test('heavy-ball momentum: complex, real, zero and negative eigenvalues', () => {
    const cases: Array<[number, number, number, number]> = [
      // lr, m, p, B
      [0.05, 0.9, 0, 4], // complex for a > ~0.0026, real below
      [0.5, 0.9, 0, 16], // complex nearly everywhere
      [0.1, 0.9, 0.5, 8],
      [0.3, 0.1, 0, 4], // real
      [0.5, 0, 0, 4], // m = 0: one zero eigenvalue
      [1.5, 0, 0.25, 2],
      [1.9, 0.05, 0, 4], // negative eigenvalues at h ~ 1
      [1.95, 0.02, 0, 1],
      [1.9, 0.05, 0.5, 64],
    ];
    for (const problem of [REF, SMALL, ODD]) {
      for (const [lr, m, p, B] of cases) {
        const opt: NqmOptimizer = { kind: 'momentum', lr, momentum: m, precondition: p };
        assertMatchesRecurrence(problem, opt, B, label(opt, B, 'momentum'));
      }
    }
  });

  test('EMA of iterates: decay 0, 0.5, 0.99 including lr h > 1 (negative (1-a) g)', () => {
    for (const problem of [REF, SMALL, ODD]) {
      for (const g of [0, 0.5, 0.99]) {
        for (const [lr, p, B] of [[0.3, 0, 4], [1.5, 0, 16], [1.2, 0.5, 2]] as const) {
          const opt: NqmOptimizer = { kind: 'ema', lr, decay: g, precondition: p };
          assertMatchesRecurrence(problem, opt, B, label(opt, B, 'ema'));
        }
      }
    }
  });

  test('defective momentum, (1 - a + m)^2 = 4m, takes the near-defective path and still matches', () => {
    // m = (1 -+ sqrt a)^2 makes coordinate j's 2x2 transition defective (double eigenvalue +-sqrt m).
    for (const [j, lr, sign] of [[30, 0.2, -1], [0, 0.05, -1], [70, 1.0, -1], [0, 2.9, 1], [10, 2, 1]] as const) {
      const a = lr * REF.h[j];
      for (const eps of [0, 1e-13, -1e-13, 1e-9, -1e-9]) {
        const m = (1 + sign * Math.sqrt(a)) ** 2 * (1 + eps);
        if (!(m < 1)) continue;
        const opt: NqmOptimizer = { kind: 'momentum', lr, momentum: m, precondition: 0 };
        const { cayley, direct } = countFallbacks(() => compileLoss(REF, opt, 8));
        assert.ok(cayley >= 1 && direct === 0, `bin ${j} (a=${a}, m=${m}): near-defective path (${cayley}, ${direct})`);
        assertMatchesRecurrence(REF, opt, 8, label(opt, 8, 'defective momentum'));
      }
    }
  });

  test('defective EMA (g = 1 - a) and nilpotent transitions (a = 1 with m = 0 or g = 0)', () => {
    for (const [j, lr] of [[20, 0.3], [60, 0.9]] as const) {
      const opt: NqmOptimizer = { kind: 'ema', lr, decay: 1 - lr * REF.h[j], precondition: 0 };
      const { cayley } = countFallbacks(() => compileLoss(REF, opt, 8));
      assert.ok(cayley >= 1, `ema bin ${j}: near-defective path`);
      assertMatchesRecurrence(REF, opt, 8, label(opt, 8, 'defective ema'));
    }
    const j = 25;
    const lr = 1 / REF.h[j]; // a_j = 1: A_j = [[0, 0], [-1, 0]] (momentum 0), 0 (EMA decay 0)
    for (const opt of [
      { kind: 'momentum', lr, momentum: 0, precondition: 0 },
      { kind: 'ema', lr, decay: 0, precondition: 0 },
    ] satisfies NqmOptimizer[]) {
      const sub = { ...REF, h: REF.h.slice(j), c: REF.c.slice(j), weight: REF.weight.slice(j), s0: REF.s0.slice(j) };
      const { cayley } = countFallbacks(() => compileLoss(sub, opt, 8));
      assert.ok(cayley >= 1, `${opt.kind}: nilpotent coordinate on the near-defective path`);
      assertMatchesRecurrence(sub, opt, 8, label(opt, 8, 'nilpotent'));
    }
  });

  test('a near-defective transition with spectral radius > 1 is iterated directly and diverges', () => {
    const opt: NqmOptimizer = { kind: 'momentum', lr: 1e-9, momentum: 1 + 1e-4, precondition: 0 };
    const { value: ev, direct } = countFallbacks(() => compileLoss(REF, opt, 8));
    assert.ok(direct >= 1, 'direct path');
    assert.equal(ev.steadyState, Infinity);
    assertMatchesRecurrence(REF, opt, 8, label(opt, 8, 'diverging near-defective'));
  });

  test('addLinearGaussian on arbitrary 2x2 transitions (both paths) vs iterating the covariance', () => {
    // z' = A z + (1, 1) xi, Var xi = n; E[(e.z_k)^2] against Sigma_{k+1} = A Sigma A^T + n 11^T.
    const cases: Array<[number, number, number, number]> = [
      [0.9, 0.2, -0.1, 0.5], // real, distinct
      [0.9, 0.5, -0.5, 0.9], // complex
      [-0.7, 0.3, -0.2, -0.4], // real negative
      [-0.6, 0.5, -0.5, -0.6], // complex, negative real part
      [0.95, 1, -0.0004, 0.9], // near-defective real (disc 1e-8 > 0)
      [0.95, 1, -0.000625, 0.9], // exactly defective
      [0.95, 1, -0.0006251, 0.9], // near-defective complex
      [-0.95, 1, -0.0006251, -0.9], // near-defective complex, negative real part
      [-0.95, 1, -0.0004, -0.9], // near-defective real negative
      [0, 1e-4, -1e-4, 0], // tiny complex pair +-1e-4 i (absolute threshold)
      [0, 1e-4, 1e-4, 0], // tiny real pair +-1e-4 of opposite signs
      [0, 0, 1, 0], // nilpotent
      [0.5, 0, 0.3, 0.5], // defective triangular
    ];
    const e: Array<[number, number]> = [[1, 0], [0, 1], [0.6, -0.8]];
    for (const [p, q, r, s] of cases) {
      const disc = (p - s) ** 2 + 4 * q * r;
      const near = Math.abs(disc) <= NEAR_DEFECTIVE * Math.max(1, (p + s) ** 2);
      for (const [e0, e1] of e) {
        const n = 0.01;
        let [s11, s22, s12] = [1, 0.5, 0.2];
        const ev = new TermEvaluator(1);
        ev.reset(e0 * e0 * s11 + e1 * e1 * s22 + 2 * e0 * e1 * s12);
        const { cayley } = countFallbacks(() => addLinearGaussian(ev, 1, p, q, r, s, n, s11, s22, s12, e0, e1));
        assert.equal(cayley === 1, near, `A=${[p, q, r, s]}: near-defective path iff |disc| small`);
        for (let k = 0; k <= 400; k++) {
          const want = e0 * e0 * s11 + e1 * e1 * s22 + 2 * e0 * e1 * s12;
          assertClose(ev.at(k), want, 1e-10, 1e-15, `A=${[p, q, r, s]} e=${[e0, e1]} k=${k}`);
          [s11, s22, s12] = [
            p * p * s11 + 2 * p * q * s12 + q * q * s22 + n,
            r * r * s11 + 2 * r * s * s12 + s * s * s22 + n,
            p * r * s11 + (p * s + q * r) * s12 + q * s * s22 + n,
          ];
        }
      }
    }
  });

  test('single coordinate near the defective point: accurate on both sides of the fallback threshold', () => {
    // Sylvester's formula loses about eps / (l1 - l2)^2: the closed form must stay accurate as the
    // eigenvalues approach each other, whichever path it takes.
    const one = makeProblem([1], [1], [1], [1]);
    for (const a of [0.01, 0.1, 0.5]) {
      const m0 = (1 - Math.sqrt(a)) ** 2;
      for (const eps of [0, 1e-12, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3]) {
        for (const sign of [1, -1]) {
          const opt: NqmOptimizer = { kind: 'momentum', lr: a, momentum: m0 * (1 + sign * eps), precondition: 0 };
          assertMatchesRecurrence(one, opt, 16, label(opt, 16, 'near-defective momentum'));
        }
      }
      // EMA: eigenvalues 1 - a and g coincide at g = 1 - a
      for (const eps of [0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4]) {
        for (const sign of [1, -1]) {
          const opt: NqmOptimizer = { kind: 'ema', lr: a, decay: (1 - a) * (1 + sign * eps), precondition: 0 };
          assertMatchesRecurrence(one, opt, 16, label(opt, 16, 'near-defective ema'));
        }
      }
    }
  });

  test('piecewise-constant schedules: 3 pieces vs SGD iterated by hand with the changing lr', () => {
    const schedules: SchedulePiece[][] = [
      [{ steps: 50, lr: 1.0 }, { steps: 200, lr: 0.3 }, { steps: 100, lr: 0.05 }],
      [{ steps: 1, lr: 1.8 }, { steps: 7, lr: 0.01 }, { steps: 3, lr: 1.2 }],
      [{ steps: 400, lr: 0.002 }, { steps: 10, lr: 1.95 }, { steps: 1000, lr: 0.6 }],
    ];
    for (const problem of [REF, SMALL]) {
      for (const p of [0, 0.5]) {
        for (const pieces of schedules) {
          const B = 8;
          const opt: NqmOptimizer = { kind: 'pwc', pieces, precondition: p };
          // Hand loop, with the notebook's 1e-8 folded into the per-step noise of each piece.
          const T = 2000; // past the last piece the last lr continues
          const want = new Float64Array(T + 1);
          const s = Float64Array.from(problem.s0);
          let lossNow = 0;
          for (let i = 0; i < s.length; i++) lossNow += 0.5 * problem.weight[i] * problem.h[i] * s[i];
          want[0] = lossNow;
          let piece = 0;
          let leftInPiece = pieces[0].steps;
          for (let t = 0; t < T; t++) {
            while (leftInPiece === 0 && piece < pieces.length - 1) leftInPiece = pieces[++piece].steps;
            const lr = pieces[piece].lr;
            leftInPiece -= 1;
            let loss = 0;
            for (let i = 0; i < s.length; i++) {
              const pr = precOf(problem.h[i], p);
              const beta = (1 - lr * pr * problem.h[i]) ** 2;
              const n = (lr * pr) ** 2 * (problem.c[i] / B);
              s[i] = beta * s[i] + (n * (1 - beta)) / (1 - beta + 1e-8);
              loss += 0.5 * problem.weight[i] * problem.h[i] * s[i];
            }
            want[t + 1] = loss;
          }
          const boundaries = [pieces[0].steps, pieces[0].steps + pieces[1].steps, pieces[0].steps + pieces[1].steps + pieces[2].steps];
          const ks = [...new Set([0, 1, 2, 3, 10, 100, 1000, T, ...boundaries.flatMap((e) => [e - 1, e, e + 1])])].filter((k) => k >= 0 && k <= T).sort((x, y) => x - y);
          const curve = lossCurve(problem, opt, B, ks);
          ks.forEach((k, j) => {
            assertClose(curve[j], want[k], 1e-9, 1e-14 * want[0], `pwc ${JSON.stringify(pieces)} p=${p} k=${k}`);
            assert.equal(expectedLoss(problem, opt, B, k), curve[j]);
          });
        }
      }
    }
  });
});

describe('large k: closed form vs repeated squaring of the 3x3 moment maps', () => {
  test('the oracle itself agrees with the recurrence', () => {
    for (const opt of [
      { kind: 'momentum', lr: 0.5, momentum: 0.9, precondition: 0 },
      { kind: 'momentum', lr: 1.9, momentum: 0.05, precondition: 0.5 },
      { kind: 'ema', lr: 1.5, decay: 0.99, precondition: 0 },
      { kind: 'ema', lr: 0.01, decay: 0.5, precondition: 0.25 },
    ] satisfies NqmOptimizer[]) {
      const ref = iterateExpectedLoss(REF, opt, 4, 3000);
      for (const k of [0, 1, 7, 100, 3000]) assertClose(oracleLoss(REF, opt, 4, k), ref[k], 1e-10, 1e-15, `oracle ${JSON.stringify(opt)} k=${k}`);
    }
  });

  test('momentum and EMA with m, g -> 1 (the small-batch optima) at up to 10^7 steps', () => {
    // At m = 0.99999 and lr ~ 1e-7 every bin is within 1e-6 of a defective transition: the
    // small-batch momentum optimum lives here, and its step count depends on 1e-9 of the loss.
    const cases: NqmOptimizer[] = [
      { kind: 'momentum', lr: 1.519911082952933e-7, momentum: 0.99999, precondition: 0 },
      { kind: 'momentum', lr: 1e-6, momentum: 0.9999, precondition: 0 },
      { kind: 'momentum', lr: 3e-8, momentum: 0.99999, precondition: 0.5 },
      { kind: 'ema', lr: 0.23, decay: 0.99998, precondition: 0 },
      { kind: 'ema', lr: 0.01, decay: 0.999, precondition: 0 },
      { kind: 'ema', lr: 1e-3, decay: 1 - 1e-3 * REF.h[40], precondition: 0 },
    ];
    for (const opt of cases) {
      const ev = compileLoss(REF, opt, 4);
      for (const k of [1e4, 1e5, 1e6, 1333442, 1333443, 9999999]) {
        assertClose(ev.at(k), oracleLoss(REF, opt, 4, k), 1e-9, 1e-16, `${JSON.stringify(opt)} k=${k}`);
      }
    }
  });
});

describe('divergence and stability edges', () => {
  test('SGD: the stability edge is lr = 2 for p in {0, 0.25, 0.5}', () => {
    for (const p of [0, 0.25, 0.5]) {
      const compiler = new LossCompiler(REF, p);
      const below = compiler.sgd(2 * (1 - 1e-9), 4);
      assert.ok(Number.isFinite(below.steadyState), `p=${p}: finite just below 2`);
      const above = compiler.sgd(2 * (1 + 1e-9), 4);
      assert.equal(above.steadyState, Infinity, `p=${p}: diverges just above 2`);
      const far = compiler.sgd(2.2, 4);
      assert.equal(far.steadyState, Infinity);
      const ks = [0, 1, 10, 100, 1000];
      const losses = ks.map((k) => far.at(k));
      for (let j = 1; j < ks.length; j++) assert.ok(losses[j] > losses[j - 1], `p=${p}: loss grows (${losses})`);
      assert.ok(losses[4] > 1e100, `p=${p}: loss explodes`);
    }
  });

  test('momentum diverges past a = 2(1 + m); EMA past lr h = 2', () => {
    for (const m of [0, 0.5, 0.9]) {
      const compiler = new LossCompiler(REF, 0);
      const edge = 2 * (1 + m);
      assert.ok(Number.isFinite(compiler.momentum(edge * (1 - 1e-6), m, 4).steadyState), `m=${m} below edge`);
      const ev = compiler.momentum(edge * (1 + 1e-6), m, 4);
      assert.equal(ev.steadyState, Infinity, `m=${m} above edge`);
      const grow = compiler.momentum(edge * 1.1, m, 4);
      assert.ok(grow.at(2000) > 1e6 * grow.at(0), `m=${m}: loss grows`);
    }
    for (const g of [0, 0.9]) {
      const compiler = new LossCompiler(REF, 0);
      assert.ok(Number.isFinite(compiler.ema(2 * (1 - 1e-6), g, 4).steadyState));
      assert.equal(compiler.ema(2 * (1 + 1e-6), g, 4).steadyState, Infinity);
    }
  });
});

describe('steady states (science-spec 1.2)', () => {
  const P = buildProblem(spec({ dim: 20, bins: 0 }));
  const B = 8;
  const sum = (f: (h: number, c: number) => number) => P.h.reduce((acc, h, i) => acc + P.weight[i] * f(h, P.c[i]), 0);

  test('SGD: alpha prec c / (2B(2 - a)) summed (and exactly the notebook s* with its 1e-8)', () => {
    for (const p of [0, 0.5]) {
      for (const lr of [0.4, 1, 1.9]) {
        const ev = new LossCompiler(P, p).sgd(lr, B);
        const pure = sum((h, c) => (lr * precOf(h, p) * c) / (2 * B * (2 - lr * precOf(h, p) * h)));
        assertClose(ev.steadyState, pure, 1e-6, 0, `sgd p=${p} lr=${lr}`);
        const notebook = sum((h, c) => {
          const pr = precOf(h, p);
          const beta = (1 - lr * pr * h) ** 2;
          return 0.5 * h * (((lr * pr) ** 2 * (c / B)) / (1 - beta + 1e-8));
        });
        assertClose(ev.steadyState, notebook, 1e-12, 0, `sgd (notebook s*) p=${p} lr=${lr}`);
        assert.ok(ev.steadyState < pure, 'the 1e-8 lowers s*');
      }
    }
  });

  test('momentum: alpha prec c / (2B(1-m)(2 - a/(1+m)))', () => {
    for (const p of [0, 0.5]) {
      for (const [lr, m] of [[0.1, 0.9], [0.5, 0.5], [1.9, 0.1], [0.3, 0], [3.5, 0.9]] as const) {
        const ev = new LossCompiler(P, p).momentum(lr, m, B);
        const want = sum((h, c) => (lr * precOf(h, p) * c) / (2 * B * (1 - m) * (2 - (lr * precOf(h, p) * h) / (1 + m))));
        assertClose(ev.steadyState, want, 1e-6, 0, `momentum p=${p} lr=${lr} m=${m}`);
      }
    }
  });

  test('EMA: R_sgd (1-g)(1+g r)/((1+g)(1-g r))', () => {
    for (const p of [0, 0.5]) {
      for (const [lr, g] of [[0.3, 0.9], [1.5, 0.5], [1, 0.99], [0.05, 0]] as const) {
        const ev = new LossCompiler(P, p).ema(lr, g, B);
        const want = sum((h, c) => {
          const pr = precOf(h, p);
          const a = lr * pr * h;
          const r = 1 - a;
          const rSgd = (lr * pr * c) / (2 * B * (2 - a));
          return (rSgd * (1 - g) * (1 + g * r)) / ((1 + g) * (1 - g * r));
        });
        assertClose(ev.steadyState, want, 1e-6, 0, `ema p=${p} lr=${lr} g=${g}`);
      }
    }
  });

  test('a near-defective coordinate still counts in the steady state', () => {
    // bin 5 of P defective at lr = 0.5: m = (1 - sqrt(a))^2
    const lr = 0.5;
    const m = (1 - Math.sqrt(lr * P.h[5])) ** 2;
    const { value: ev, cayley } = countFallbacks(() => new LossCompiler(P, 0).momentum(lr, m, B));
    assert.ok(cayley >= 1, 'takes the near-defective path');
    const want = sum((h, c) => (lr * c) / (2 * B * (1 - m) * (2 - (lr * h) / (1 + m))));
    assertClose(ev.steadyState, want, 1e-6, 0, 'momentum steady state with a defective coordinate');
    assertClose(ev.at(5e6), want, 1e-9, 0, 'and the loss tends to it');
  });
});

describe('the monotone flag', () => {
  /** monotone must be exactly: every coordinate has beta <= 1 and s0 >= s* (with the 1e-8). */
  function expectedMonotone(problem: NqmProblem, lr: number, p: number, B: number): boolean {
    return Array.from(problem.h).every((h, i) => {
      const pr = precOf(h, p);
      const beta = (1 - lr * pr * h) ** 2;
      const sStar = ((lr * pr) ** 2 * (problem.c[i] / B)) / (1 - beta + 1e-8);
      return beta <= 1 && problem.s0[i] >= sStar;
    });
  }
  function assertNonIncreasing(ev: LossEvaluator, what: string): void {
    let prev = ev.at(0);
    const ks = [...Array.from({ length: 300 }, (_, k) => k + 1), 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 - 1];
    for (const k of ks) {
      const cur = ev.at(k);
      assert.ok(cur <= prev, `${what}: loss rises at k=${k} (${prev} -> ${cur})`);
      prev = cur;
    }
  }

  test('true for ordinary SGD points, and then the loss never rises', () => {
    for (const [lr, p, B] of [[0.1, 0, 64], [1, 0, 1024], [0.01, 0.5, 16], [1.9, 0.25, 2 ** 20]] as const) {
      const ev = new LossCompiler(REF, p).sgd(lr, B);
      assert.equal(ev.monotone, true, `lr=${lr} p=${p} B=${B}`);
      assertNonIncreasing(ev, `lr=${lr} p=${p} B=${B}`);
    }
  });

  test('false when s0 < s* on some coordinate (tiny batch, large lr)', () => {
    const ev = new LossCompiler(REF, 0).sgd(1.5, 1); // s*(h = 1) = 2.25 / 0.75 = 3 > 1
    assert.equal(ev.monotone, false);
    // where the loss really rises
    const low = buildProblem(spec({ initVariance: 1e-3 }));
    const up = new LossCompiler(low, 0).sgd(1, 1);
    assert.equal(up.monotone, false);
    assert.ok(up.at(50) > up.at(0), 'the loss rises from a small start');
  });

  test('over the reference SGD grid it is exactly "beta <= 1 and s0 >= s* everywhere"', () => {
    const lrs = Array.from({ length: 100 }, (_, i) => Math.pow(10, -5 + (5.5 * i) / 99));
    let trues = 0;
    let falses = 0;
    for (const p of [0, 0.5]) {
      const compiler = new LossCompiler(REF, p);
      for (const B of [1, 16, 1024]) {
        for (const lr of lrs) {
          const want = expectedMonotone(REF, lr, p, B);
          assert.equal(compiler.sgd(lr, B).monotone, want, `lr=${lr} p=${p} B=${B}`);
          if (want) trues++;
          else falses++;
        }
      }
    }
    assert.ok(trues > 100 && falses > 10, `both kinds occur (${trues} monotone, ${falses} not)`);
  });
});
