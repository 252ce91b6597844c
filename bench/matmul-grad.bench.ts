// The BatchMatMul gradient fix (engine/src/tf/gradients.ts), measured against the stock tfjs
// gradient in the same run, on every backend present: one training-step gradient of an MLP
// 784-256-256-10 (relu, softmax cross-entropy) at batch 128, and the backward pass of one
// 128x784 @ 784x256 matmul. Also compares the two gradients (bit-identical on cpu; on wasm the
// transposed kernel sums in another order, so they agree to float32 rounding). The machine is
// shared and noisy: stock and fixed are interleaved and the medians compared.
//   node --import tsx bench/matmul-grad.bench.ts [--quick] [--backend wasm|cpu|tensorflow|cuda]
import type { Tensor } from '@tensorflow/tfjs';
import { initBackend, type BackendName, type Tf } from '../engine/src/tf/backend';
import { registerGradientFixes, unregisterGradientFixes } from '../engine/src/tf/gradients';
import { softmaxCrossEntropy } from '../engine/src/tf/losses';
import { Rng } from '../engine/src/util/random';

const quick = process.argv.includes('--quick');
const only = process.argv.includes('--backend') ? (process.argv[process.argv.indexOf('--backend') + 1] as BackendName) : undefined;

function randn(rng: Rng, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Workload {
  name: string;
  /** Returns the gradients (kept), computing one backward pass. */
  grads: () => Tensor[];
}

function mlpWorkload(tf: Tf, batch: number): Workload {
  const rng = new Rng(7);
  const sizes = [784, 256, 256, 10];
  const params: Tensor[] = [];
  for (let l = 0; l < 3; l++) {
    params.push(tf.tensor2d(randn(rng, sizes[l] * sizes[l + 1], Math.sqrt(2 / sizes[l])), [sizes[l], sizes[l + 1]]));
    params.push(tf.zeros([sizes[l + 1]]));
  }
  const x = tf.tensor2d(Float32Array.from({ length: batch * 784 }, () => rng.next()), [batch, 784]);
  const labels = tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, () => Math.floor(rng.next() * 10)), 'int32'), 10).toFloat();
  const loss = (...ps: Tensor[]) => {
    let h: Tensor = x;
    for (let l = 0; l < 3; l++) {
      h = tf.add(tf.matMul(h, ps[2 * l]), ps[2 * l + 1]);
      if (l < 2) h = tf.relu(h);
    }
    return softmaxCrossEntropy(tf, labels, h);
  };
  return { name: `MLP 784-256-256-10 step gradient, B=${batch}`, grads: () => tf.grads(loss)(params) };
}

function matmulWorkload(tf: Tf): Workload {
  const rng = new Rng(8);
  const a = tf.tensor2d(randn(rng, 128 * 784, 1), [128, 784]);
  const b = tf.tensor2d(randn(rng, 784 * 256, 0.05), [784, 256]);
  const w = tf.tensor2d(randn(rng, 128 * 256, 1), [128, 256]);
  return { name: 'matMul 128x784 @ 784x256 backward', grads: () => tf.grads((p: Tensor, q: Tensor) => tf.sum(tf.mul(tf.matMul(p, q), w)))([a, b]) };
}

function timeOnce(tf: Tf, wl: Workload): { ms: number; data: Float32Array[] } {
  const t0 = performance.now();
  const gs = wl.grads();
  const data = gs.map((g) => g.dataSync() as Float32Array); // forces completion
  const ms = performance.now() - t0;
  tf.dispose(gs);
  return { ms, data };
}

/** The largest difference between two gradients, relative to the largest component. */
function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  let scale = 0;
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) {
      d = Math.max(d, Math.abs(x[j] - b[i][j]));
      scale = Math.max(scale, Math.abs(x[j]));
    }
  });
  return scale ? d / scale : d;
}

async function benchBackend(name: BackendName): Promise<void> {
  let sel;
  try {
    sel = await initBackend(name);
  } catch (err) {
    console.log(`\n${name}: skipped (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    return;
  }
  const tf = sel.tf;
  const reps = name === 'cpu' ? (quick ? 3 : 5) : quick ? 10 : 30;
  console.log(`\n== ${name}: ${sel.device.name}, ${sel.threads} thread(s), tfjs ${sel.versions['tfjs-core']}${sel.wasm ? `, SIMD ${sel.wasm.simd ? 'on' : 'off'}` : ''}`);
  for (const wl of [matmulWorkload(tf), mlpWorkload(tf, 128)]) {
    const stock: number[] = [];
    const fixed: number[] = [];
    let diff = 0;
    for (let i = 0; i < reps + 2; i++) {
      unregisterGradientFixes(tf);
      const s = timeOnce(tf, wl);
      registerGradientFixes(tf);
      const f = timeOnce(tf, wl);
      diff = Math.max(diff, maxRelDiff(s.data, f.data));
      if (i >= 2) {
        stock.push(s.ms);
        fixed.push(f.ms);
      }
    }
    const ms = median(stock);
    const mf = median(fixed);
    console.log(`${wl.name}: stock ${ms.toFixed(2)} ms, fixed ${mf.toFixed(2)} ms, speed-up ${(ms / mf).toFixed(2)}x (median of ${reps}); gradients ${diff === 0 ? 'bit-identical' : `differ by at most ${diff.toExponential(1)} of the largest component (float32 summation order)`}`);
  }
  registerGradientFixes(tf);
}

(async () => {
  const backends: BackendName[] = only ? [only] : ['cuda', 'tensorflow', 'wasm', 'cpu'];
  for (const b of backends) await benchBackend(b);
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
