// Finite-difference checks of every op the engine differentiates, first order (tf.grads against
// central differences of the function) and second order (Hessian-vector products by double
// backprop, grad of <grad F, v>, against central differences of the gradient along v), in float32
// on whichever backend is active.
//
// Each case is a function f of a few small tensors; the checked scalar is F = <w, f(xs)> with fixed
// random weights w (so every output element matters). Differences use the 5-point stencil
// (-F(x+2h) + 8F(x+h) - 8F(x-h) + F(x-2h)) / 12h: its O(h^4) truncation lets h be large enough
// (1e-2 for O(1) inputs) that float32 rounding (~1e-7 |F| / h) stays near 1e-5. Inputs are drawn
// away from kinks (relu at 0, max ties, clip bounds) by more than 2h.
//
// The error of a check is max_i |ad_i - fd_i| / max(|fd|_inf, |ad|_inf, floor): the worst
// component relative to the gradient's scale.
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { Rng } from '../util/random';
import type { Tf } from './namespace';
import { avgPool2d, conv2dIm2col, maxPool2d } from './conv';
import { logSoftmax, meanSquaredError, sigmoidCrossEntropy, softmaxCrossEntropy } from './losses';

export interface InputSpec {
  shape: number[];
  /** How to draw the values (default 'normal': N(0, 1) kept away from 0 by 0.2 when `awayFromZero`). */
  kind?: 'normal' | 'positive' | 'awayFromZero' | 'separated' | 'unit';
}

export interface GradcheckCase {
  name: string;
  /** Short group label for reports (matmul, elementwise, activation, reduction, shape, conv, loss, model). */
  group: string;
  inputs: InputSpec[];
  /** The function; its output may have any shape. Constants are captured by closure. */
  f: (tf: Tf, xs: Tensor[]) => Tensor;
  /** Kernels the case needs on the backend; missing ones make it 'unsupported' with that reason. */
  kernels?: string[];
  /** Skip the second-order check (e.g. ops that are linear, checked anyway unless set). */
  firstOrderOnly?: boolean;
  /**
   * A stock tfjs op known to give wrong second derivatives even with the engine's fixes (customGrad
   * ops that save their output). The suite expects its second-order check to FAIL, documenting
   * the defect; the engine uses its own forms instead.
   */
  knownBrokenSecondOrder?: string;
  /** A stock tfjs op whose FIRST-order gradient is wrong on these backends: the suite expects a failure there. */
  knownBrokenFirstOrder?: { backends: string[]; why: string };
  /** Tolerances (default 1e-2 for both orders). */
  tol?: { first?: number; second?: number };
  h?: number;
}

export interface CheckOutcome {
  status: 'pass' | 'fail' | 'error' | 'unsupported' | 'skipped';
  /** The error measure (absent on error/unsupported/skipped). */
  error?: number;
  tol?: number;
  message?: string;
}

export interface GradcheckResult {
  name: string;
  group: string;
  backend: string;
  params: number;
  first: CheckOutcome;
  second: CheckOutcome;
  knownBrokenSecondOrder?: string;
  /** Set when the case's first-order gradient is known to be wrong on this backend. */
  knownBrokenFirstOrder?: string;
  ms: number;
}

export interface GradcheckOptions {
  /** Only the cases whose name is listed (or for which the predicate holds). */
  only?: string[] | ((c: GradcheckCase) => boolean);
  seed?: number;
  /** Random directions v for the Hessian-vector products (default 2). */
  directions?: number;
  /** Check every coordinate of the gradient up to this many parameters, else random directions (default 64). */
  maxCoordinates?: number;
}

const DEFAULT_TOL = 1e-2;
const FLOOR = 1e-3;

// ---- numerics -----------------------------------------------------------------------------------

function drawInput(spec: InputSpec, rng: Rng): Float64Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  const kind = spec.kind ?? 'normal';
  if (kind === 'separated') {
    // Distinct values 0.25 apart (shuffled), so that max/min arg positions survive a step of 4h.
    const order = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let i = 0; i < size; i++) out[i] = (order[i] - size / 2) * 0.25 + 0.05 * (rng.next() - 0.5);
    return f32(out);
  }
  for (let i = 0; i < size; i++) {
    const z = rng.normal();
    if (kind === 'positive') out[i] = 0.5 + 1.5 * rng.next();
    else if (kind === 'awayFromZero') out[i] = Math.sign(z || 1) * (0.2 + Math.min(Math.abs(z), 2));
    else if (kind === 'unit') out[i] = rng.next();
    else out[i] = Math.max(-2.5, Math.min(2.5, z));
  }
  return f32(out);
}

