// Linear-algebra benchmark: the engine's blocked spdInverse / symmetricEigen against textbook
// unblocked versions written below, measured in the same run (the machine is shared and noisy:
// read the ratios), and the main-thread blocking time of an InverseService round trip.
//   node --import tsx bench/linalg.bench.ts        (add --quick to skip n=1024 baselines)
import { addDiagonal, InverseService, spdInverse, symmetricEigen } from '../engine/src/linalg';

const quick = process.argv.includes('--quick');
const SIZES = [256, 512, 1024];

// ---------------------------------------------------------------------------------------------
// Textbook baselines (row-major, unblocked, no attention to memory order).

/** Cholesky-Banachiewicz, then L^-1 row by row, then L^-T L^-1 by column dot products. */
function textbookSpdInverse(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (j < i) l[i * n + j] = s / l[j * n + j];
      else if (s > 0) l[i * n + i] = Math.sqrt(s);
      else throw new Error('not positive definite');
    }
  }
  const w = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    w[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k] * w[k * n + j];
      w[i * n + j] = s / l[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += w[k * n + i] * w[k * n + j];
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}

/** JAMA's tred2 + tql2 (EISPACK), ported directly to a row-major array. Returns ascending values. */
function textbookEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const V = a.slice();
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const at = (i: number, j: number) => i * n + j;
  for (let j = 0; j < n; j++) d[j] = V[at(n - 1, j)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[at(i - 1, j)];
        V[at(i, j)] = 0;
        V[at(j, i)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[at(j, i)] = f;
        g = e[j] + V[at(j, j)] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[at(k, j)] * d[k];
          e[k] += V[at(k, j)] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[at(k, j)] -= f * e[k] + g * d[k];
        d[j] = V[at(i - 1, j)];
        V[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[at(n - 1, i)] = V[at(i, i)];
    V[at(i, i)] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[at(k, i + 1)] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[at(k, i + 1)] * V[at(k, j)];
        for (let k = 0; k <= i; k++) V[at(k, j)] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[at(k, i + 1)] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[at(n - 1, j)];
    V[at(n - 1, j)] = 0;
  }
  V[at(n - 1, n - 1)] = 1;
  e[0] = 0;
  // tql2
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      do {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            h = V[at(k, i + 1)];
            V[at(k, i + 1)] = s * V[at(k, i)] + c * h;
            V[at(k, i)] = c * V[at(k, i)] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return { values: d.slice().sort(), vectors: V };
}

// ---------------------------------------------------------------------------------------------

/** A damped K-FAC-like factor: x^T x / B with B = n/2 (rank-deficient) plus 1e-3 I. */
function kfacFactor(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32 - 0.5);
  const batch = n / 2;
  const x = Float64Array.from({ length: batch * n }, rand);
  const f = new Float64Array(n * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      const xi = x[b * n + i] / batch;
      for (let j = 0; j < n; j++) f[i * n + j] += xi * x[b * n + j];
    }
  }
  return addDiagonal(f, n, 1e-3);
}

function timeMs(fn: () => unknown, reps: number): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  if (x < 0) console.log(x);
}

// Warm the JIT on small problems so the first timed size is not penalised.
for (let i = 0; i < 3; i++) {
  spdInverse(kfacFactor(64, 1), 64);
  symmetricEigen(kfacFactor(64, 1), 64);
}

console.log('best of 3 runs (1 at n=1024); ratio = textbook / engine');
console.log('  n | spdInverse  textbook  ratio |  eigen  textbook  ratio');
const own = new Map<number, number>();
for (const n of SIZES) {
  const a = kfacFactor(n, n);
  const reps = n >= 1024 ? 1 : 3;
  let inv: Float64Array = new Float64Array(0);
  const tInv = timeMs(() => (inv = spdInverse(a, n)), reps);
  const tEig = timeMs(() => symmetricEigen(a, n), reps);
  own.set(n, tInv);
  const skip = quick && n >= 1024;
  let line = `${String(n).padStart(4)} | ${tInv.toFixed(0).padStart(7)} ms`;
  if (skip) {
    line += '        -      - ';
  } else {
    let ref: Float64Array = new Float64Array(0);
    const tRef = timeMs(() => (ref = textbookSpdInverse(a, n)), reps);
    if (maxDiff(ref, inv) > 1e-6 * maxDiff(ref, new Float64Array(ref.length))) throw new Error('spdInverse disagrees with the textbook version');
    line += ` ${tRef.toFixed(0).padStart(6)} ms ${(tRef / tInv).toFixed(1).padStart(5)}x`;
  }
  line += ` | ${tEig.toFixed(0).padStart(5)} ms`;
  if (skip) {
    line += '       -      -';
  } else {
    let refValues: Float64Array = new Float64Array(0);
    const tRefEig = timeMs(() => (refValues = textbookEigen(a, n).values), 1);
    const values = symmetricEigen(a, n).values;
    if (maxDiff(refValues, values) > 1e-9 * values[n - 1]) throw new Error('symmetricEigen disagrees with the textbook version');
    line += ` ${tRefEig.toFixed(0).padStart(6)} ms ${(tRefEig / tEig).toFixed(1).padStart(5)}x`;
  }
  console.log(line);
}

// InverseService: submit, do "training steps" on the main thread, then collect. Blocking time =
// how long wait() held the main thread.
console.log('\nInverseService round trip (spdInverse with damping): main-thread blocking in wait()');
const service = new InverseService();
service.submit([{ kind: 'spdInverse', matrix: kfacFactor(64, 2), n: 64 }]).wait(); // start + warm the worker
for (const n of SIZES) {
  const a = kfacFactor(n, n + 1);
  const sync = own.get(n)!;
  const cells: string[] = [];
  for (const work of [0, 0.5 * sync, 2 * sync]) {
    const t0 = performance.now();
    const ticket = service.submit([{ kind: 'spdInverse', matrix: a, n, damping: 1e-2 }]);
    const tSubmit = performance.now() - t0;
    busy(work);
    const t1 = performance.now();
    ticket.wait();
    const blocked = performance.now() - t1;
    cells.push(`work ${work.toFixed(0).padStart(4)} ms -> blocked ${blocked.toFixed(1).padStart(6)} ms (submit ${tSubmit.toFixed(1)} ms)`);
  }
  console.log(`${String(n).padStart(4)} | sync ${sync.toFixed(0)} ms | ${cells.join(' | ')}`);
}
service.close();
