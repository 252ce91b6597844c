// Training throughput (issue 4, Performance): examples per second of one full training step of
// an MLP 784-256-256-10 (relu, softmax cross-entropy) on random MNIST-shaped data (the same values,
// uploaded as a new tensor before each step), at batch 128
// and 1024, on every backend present. A step is forward, loss, backward and an SGD-momentum update
// (the engine's optim chain via takeStep), all inside one tf.tidy, ending with a read of the loss
// (which forces completion). "engine" uses the engine's gradient fixes (engine/src/tf/gradients.ts)
// and wasm kernel fixes (engine/src/tf/wasm-kernels.ts); "stock" is the same step with the stock
// tfjs gradients and kernels, measured in the same run and
// interleaved with the engine step (the machine is shared and noisy), medians compared.
// The goal is engine >= 4x stock tfjs-wasm. Where Debian's python3-torch is installed
// (/usr/bin/python3), the same step in PyTorch on one thread is the peer (goal: within 2x).
// --wasm-threads N runs wasm (engine and stock alike) on tfjs's threaded SIMD binary with N threads
// (engine/src/tf/wasm-threads.ts); the PyTorch peer stays on one thread.
//   node --import tsx bench/train-throughput.bench.ts [--quick] [--backend wasm|cpu|tensorflow|cuda] [--wasm-threads N]
import { spawnSync } from 'node:child_process';
import { initBackend, type BackendName, type Tf } from '../engine/src/tf/backend';
import { registerGradientFixes, unregisterGradientFixes } from '../engine/src/tf/gradients';
import { registerWasmKernelFixes, unregisterWasmKernelFixes } from '../engine/src/tf/wasm-kernels';
import { makeModel } from '../engine/src/models/registry';
import { perExampleLoss } from '../engine/src/models/loss';
import { lossAndGradients } from '../engine/src/models/taps';
import { momentum } from '../engine/src/optim/optimizers';
import { takeStep } from '../engine/src/optim/base';
import { disposeState, stateTensors } from '../engine/src/optim/state';
import type { Params, State } from '../engine/src/optim/types';
import type { Model } from '../engine/src/models/types';
import { Rng } from '../engine/src/util/random';

const quick = process.argv.includes('--quick');
const argAfter = (flag: string): string | undefined => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const only = argAfter('--backend') as BackendName | undefined;
const wasmThreads = Number(argAfter('--wasm-threads') ?? 1);
const BATCHES = [128, 1024];
const WIDTHS = [256, 256];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Warm-up and timed steps per (backend, batch): the cpu backend is 20-40x slower than wasm. */
function plan(backend: BackendName, batch: number): { warmup: number; reps: number } {
  if (backend === 'cpu') return batch >= 1024 ? { warmup: 1, reps: 3 } : { warmup: 1, reps: quick ? 3 : 5 };
  if (batch >= 1024) return { warmup: 2, reps: quick ? 5 : 11 };
  return { warmup: 3, reps: quick ? 10 : 25 };
}

/** One trainer: model parameters and momentum state, stepping on a fixed random batch. */
class Trainer {
  private params: Params;
  private state: State;
  private readonly tx = momentum(0.01, 0.9);
  constructor(
    private readonly tf: Tf,
    private readonly model: Model,
    private readonly xValues: Float32Array,
    private readonly y: ReturnType<Tf['tensor2d']>,
  ) {
    this.params = model.init(1);
    this.state = this.tx.init(this.params);
  }
  /** One full step; returns its wall time in ms and the loss. */
  step(): { ms: number; loss: number } {
    const tf = this.tf;
    // A new input tensor every step, as a data pipeline gives (made before the clock starts): with
    // one tensor reused, tfjs-backend-wasm would keep XNNPACK's packed copy of it between steps.
    const batch = this.xValues.length / 784;
    const x = tf.tensor2d(this.xValues, [batch, 784]);
    const t0 = performance.now();
    const old = this.params;
    let loss = NaN;
    let next!: { params: Params; state: State };
    tf.tidy(() => {
      const r = lossAndGradients(this.model, this.params, x, (out) => perExampleLoss(this.model.loss, out, this.y));
      const s = takeStep(this.tx, this.params, this.state, r.grads, { stats: false });
      for (const t of Object.values(s.params)) tf.keep(t);
      for (const t of stateTensors(s.state)) tf.keep(t);
      next = s;
      loss = r.loss.dataSync()[0]; // forces completion of the whole step
    });
    const ms = performance.now() - t0;
    x.dispose();
    this.params = next.params;
    this.state = next.state;
    tf.dispose(Object.values(old));
    return { ms, loss };
  }
  dispose(): void {
    this.tf.dispose(Object.values(this.params));
    disposeState(this.state);
  }
}

interface Row {
  backend: BackendName;
  batch: number;
  engineMs: number;
  stockMs: number;
  reps: number;
}

const eps = (batch: number, ms: number): number => (batch * 1000) / ms;
const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toPrecision(3));