function f32(a: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(a));
}

function inf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Worst component difference relative to the larger of the two vectors' scales. */
export function relativeError(ad: ArrayLike<number>, fd: ArrayLike<number>, floor = FLOOR): number {
  let d = 0;
  for (let i = 0; i < ad.length; i++) {
    const e = Math.abs(ad[i] - fd[i]);
    if (!(e <= d)) d = e; // NaN propagates
  }
  return d / Math.max(inf(ad), inf(fd), floor);
}

const STENCIL = [
  [-2, 1 / 12],
  [-1, -8 / 12],
  [1, 8 / 12],
  [2, -1 / 12],
] as const;

// ---- the checker --------------------------------------------------------------------------------

/** Runs the cases on the active backend. */
export function runGradcheck(tf: Tf, cases: GradcheckCase[] = gradcheckCases(), options: GradcheckOptions = {}): GradcheckResult[] {
  const only = options.only;
  const selected = only === undefined ? cases : cases.filter((c) => (typeof only === 'function' ? only(c) : only.includes(c.name)));
  const backend = tf.getBackend();
  return selected.map((c, i) => checkCase(tf, c, backend, new Rng(options.seed ?? 20240917, i), options));
}

function checkCase(tf: Tf, c: GradcheckCase, backend: string, rng: Rng, options: GradcheckOptions): GradcheckResult {
  const t0 = performance.now();
  const xs = c.inputs.map((s) => drawInput(s, rng));
  const shapes = c.inputs.map((s) => s.shape);
  const params = xs.reduce((n, x) => n + x.length, 0);
  const base = {
    name: c.name,
    group: c.group,
    backend,
    params,
    ...(c.knownBrokenSecondOrder ? { knownBrokenSecondOrder: c.knownBrokenSecondOrder } : {}),
    ...(c.knownBrokenFirstOrder?.backends.includes(backend) ? { knownBrokenFirstOrder: c.knownBrokenFirstOrder.why } : {}),
  };
  const missing = (c.kernels ?? []).filter((k) => tf.getKernel(k, backend) === undefined);
  if (missing.length) {
    const why: CheckOutcome = { status: 'unsupported', message: `kernel ${missing.join(', ')} not registered for backend '${backend}'` };
    return { ...base, first: why, second: why, ms: performance.now() - t0 };
  }
  // Output weights: fixed by a dry run for the output shape.
  let w: Float64Array;
  let wShape: number[];
  try {
    const out = tf.tidy(() => c.f(tf, xs.map((x, i) => tf.tensor(Float32Array.from(x), shapes[i]))));
    wShape = out.shape;
    out.dispose();
    w = f32(Float64Array.from({ length: wShape.reduce((a, b) => a * b, 1) }, () => (rng.next() < 0.5 ? -1 : 1) * (0.5 + rng.next())));
  } catch (err) {
    const e: CheckOutcome = { status: 'error', message: short(err) };
    return { ...base, first: e, second: e, ms: performance.now() - t0 };
  }
  const h = c.h ?? 1e-2;
  const objective = (ts: Tensor[]): Tensor => {
    const out = c.f(tf, ts);
    return tf.sum(tf.mul(out, tf.tensor(Float32Array.from(w), wShape)));
  };
  const toTensors = (vals: Float64Array[]) => vals.map((x, i) => tf.tensor(Float32Array.from(x), shapes[i]));
  const value = (vals: Float64Array[]): number => tidyValue(tf, () => objective(toTensors(vals)).dataSync()[0]);
  const gradient = (vals: Float64Array[]): Float64Array => tidyValue(tf, () => {
    const ts = toTensors(vals);
    const gs = tf.grads((...a: Tensor[]) => objective(a))(ts);
    return concat(gs.map((g) => g.dataSync()));
  });
  const along = (vals: Float64Array[], dir: Float64Array[], s: number) => vals.map((x, i) => f32(x.map((xi, j) => xi + s * dir[i][j])));

  // First order.
  let first: CheckOutcome;
  const tol1 = c.tol?.first ?? DEFAULT_TOL;
  try {
    const ad = gradient(xs);
    const maxCoord = options.maxCoordinates ?? 64;
    let adCheck: Float64Array;
    let fd: Float64Array;
    if (params <= maxCoord) {
      adCheck = ad;
      fd = new Float64Array(params);
      let k = 0;
      for (let i = 0; i < xs.length; i++) {
        for (let j = 0; j < xs[i].length; j++, k++) {
          const dir = xs.map((x, a) => (a === i ? unitVector(x.length, j) : new Float64Array(x.length)));
          fd[k] = STENCIL.reduce((acc, [s, coef]) => acc + coef * value(along(xs, dir, s * h)), 0) / h;
        }
      }
    } else {
      const dirs = Array.from({ length: 8 }, () => xs.map((x) => randomDirection(x.length, rng)));
      adCheck = Float64Array.from(dirs.map((d) => dot(ad, concat(d))));
      fd = Float64Array.from(dirs.map((d) => STENCIL.reduce((acc, [s, coef]) => acc + coef * value(along(xs, d, s * h)), 0) / h));
    }
    const err = relativeError(adCheck, fd);
    first = { status: err <= tol1 ? 'pass' : 'fail', error: err, tol: tol1 };
  } catch (err) {
    first = { status: kernelMissing(err) ? 'unsupported' : 'error', message: short(err) };
  }

  // Second order: Hessian-vector products.
  let second: CheckOutcome;
  const tol2 = c.tol?.second ?? DEFAULT_TOL;
  if (c.firstOrderOnly) {
    second = { status: 'skipped', message: 'first order only' };
  } else if (first.status === 'unsupported' || first.status === 'error') {
    second = { status: first.status, message: first.message };
  } else {
    try {
      let worst = 0;
      for (let d = 0; d < (options.directions ?? 2); d++) {
        const v = xs.map((x) => randomDirection(x.length, rng));
        const ad = hessianVector(tf, objective, xs, v, shapes);
        const fd = new Float64Array(params);
        for (const [s, coef] of STENCIL) {
          const g = gradient(along(xs, v, s * h));
          for (let k = 0; k < params; k++) fd[k] += (coef * g[k]) / h;
        }
        const err = relativeError(ad, fd);
        worst = Number.isNaN(err) || Number.isNaN(worst) ? NaN : Math.max(worst, err);
      }
      second = { status: worst <= tol2 ? 'pass' : 'fail', error: worst, tol: tol2 };
    } catch (err) {
      second = { status: kernelMissing(err) ? 'unsupported' : 'error', message: short(err) };
    }
  }
  return { ...base, first, second, ms: performance.now() - t0 };
}

