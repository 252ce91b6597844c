// Corrected gradients for TensorFlow.js 4.x, registered once at engine start.
//
// How tfjs records gradients (tfjs-core/dist/engine.js, tape.js): each kernel run under a tape
// becomes a tape node {inputs, outputs, saved}; `saved` holds clones of the tensors the kernel's
// GradConfig asks for (inputsToSave / outputsToSave). Each clone is itself a tape node (Identity)
// pushed when the clone is made. For a saved INPUT that is after the input's producer, so an outer
// tf.grad sees saved -> input -> x. For a saved OUTPUT the clone is made inside the kernel call,
// before the kernel's own node is pushed; the outer tape's forward sweep then reaches the clone's
// node before it knows the output depends on x, and treats the clone as a constant. Every gradient
// that reads its op's output (Tanh, Sigmoid, Exp, Softmax, Elu, Pow, Max, ...) is therefore
// disconnected under double backprop: "Cannot compute gradient" when that is the only path, and a
// silently WRONG second derivative when another path exists (tfjs#3252).
//
// The fixes:
//  (a) BatchMatMul: the stock gradient uses matMul with transposeA/transposeB, which is ~10x slower
//      than the plain form on wasm; explicit tf.transpose + plain matMul gives the same numbers
//      (bit-identical on cpu; on wasm the transposed kernel sums in another order, so large products
//      agree to float32 rounding, ~1e-6 relative). It also sums over broadcast batch dimensions,
//      where the stock gradient fails with a shape mismatch (a [2,3,4] @ b [4,5]).
//  (b) ops whose gradient reads their output: save the INPUT as well, and when the gradient is
//      itself being recorded (an outer tf.grad is active: engine.isTapeOn()) recompute the output
//      from the saved input so that the outer tape sees a connected graph. When nothing records
//      the gradient (plain first-order training) the saved output is used exactly as the stock
//      gradient does, so first-order results and cost are unchanged.
//  (c) zero gradients for comparison/logical ops (Greater, Less, Equal, LogicalAnd, ...), which the
//      gradients of relu-family ops, where, clip, maximum/minimum, max/min and pow use: without
//      them double backprop through those ops throws (GreaterEqual has one in tfjs and is kept).
//  (d) a gradient for Conv2DBackpropFilter, so that double backprop through conv2d works (on
//      backends that have the kernel; wasm has not, see conv.ts).
//  (e) GatherV2 on backends without UnsortedSegmentSum (wasm): the gradient by a one-hot matmul.
//
// tf.logSoftmax and tf.losses.softmaxCrossEntropy are customGrad ops that save their own output;
// no registry entry reaches them. Use losses.ts (logSumExp(z) - <y, z>), which checks out. No
// correction is registered for the LogSoftmax kernel: no backend (cpu, wasm, webgl, tfjs-node)
// implements that kernel and tf.logSoftmax never runs it, so a fix there would be dead code
// (test/engine/tf/gradients.test.ts checks both).
import type { GradConfig, NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs';

type NamedGradientMap = ReturnType<GradConfig['gradFunc']>;
import type { Tf } from './namespace';

const STATE_KEY = Symbol.for('optlab.tf.gradientFixes');

interface FixState {
  /** Our config per kernel, as registered. */
  installed: Map<string, GradConfig>;
  /** What was registered before us (undefined: nothing), to restore. */
  stock: Map<string, GradConfig | undefined>;
}

/** Kept on globalThis: the tfjs registry is global too, whichever copy of this module runs. */
function fixState(): FixState {
  const g = globalThis as unknown as Record<symbol, FixState | undefined>;
  let s = g[STATE_KEY];
  if (!s) {
    s = { installed: new Map(), stock: new Map() };
    g[STATE_KEY] = s;
  }
  return s;
}

/** Kernels whose gradient is replaced (a, b, d, e). */
export const REPLACED_GRADIENTS = ['BatchMatMul', 'Tanh', 'Sigmoid', 'Exp', 'Softmax', 'Elu', 'Pow', 'Max', 'Min', 'Conv2DBackpropFilter', 'GatherV2'] as const;
/** Kernels that get a zero gradient when tfjs registers none (c). */
export const ZERO_GRADIENTS = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr', 'LogicalNot'] as const;

export interface GradientFixReport {
  /** Kernels registered by this call (empty when they already were: idempotent). */
  registered: string[];
  /** Zero-gradient kernels left alone because tfjs already has a gradient for them. */
  keptStock: string[];
}

/**
 * Registers the engine's gradient corrections in the (global) tfjs gradient registry. Idempotent:
 * a second call registers nothing. Call once at engine start, after loading tfjs; initBackend does.
 */
export function registerGradientFixes(tf: Tf): GradientFixReport {
  const state = fixState();
  const report: GradientFixReport = { registered: [], keptStock: [] };
  for (const config of buildConfigs(tf)) {
    const current = tf.getGradient(config.kernelName);
    const ours = state.installed.get(config.kernelName);
    if (ours && current === ours) continue; // already ours
    const isZero = (ZERO_GRADIENTS as readonly string[]).includes(config.kernelName);
    if (isZero && current && current !== ours) {
      report.keptStock.push(config.kernelName);
      continue;
    }
    state.stock.set(config.kernelName, current);
    tf.registerGradient(config);
    state.installed.set(config.kernelName, config);
    report.registered.push(config.kernelName);
  }
  return report;
}

/** Restores the stock tfjs gradients (for tests and the benchmark's stock-vs-fixed comparison). */
export function unregisterGradientFixes(tf: Tf): void {
  const state = fixState();
  for (const [kernel, ours] of state.installed) {
    if (tf.getGradient(kernel) !== ours) continue;
    const stock = state.stock.get(kernel);
    if (stock) tf.registerGradient(stock);
    else tf.unregisterGradient(kernel);
  }
  state.installed.clear();
  state.stock.clear();
}

/** Whether every correction is currently registered. */
export function gradientFixesActive(tf: Tf): boolean {
  const state = fixState();
  return REPLACED_GRADIENTS.every((k) => {
    const ours = state.installed.get(k);
    return ours !== undefined && tf.getGradient(k) === ours;
  });
}

/** Runs fn with the stock tfjs gradients, then restores whatever was registered before. */
export function withStockGradients<T>(tf: Tf, fn: () => T): T {
  const wasActive = fixState().installed.size > 0;
  unregisterGradientFixes(tf);
  try {
    return fn();
  } finally {
    if (wasActive) registerGradientFixes(tf);
  }
}

// ---- the configs --------------------------------------------------------------------------------

function buildConfigs(tf: Tf): GradConfig[] {
  /** True while something records the gradient computation itself (an outer tf.grad). */
  const recording = (): boolean => tf.engine().isTapeOn();
  const single = (dy: Tensor | Tensor[]): Tensor => (Array.isArray(dy) ? dy[0] : dy);

  const configs: GradConfig[] = [];

  // (a) BatchMatMul with explicit transposes.
  configs.push({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dyIn, saved, attrs) => {
      const dy = single(dyIn);
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const mm = (x: Tensor, y: Tensor, tx = false, ty = false) => tf.matMul(x, y, tx, ty);
      const T = (x: Tensor) => tf.transpose(x, swapLast(x.rank));
      // a^T dy, or (dy^T a)^T when that transposes fewer values (the same products and sums:
      // bit-identical to a^T dy on wasm). Measured on wasm with a fresh input every step: a dense layer with
      // x [1024, 784] and dy [1024, 256] takes 17 ms instead of 19 (wasm's Transpose is slow on
      // long rows: 5.7 ms for x^T), but narrow outputs (dy [B, 10]) lose, because the second form
      // has XNNPACK pack the larger operand; hence n >= 32.
      const weightGrad = (x: Tensor, g: Tensor): Tensor => {
        const [m, k] = x.shape.slice(-2);
        const n = g.shape[g.rank - 1];
        return n >= 32 && n * (m + k) < m * k ? T(mm(T(g), x)) : mm(T(x), g);
      };
      if (tf.getBackend() === 'tensorflow') {
        // Native TensorFlow handles transposed operands in its GEMM: keep the stock forms.
        if (!transposeA && !transposeB) return { a: () => fit(tf, mm(dy, b, false, true), a), b: () => fit(tf, mm(a, dy, true, false), b) };
        if (!transposeA && transposeB) return { a: () => fit(tf, mm(dy, b), a), b: () => fit(tf, mm(dy, a, true, false), b) };
        if (transposeA && !transposeB) return { a: () => fit(tf, mm(b, dy, false, true), a), b: () => fit(tf, mm(a, dy), b) };
        return { a: () => fit(tf, mm(b, dy, true, true), a), b: () => fit(tf, mm(dy, a, true, true), b) };
      }
      if (!transposeA && !transposeB) return { a: () => fit(tf, mm(dy, T(b)), a), b: () => fit(tf, weightGrad(a, dy), b) };
      if (!transposeA && transposeB) return { a: () => fit(tf, mm(dy, b), a), b: () => fit(tf, mm(T(dy), a), b) };
      if (transposeA && !transposeB) return { a: () => fit(tf, mm(b, T(dy)), a), b: () => fit(tf, mm(a, dy), b) };
      return { a: () => fit(tf, mm(T(b), T(dy)), a), b: () => fit(tf, mm(T(dy), T(a)), b) };
    },
  });

  // (b) ops whose gradient reads their output: save input and output; recompute when recording.
  const unaryFromOutput = (kernelName: string, forward: (x: Tensor) => Tensor, grad: (dy: Tensor, y: Tensor) => Tensor): GradConfig => ({
    kernelName,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dyIn, saved) => {
      const dy = single(dyIn);
      const [x, y] = saved;
      return { x: () => grad(dy, recording() ? forward(x) : y) };
    },
  });
  // The expressions are the stock ones, so first-order gradients are bit-identical.
  configs.push(unaryFromOutput('Tanh', (x) => tf.tanh(x), (dy, y) => tf.mul(tf.sub(tf.scalar(1), tf.square(y)), dy)));
  configs.push(unaryFromOutput('Sigmoid', (x) => tf.sigmoid(x), (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y)))));
  configs.push(unaryFromOutput('Exp', (x) => tf.exp(x), (dy, y) => tf.mul(dy, y)));

  configs.push({
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    outputsToSave: [true],
    gradFunc: (dyIn, saved, attrs) => {
      const dy = single(dyIn);
      const [logits, y0] = saved;
      const { dim } = attrs as unknown as { dim: number };
      return {
        logits: () => {
          const y = recording() ? tf.softmax(logits, dim) : y0;
          const dyTimesY = tf.mul(dy, y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
        },
      };
    },
  });

  // Elu: the stock gradient runs the EluGrad kernel, which has no gradient of its own.
  configs.push({
    kernelName: 'Elu',
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dyIn, saved) => {
      const dy = single(dyIn);
      const [x, y] = saved;
      return {
        x: () => recording()
          ? tf.where(tf.greater(x, 0), dy, tf.mul(dy, tf.exp(tf.minimum(x, 0))))
          : (tf.engine().runKernel('EluGrad', { dy, y }) as Tensor),
      };
    },
  });

  configs.push({
    kernelName: 'Pow',
    inputsToSave: ['a', 'b'],
    outputsToSave: [true],
    gradFunc: (dyIn, saved) => {
      const dy = single(dyIn);
      const [a, b, y0] = saved;
      const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const reduceTo = (res: Tensor, shape: number[]) => {
        const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
        return tf.reshape(axes.length > 0 ? tf.sum(res, axes) : res, shape);
      };
      return {
        a: () => {
          const expFloat = tf.cast(b, 'float32');
          return reduceTo(tf.mul(dy, tf.mul(expFloat, tf.pow(a, tf.sub(expFloat, tf.scalar(1))))), a.shape);
        },
        b: () => {
          const y = recording() ? tf.pow(a, b) : y0;
          const logBase = tf.where(tf.greater(a, 0), tf.log(a), tf.zerosLike(a));
          return reduceTo(tf.mul(dy, tf.mul(y, logBase)), b.shape);
        },
      };
    },
  });

  const minMax = (kernelName: 'Max' | 'Min', axesAttr: 'reductionIndices' | 'axis', reduce: (x: Tensor, axes: number[]) => Tensor): GradConfig => ({
    kernelName,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dyIn, saved, attrs) => {
      const dy0 = single(dyIn);
      const [x, y0] = saved;
      const axes = tf.util.parseAxisParam((attrs as NamedAttrMap)[axesAttr] as number | number[], x.shape);
      const keep = (t: Tensor) => (t.rank < x.rank ? tf.reshape(t, tf.backend_util.expandShapeToKeepDim(t.shape, axes)) : t);
      return {
        x: () => {
          const y = recording() ? reduce(x, axes) : keep(y0);
          return tf.mul(keep(dy0), tf.cast(tf.equal(x, y), dy0.dtype));
        },
      };
    },
  });
  configs.push(minMax('Max', 'reductionIndices', (x, axes) => tf.max(x, axes, true)));
  configs.push(minMax('Min', 'axis', (x, axes) => tf.min(x, axes, true)));

  // (d) Conv2DBackpropFilter(x, dy) is bilinear: <ddw, dW(x, dy)> = <conv2d(x, ddw), dy>.
  configs.push({
    kernelName: 'Conv2DBackpropFilter',
    inputsToSave: ['x', 'dy'],
    gradFunc: (ddwIn, saved, attrs) => {
      const ddw = single(ddwIn);
      const [x, dy] = saved;
      const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as { strides: [number, number] | number; pad: 'valid' | 'same' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: ddw }, { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape } as unknown as NamedAttrMap) as Tensor,
        dy: () => tf.conv2d(x as Tensor4D, ddw as Tensor4D, strides, pad, dataFormat, 1, dimRoundingMode),
      };
    },
  });

  // (e) GatherV2: on backends without UnsortedSegmentSum use a one-hot matmul; else the stock one.
  configs.push({
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dyIn, saved, attrs) => {
      const dy = single(dyIn);
      const [x, indices] = saved;
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      const hasSegmentSum = tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
      const stockGather = fixState().stock.get('GatherV2');
      if ((hasSegmentSum || batchDims) && stockGather) return stockGather.gradFunc(dy, saved, attrs);
      const ax = tf.util.parseAxisParam(axis, x.shape)[0];
      return {
        x: () => {
          const outer = x.shape.slice(0, ax);
          const inner = x.shape.slice(ax + 1);
          const n = indices.size;
          const values = tf.reshape(dy, [...outer, n, ...inner]);
          // [n, outer..., inner...] -> [n, rest]
          const perm = [outer.length, ...outer.map((_, i) => i), ...inner.map((_, i) => outer.length + 1 + i)];
          const moved = tf.transpose(values, perm);
          const rest = moved.size / Math.max(n, 1);
          const flat = tf.reshape(moved, [n, rest]);
          const hot = tf.cast(tf.oneHot(tf.reshape(tf.cast(indices, 'int32'), [n]), x.shape[ax]), 'float32'); // [n, N]
          const summed = tf.matMul(tf.transpose(hot, [1, 0]), flat); // [N, rest]
          const back = tf.reshape(summed, [x.shape[ax], ...outer, ...inner]);
          const undo = tf.backend_util.getUndoAxesPermutation(perm);
          return tf.transpose(back, undo);
        },
        indices: () => tf.zerosLike(tf.cast(indices, 'float32')),
      };
    },
  });

  // (c) zero gradients (registered only where tfjs has none).
  for (const kernelName of ZERO_GRADIENTS) {
    const unary = kernelName === 'LogicalNot';
    configs.push({
      kernelName,
      inputsToSave: unary ? ['x'] : ['a', 'b'],
      gradFunc: (_dy, saved): NamedGradientMap => {
        const zero = (t: Tensor) => () => tf.zeros(t.shape, 'float32');
        return unary ? { x: zero(saved[0]) } : { a: zero(saved[0]), b: zero(saved[1]) };
      },
    });
  }
  return configs;
}

/** Permutation swapping the last two axes. */
function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}

/** Sums a gradient over broadcast batch dimensions down to the input's shape. */
function fit(tf: Tf, grad: Tensor, input: Tensor): Tensor {
  if (tf.util.arraysEqual(grad.shape, input.shape)) return grad;
  const extra = grad.rank - input.rank;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank - 2; i++) {
    if (i < extra || (input.shape[i - extra] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  return tf.reshape(axes.length ? tf.sum(grad, axes, true) : grad, input.shape);
}