async function benchBackend(name: BackendName, rows: Row[]): Promise<void> {
  let sel;
  try {
    sel = await initBackend(name, { wasmThreads });
  } catch (err) {
    console.log(`${name}: skipped (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    return;
  }
  const tf = sel.tf;
  console.log(`== ${name}: ${sel.device.name}, ${sel.threads} thread(s), tfjs ${sel.versions['tfjs-core']}${sel.wasm ? `, SIMD ${sel.wasm.simd ? 'on' : 'off'}` : ''}`);
  const model = makeModel({ type: 'mlp', widths: WIDTHS, activation: 'relu' }, { inputShape: [784], outputSize: 10 });
  for (const batch of BATCHES) {
    const rng = new Rng(batch);
    const x = Float32Array.from({ length: batch * 784 }, () => rng.next());
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, () => Math.floor(rng.next() * 10)), 'int32'), 10).toFloat()) as ReturnType<Tf['tensor2d']>;
    const engine = new Trainer(tf, model, x, y);
    const stock = new Trainer(tf, model, x, y);
    const { warmup, reps } = plan(name, batch);
    const te: number[] = [];
    const ts: number[] = [];
    let tensorsAfterWarmup = 0;
    let lossE = NaN;
    let lossS = NaN;
    for (let i = 0; i < warmup + reps; i++) {
      if (i === warmup) tensorsAfterWarmup = tf.memory().numTensors;
      // Alternate which goes first, so neither always follows the other's cache state.
      const order = i % 2 === 0 ? ['engine', 'stock'] : ['stock', 'engine'];
      for (const which of order) {
        if (which === 'stock') {
          unregisterGradientFixes(tf);
          unregisterWasmKernelFixes(tf);
          const r = stock.step();
          registerGradientFixes(tf);
          registerWasmKernelFixes(tf);
          if (i >= warmup) ts.push(r.ms);
          lossS = r.loss;
        } else {
          const r = engine.step();
          if (i >= warmup) te.push(r.ms);
          lossE = r.loss;
        }
      }
    }
    const leak = tf.memory().numTensors - tensorsAfterWarmup;
    engine.dispose();
    stock.dispose();
    y.dispose();
    const row: Row = { backend: name, batch, engineMs: median(te), stockMs: median(ts), reps };
    rows.push(row);
    console.log(
      `${name} B=${batch}: engine ${row.engineMs.toFixed(2)} ms/step = ${fmt(eps(batch, row.engineMs))} ex/s; ` +
        `stock ${row.stockMs.toFixed(2)} ms/step = ${fmt(eps(batch, row.stockMs))} ex/s; engine/stock (${name}) ${(row.stockMs / row.engineMs).toFixed(2)}x ` +
        `(median of ${reps} after ${warmup} warm-up; final loss engine ${lossE.toFixed(3)}, stock ${lossS.toFixed(3)}; tensor drift ${leak})`,
    );
  }
  registerGradientFixes(tf);
}

// ---- the PyTorch peer ------------------------------------------------------------------------------

const PY = String.raw`
import json, sys, time
import torch
torch.set_num_threads(1)
torch.manual_seed(0)
out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": {}}
for B, (warm, reps) in json.loads(sys.argv[1]).items():
    B = int(B)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(B, 784)
    y = torch.randint(0, 10, (B,))
    ts = []
    for i in range(warm + reps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        float(loss)
        if i >= warm:
            ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    out["ms"][str(B)] = ts[len(ts) // 2]
print(json.dumps(out))
`;

function peer(rows: Row[]): void {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`);
    console.log(`PyTorch peer: NOT measured: Debian's python3-torch is not installed (/usr/bin/python3 -c "import torch": ${why}); install python3-torch (+ libopenblas0-pthread) to get the peer ratio`);
    return;
  }
  const cfg: Record<string, [number, number]> = {};
  for (const b of BATCHES) cfg[String(b)] = b >= 1024 ? [3, quick ? 5 : 11] : [5, quick ? 10 : 25];
  const r = spawnSync('/usr/bin/python3', ['-c', PY, JSON.stringify(cfg)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
  if (r.status !== 0) {
    console.log(`PyTorch peer: NOT measured: the PyTorch script failed: ${r.stderr.trim().split('\n').pop()}`);
    return;
  }
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; threads: number; ms: Record<string, number> };
  console.log(`== PyTorch ${res.torch} (CPU, ${res.threads} thread, same model, batch, float32, SGD momentum 0.9)`);
  for (const b of BATCHES) {
    const ms = res.ms[String(b)];
    const wasm = rows.find((x) => x.backend === 'wasm' && x.batch === b);
    const ratio = wasm ? ` ; peer ratio torch/engine-wasm ${(wasm.engineMs / ms).toFixed(2)}x (goal: within 2x)` : '';
    console.log(`PyTorch B=${b}: ${ms.toFixed(2)} ms/step = ${fmt(eps(b, ms))} ex/s${ratio}`);
  }
}

(async () => {
  const t0 = performance.now();
  const rows: Row[] = [];
  const backends: BackendName[] = only ? [only] : ['cuda', 'tensorflow', 'wasm', 'cpu'];
  for (const b of backends) await benchBackend(b, rows);
  const wasmStock = new Map(rows.filter((r) => r.backend === 'wasm').map((r) => [r.batch, r.stockMs]));
  console.log('== summary: examples/s (median step); ratio to stock tfjs-wasm measured in this run (goal >= 4x)');
  for (const r of rows) {
    const base = wasmStock.get(r.batch);
    const vs = base === undefined ? 'stock wasm not measured' : `engine/stock-wasm ${(base / r.engineMs).toFixed(2)}x${r.backend === 'wasm' ? (base / r.engineMs >= 4 ? ' (goal met)' : ' (goal NOT met)') : ''}`;
    console.log(`${r.backend.padEnd(10)} B=${String(r.batch).padEnd(5)} engine ${fmt(eps(r.batch, r.engineMs)).padStart(6)} ex/s  stock ${fmt(eps(r.batch, r.stockMs)).padStart(6)} ex/s  ${vs}`);
  }
  peer(rows);
  console.log(`bench wall time ${((performance.now() - t0) / 1000).toFixed(1)} s`);
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