/**
 * H v by double backprop: the gradient of <grad F(xs), v>. Inputs on which the inner gradient
 * does not depend (F linear in them) get zero, not an error.
 */
export function hessianVector(tf: Tf, objective: (xs: Tensor[]) => Tensor, values: Float64Array[], v: Float64Array[], shapes: number[][]): Float64Array {
  return tidyValue(tf, () => {
    const xs = values.map((x, i) => tf.tensor(Float32Array.from(x), shapes[i]));
    const vt = v.map((vi, i) => tf.tensor(Float32Array.from(vi), shapes[i]));
    const { grads } = tf.engine().gradients(
      () => {
        const gs = tf.grads((...a: Tensor[]) => objective(a))(xs);
        return gs.reduce((acc: Tensor, g, i) => tf.add(acc, tf.sum(tf.mul(g, vt[i]))), tf.scalar(0));
      },
      xs,
      undefined,
      true,
    );
    return concat(grads.map((g, i) => (g ? g.dataSync() : new Float32Array(xs[i].size))));
  });
}

/** tf.tidy for a computation that returns plain numbers. */
function tidyValue<T>(tf: Tf, fn: () => T): T {
  let out!: T;
  tf.tidy(() => {
    out = fn();
  });
  return out;
}

function concat(parts: ArrayLike<number>[]): Float64Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Float64Array(n);
  let k = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) out[k++] = p[i];
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function unitVector(n: number, j: number): Float64Array {
  const e = new Float64Array(n);
  e[j] = 1;
  return e;
}

/** Components uniform in [-1, 1]: a step of 2h moves no coordinate by more than 2h. */
function randomDirection(n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n }, () => 2 * rng.next() - 1);
}

function kernelMissing(err: unknown): boolean {
  return /not registered for backend|Cannot find registered kernel/.test(err instanceof Error ? err.message : String(err));
}

function short(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].slice(0, 200);
}

// ---- the cases ----------------------------------------------------------------------------------

/** Fixed data for the loss and model cases (drawn once, deterministic). */
function fixedData(seed: number, rows: number, cols: number, kind: 'normal' | 'onehot' | 'unit'): Float32Array {
  const rng = new Rng(seed, 7);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (kind === 'onehot') out[r * cols + Math.floor(rng.next() * cols)] = 1;
    else for (let c = 0; c < cols; c++) out[r * cols + c] = kind === 'unit' ? rng.next() : rng.normal();
  }
  return out;
}

/** Every op and composite the engine differentiates (once or twice). */
export function gradcheckCases(): GradcheckCase[] {
  const cases: GradcheckCase[] = [];
  const add = (c: GradcheckCase) => cases.push(c);
  const unary = (name: string, kind: InputSpec['kind'], f: (tf: Tf, x: Tensor) => Tensor, extra: Partial<GradcheckCase> = {}) =>
    add({ name, group: extra.group ?? 'activation', inputs: [{ shape: [3, 4], kind }], f: (tf, [x]) => f(tf, x), ...extra });

  // matmul, all transposed forms, and a batched one
  add({ name: 'matMul', group: 'matmul', inputs: [{ shape: [3, 4] }, { shape: [4, 2] }], f: (tf, [a, b]) => tf.matMul(a, b) });
  add({ name: 'matMul(tA)', group: 'matmul', inputs: [{ shape: [4, 3] }, { shape: [4, 2] }], f: (tf, [a, b]) => tf.matMul(a, b, true, false) });
  add({ name: 'matMul(tB)', group: 'matmul', inputs: [{ shape: [3, 4] }, { shape: [2, 4] }], f: (tf, [a, b]) => tf.matMul(a, b, false, true) });
  add({ name: 'matMul(tA,tB)', group: 'matmul', inputs: [{ shape: [4, 3] }, { shape: [2, 4] }], f: (tf, [a, b]) => tf.matMul(a, b, true, true) });
  add({ name: 'matMul(batched)', group: 'matmul', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 2] }], f: (tf, [a, b]) => tf.matMul(a, b) });
  add({ name: 'matMul(broadcast batch)', group: 'matmul', inputs: [{ shape: [2, 3, 4] }, { shape: [4, 2] }], f: (tf, [a, b]) => tf.matMul(a, b) });
  add({ name: 'matMul(a,a) square', group: 'matmul', inputs: [{ shape: [3, 3] }], f: (tf, [a]) => tf.matMul(a, a) });

  // elementwise binary (with broadcasting)
  add({ name: 'add(broadcast)', group: 'elementwise', inputs: [{ shape: [3, 4] }, { shape: [4] }], f: (tf, [a, b]) => tf.square(tf.add(a, b)) });
  add({ name: 'sub', group: 'elementwise', inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], f: (tf, [a, b]) => tf.square(tf.sub(a, b)) });
  add({ name: 'mul(broadcast)', group: 'elementwise', inputs: [{ shape: [3, 4] }, { shape: [3, 1] }], f: (tf, [a, b]) => tf.mul(a, b) });
  add({ name: 'div', group: 'elementwise', inputs: [{ shape: [3, 4] }, { shape: [3, 4], kind: 'positive' }], f: (tf, [a, b]) => tf.div(a, b) });
  add({ name: 'maximum', group: 'elementwise', inputs: [{ shape: [12], kind: 'separated' }, { shape: [12], kind: 'separated' }], f: (tf, [a, b]) => tf.square(tf.maximum(a, tf.add(b, 0.1))) });
  add({ name: 'clipByValue', group: 'elementwise', inputs: [{ shape: [12], kind: 'separated' }], f: (tf, [x]) => tf.square(tf.clipByValue(tf.add(x, 0.12), -0.99, 0.99)) });
  add({ name: 'where', group: 'elementwise', inputs: [{ shape: [12], kind: 'separated' }], f: (tf, [x]) => tf.where(tf.greater(x, 0.61), tf.square(x), tf.exp(x)) });

  // activations and unary functions
  unary('relu', 'awayFromZero', (tf, x) => tf.mul(tf.relu(x), x));
  unary('leakyRelu', 'awayFromZero', (tf, x) => tf.mul(tf.leakyRelu(x, 0.2), x));
  unary('elu', 'awayFromZero', (tf, x) => tf.elu(x));
  unary('selu', 'awayFromZero', (tf, x) => tf.selu(x));
  unary('tanh', 'normal', (tf, x) => tf.tanh(x));
  unary('sigmoid', 'normal', (tf, x) => tf.sigmoid(x));
  unary('softplus', 'normal', (tf, x) => tf.softplus(x));
  unary('exp', 'normal', (tf, x) => tf.exp(x));
  unary('log', 'positive', (tf, x) => tf.log(x));
  unary('sqrt', 'positive', (tf, x) => tf.sqrt(x));
  unary('rsqrt', 'positive', (tf, x) => tf.rsqrt(x));
  unary('square', 'normal', (tf, x) => tf.square(x));
  unary('pow(x,3)', 'normal', (tf, x) => tf.pow(x, 3));
  add({ name: 'pow(a,b)', group: 'activation', inputs: [{ shape: [3, 4], kind: 'positive' }, { shape: [3, 4], kind: 'unit' }], f: (tf, [a, b]) => tf.pow(a, tf.sub(tf.mul(b, 3), 1.5)) });
  unary('log1p', 'positive', (tf, x) => tf.log1p(x));
  unary('expm1', 'normal', (tf, x) => tf.expm1(x));
  unary('abs', 'awayFromZero', (tf, x) => tf.mul(tf.abs(x), x));
  unary('tanh(x)*x', 'normal', (tf, x) => tf.mul(tf.tanh(x), x));

  // softmax family
  add({ name: 'softmax', group: 'softmax', inputs: [{ shape: [3, 4] }], f: (tf, [x]) => tf.softmax(x) });
  add({ name: 'logSoftmax (engine)', group: 'softmax', inputs: [{ shape: [3, 4] }], f: (tf, [x]) => logSoftmax(tf, x) });
  add({ name: 'logSumExp', group: 'softmax', inputs: [{ shape: [3, 4] }], f: (tf, [x]) => tf.logSumExp(x, 1) });
  add({
    name: 'tf.logSoftmax (stock)',
    group: 'softmax',
    inputs: [{ shape: [3, 4] }],
    f: (tf, [x]) => tf.logSoftmax(x),
    knownBrokenSecondOrder: 'customGrad op that saves its output: its second derivative is wrong (use losses.logSoftmax)',
  });

  // reductions
  add({ name: 'sum', group: 'reduction', inputs: [{ shape: [3, 4] }], f: (tf, [x]) => tf.square(tf.sum(x, 1)) });
  add({ name: 'mean', group: 'reduction', inputs: [{ shape: [3, 4] }], f: (tf, [x]) => tf.square(tf.mean(x, 0)) });
  add({ name: 'max(axis)', group: 'reduction', inputs: [{ shape: [3, 4], kind: 'separated' }], f: (tf, [x]) => tf.square(tf.max(x, 1)) });
  add({ name: 'max(all)', group: 'reduction', inputs: [{ shape: [3, 4], kind: 'separated' }], f: (tf, [x]) => tf.exp(tf.max(x)) });
  add({ name: 'min(axis)', group: 'reduction', inputs: [{ shape: [3, 4], kind: 'separated' }], f: (tf, [x]) => tf.square(tf.min(x, 0)) });
  add({ name: 'norm then tanh', group: 'reduction', inputs: [{ shape: [3, 4] }], f: (tf, [x]) => tf.tanh(tf.mul(tf.sqrt(tf.sum(tf.square(x))), 0.3)) });

  // shape ops
  add({ name: 'reshape', group: 'shape', inputs: [{ shape: [3, 4] }], f: (tf, [x]) => tf.square(tf.reshape(x, [2, 6])) });
  add({ name: 'transpose', group: 'shape', inputs: [{ shape: [3, 4] }], f: (tf, [x]) => tf.square(tf.transpose(x)) });
  add({ name: 'concat', group: 'shape', inputs: [{ shape: [3, 2] }, { shape: [3, 3] }], f: (tf, [a, b]) => tf.square(tf.concat([a, b], 1)) });
  add({ name: 'slice', group: 'shape', inputs: [{ shape: [4, 5] }], f: (tf, [x]) => tf.square(tf.slice(x, [1, 1], [2, 3])) });
  add({ name: 'gather', group: 'shape', inputs: [{ shape: [5, 3] }], f: (tf, [x]) => tf.square(tf.gather(x, tf.tensor1d([4, 0, 2, 0], 'int32'))) });

  // convolution: the native kernels, and the im2col route that trains everywhere
  const convX = { shape: [1, 5, 5, 2] };
  const convW = { shape: [3, 3, 2, 2] };
  add({ name: 'conv2d same (native)', group: 'conv', inputs: [convX, convW], kernels: ['Conv2DBackpropFilter'], f: (tf, [x, w]) => tf.tanh(tf.conv2d(x as Tensor4D, w as Tensor4D, 1, 'same')) });
  add({ name: 'conv2d valid s2 (native)', group: 'conv', inputs: [convX, convW], kernels: ['Conv2DBackpropFilter'], f: (tf, [x, w]) => tf.square(tf.conv2d(x as Tensor4D, w as Tensor4D, 2, 'valid')) });
  add({ name: 'conv2d same (im2col)', group: 'conv', inputs: [convX, convW], f: (tf, [x, w]) => tf.tanh(conv2dIm2col(tf, x as Tensor4D, w as Tensor4D, 1, 'same')) });
  add({ name: 'conv2d valid s2 (im2col)', group: 'conv', inputs: [convX, convW], f: (tf, [x, w]) => tf.square(conv2dIm2col(tf, x as Tensor4D, w as Tensor4D, 2, 'valid')) });

  // pooling: tfjs's kernels differentiate once only; the engine's patch forms twice
  const poolX = { shape: [1, 4, 5, 2], kind: 'separated' as const };
  // (inputs shifted negative: tfjs-backend-wasm's MaxPoolGrad drops windows whose maximum is negative)
  add({
    name: 'tf.maxPool (stock)',
    group: 'conv',
    inputs: [poolX],
    f: (tf, [x]) => tf.square(tf.maxPool(tf.sub(x, 6) as Tensor4D, 2, 2, 'same')),
    kernels: ['MaxPoolGrad'],
    knownBrokenSecondOrder: 'its gradient kernel MaxPoolGrad has no gradient (use conv.maxPool2d)',
    knownBrokenFirstOrder: { backends: ['wasm'], why: 'the wasm MaxPoolGrad kernel loses the gradient of windows whose maximum is negative (use conv.maxPool2d)' },
  });
  add({ name: 'maxPool2d same (engine)', group: 'conv', inputs: [poolX], f: (tf, [x]) => tf.square(maxPool2d(tf, tf.sub(x, 6) as Tensor4D, 2, 2, 'same')) });
  add({ name: 'avgPool2d same (engine)', group: 'conv', inputs: [{ shape: [1, 4, 5, 2] }], f: (tf, [x]) => tf.tanh(avgPool2d(tf, x as Tensor4D, 3, 2, 'same')) });

  // losses (labels are constants)
  const onehot = fixedData(1, 4, 3, 'onehot');
  const soft = fixedData(2, 4, 3, 'unit');
  const targets = fixedData(3, 4, 3, 'normal');
  add({ name: 'softmaxCrossEntropy (engine)', group: 'loss', inputs: [{ shape: [4, 3] }], f: (tf, [z]) => softmaxCrossEntropy(tf, tf.tensor(onehot, [4, 3]), z) });
  add({ name: 'sigmoidCrossEntropy (engine)', group: 'loss', inputs: [{ shape: [4, 3] }], f: (tf, [z]) => sigmoidCrossEntropy(tf, tf.tensor(soft, [4, 3]), z) });
  add({ name: 'meanSquaredError (engine)', group: 'loss', inputs: [{ shape: [4, 3] }], f: (tf, [p]) => meanSquaredError(tf, tf.tensor(targets, [4, 3]), p) });
  add({
    name: 'tf.losses.softmaxCrossEntropy (stock)',
    group: 'loss',
    inputs: [{ shape: [4, 3] }],
    f: (tf, [z]) => tf.losses.softmaxCrossEntropy(tf.tensor(onehot, [4, 3]), z),
    knownBrokenSecondOrder: 'customGrad op that saves its output: its second derivative is wrong (use losses.softmaxCrossEntropy)',
  });
  add({ name: 'tf.losses.sigmoidCrossEntropy (stock)', group: 'loss', inputs: [{ shape: [4, 3] }], f: (tf, [z]) => tf.losses.sigmoidCrossEntropy(tf.tensor(soft, [4, 3]), z) });

  // 2-layer MLPs: loss as a function of all weights
  const X = fixedData(4, 6, 4, 'normal');
  const Y = fixedData(5, 6, 3, 'onehot');
  const T = fixedData(6, 6, 3, 'normal');
  const mlpInputs: InputSpec[] = [{ shape: [4, 5] }, { shape: [5] }, { shape: [5, 3] }, { shape: [3] }];
  const mlp = (tf: Tf, [w1, b1, w2, b2]: Tensor[], act: (t: Tensor) => Tensor) =>
    tf.add(tf.matMul(act(tf.add(tf.matMul(tf.tensor(X, [6, 4]), tf.mul(w1, 0.5)), b1)), w2), b2);
  add({ name: 'MLP tanh + softmax CE', group: 'model', inputs: mlpInputs, f: (tf, ws) => softmaxCrossEntropy(tf, tf.tensor(Y, [6, 3]), mlp(tf, ws, (t) => tf.tanh(t))) });
  add({ name: 'MLP sigmoid + softmax CE', group: 'model', inputs: mlpInputs, f: (tf, ws) => softmaxCrossEntropy(tf, tf.tensor(Y, [6, 3]), mlp(tf, ws, (t) => tf.sigmoid(t))) });
  add({ name: 'MLP softplus + MSE', group: 'model', inputs: mlpInputs, f: (tf, ws) => meanSquaredError(tf, tf.tensor(T, [6, 3]), mlp(tf, ws, (t) => tf.softplus(t))) });
  add({ name: 'MLP relu + MSE', group: 'model', inputs: mlpInputs, f: (tf, ws) => meanSquaredError(tf, tf.tensor(T, [6, 3]), mlp(tf, ws, (t) => tf.relu(t))), tol: { first: 2e-2, second: 2e-2 }, h: 3e-3 });
  return cases;
}

// ---- reporting ----------------------------------------------------------------------------------

/** Whether a result is as the suite expects: both orders pass, or a known-broken stock op fails. */
export function resultOk(r: GradcheckResult): boolean {
  if (r.knownBrokenFirstOrder) return r.first.status === 'fail';
  const firstOk = r.first.status === 'pass' || r.first.status === 'unsupported';
  if (r.knownBrokenSecondOrder) return firstOk && r.second.status !== 'pass';
  return firstOk && (r.second.status === 'pass' || r.second.status === 'skipped' || r.second.status === 'unsupported');
}

function cell(o: CheckOutcome): string {
  if (o.status === 'pass' || o.status === 'fail') return `${o.status === 'pass' ? 'ok  ' : 'FAIL'} ${o.error!.toExponential(1)}`;
  if (o.status === 'unsupported') return 'n/a';
  if (o.status === 'skipped') return '-';
  return 'ERROR';
}

/** A table: one row per case, first/second-order outcome and error per backend. */
export function formatGradcheckTable(results: GradcheckResult[]): string {
  const backends = [...new Set(results.map((r) => r.backend))];
  const names = [...new Set(results.map((r) => r.name))];
  const header = ['op', ...backends.flatMap((b) => [`${b} 1st`, `${b} 2nd`])];
  const rows = names.map((n) => {
    const row = [n];
    for (const b of backends) {
      const r = results.find((x) => x.name === n && x.backend === b);
      const known = (broken: boolean) => (broken ? ' (known tfjs defect)' : '');
      row.push(
        r ? cell(r.first) + known(Boolean(r.knownBrokenFirstOrder) && r.first.status === 'fail') : '',
        r ? cell(r.second) + known(Boolean(r.knownBrokenSecondOrder) && r.second.status !== 'pass') : '',
      );
    }
    return row;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const notes = results
    .filter((r) => r.first.message || (r.second.message && r.second.status !== 'skipped'))
    .map((r) => `  ${r.name} on ${r.backend}: ${r.first.message ?? r.second.message}`);
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...(notes.length ? ['', ...new Set(notes)] : [])].join('\n');
}
