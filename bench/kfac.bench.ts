// K-FAC step time over SGD step time (science-spec 3, issue: curvature optimizers): an MLP
// 784-256-256-10 (relu, softmax cross-entropy) at batch 256 on random MNIST-shaped data, K-FAC in the
// fixed-learning-rate mode with inverseEvery 20, in the configurations
//   full     statsFraction 1, synchronous inverses
//   tau1/8   statsFraction 1/8 (the paper's), synchronous inverses
//   async    statsFraction 1/8, inverses on the worker thread (applied 10 updates later)
// Each step is what the training loop does for that optimizer: forward/backward (and for K-FAC the
// sampled backward pass on the stats rows with layer taps), then the update, ending with a device
// read. SGD-momentum and the K-FAC variants are interleaved in one run (the machine is shared and
// noisy); medians over whole inverse periods are compared. Goal: K-FAC <= 1.5x SGD.
//   node --import tsx bench/kfac.bench.ts [--quick] [--backend wasm|cpu]
import { initBackend, type BackendName, type Tf } from '../engine/src/tf/backend';
import { makeModel } from '../engine/src/models/registry';
import { perExampleLoss } from '../engine/src/models/loss';
import { lossAndGradients } from '../engine/src/models/taps';
import { momentum } from '../engine/src/optim/optimizers';
import { kfac, type KfacOptions } from '../engine/src/optim/kfac';
import { takeStep } from '../engine/src/optim/base';
import { disposeState, stateTensors } from '../engine/src/optim/state';
import type { Extras, GradientTransformation, Params, State } from '../engine/src/optim/types';
import type { Model } from '../engine/src/models/types';
import { sampledTarget } from '../engine/src/train/loss';

const quick = process.argv.includes('--quick');
const backend = (process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1] : 'wasm') as BackendName;
const BATCH = 256;
const PERIOD = 20; // inverseEvery: time whole periods so the inverse steps are amortised
const PERIODS = process.env.KFAC_PERIODS ? Number(process.env.KFAC_PERIODS) : quick ? 2 : 4;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

class Trainer {
  private params: Params;
  private state: State;
  lastLoss = NaN;
  constructor(
    private readonly tf: Tf,
    private readonly model: Model,
    private readonly tx: GradientTransformation<State>,
    private readonly xs: ReturnType<Tf['tensor2d']>[],
    private readonly ys: ReturnType<Tf['tensor1d']>[],
  ) {
    this.params = model.init(1);
    this.state = tx.init(this.params);
  }
  /** One training step as the loop runs it; returns its wall time (ms). */
  step(seed: number): number {
    const tf = this.tf;
    // A pool of random batches: one fixed batch is memorised within a few K-FAC steps, and the
    // vanishing gradients then make the factors denormal (very slow float arithmetic).
    const x = this.xs[seed % this.xs.length];
    const y = this.ys[seed % this.ys.length];
    const t0 = performance.now();
    const old = this.params;
    let next!: { params: Params; state: State };
    const needs = this.tx.needs;
    tf.tidy(() => {
      let output!: ReturnType<Tf["tensor"]>;
      const r = lossAndGradients(this.model, this.params, x, (out) => {
        output = tf.keep(out);
        return perExampleLoss(this.model.loss, out, y);
      });
      const extras: Extras = { stats: false };
      if (needs.layerStats === 'sampled') {
        const rows = Math.ceil((needs.layerStatsFraction ?? 1) * BATCH);
        const xs = rows < BATCH ? x.slice(0, rows) : x;
        const sampled = sampledTarget(this.model.loss, rows < BATCH ? output.slice(0, rows) : output, seed);
        extras.layerStats = lossAndGradients(this.model, this.params, xs, (out) => perExampleLoss(this.model.loss, out, sampled), { taps: true }).layerStats;
      }
      const s = takeStep(this.tx, this.params, this.state, r.grads, extras);
      for (const t of Object.values(s.params)) tf.keep(t);
      for (const t of stateTensors(s.state)) tf.keep(t);
      next = s;
      this.lastLoss = r.loss.dataSync()[0];
      output.dispose();
    });
    this.params = next.params;
    this.state = next.state;
    tf.dispose(Object.values(old));
    return performance.now() - t0;
  }
  dispose(): void {
    this.tf.dispose(Object.values(this.params));
    disposeState(this.state);
  }
}

async function main(): Promise<void> {
  const { tf } = await initBackend(backend);
  const model = makeModel({ type: 'mlp', widths: [256, 256], activation: 'relu' }, { inputShape: [784], outputSize: 10 });
  const x = Array.from({ length: 32 }, (_, i) => tf.randomUniform([BATCH, 784], 0, 1, 'float32', 1 + i) as ReturnType<Tf['tensor2d']>);
  const y = Array.from({ length: 32 }, (_, i) => tf.randomUniform([BATCH], 0, 10, 'int32', 100 + i) as ReturnType<Tf['tensor1d']>);
  const common: Partial<KfacOptions> = { learningRate: 0.003, momentum: 0.9, damping: 1e-2, burnIn: 0, inverseEvery: PERIOD };
  const configs: [string, GradientTransformation<State>][] = [
    ['sgd-momentum', momentum(0.01, 0.9) as GradientTransformation<State>],
    ['kfac full', kfac({ ...common, statsFraction: 1, asyncInverses: false }) as unknown as GradientTransformation<State>],
    ['kfac tau1/8', kfac({ ...common, statsFraction: 1 / 8, asyncInverses: false }) as unknown as GradientTransformation<State>],
    ['kfac tau1/8 async', kfac({ ...common, statsFraction: 1 / 8, asyncInverses: true, inverseLag: PERIOD / 2 }) as unknown as GradientTransformation<State>],
  ];
  const only = process.env.KFAC_ONLY;
  const trainers = configs.filter(([name], i) => !only || i === 0 || name === only).map(([name, tx]) => ({ name, t: new Trainer(tf, model, tx, x, y), periods: [] as number[] }));
  // Warm-up: the first three K-FAC updates invert synchronously, then one full period.
  for (const tr of trainers) for (let i = 0; i < PERIOD + 3; i++) tr.t.step(i);
  let seed = 1000;
  for (let p = 0; p < PERIODS; p++) {
    for (const tr of trainers) {
      let total = 0;
      for (let i = 0; i < PERIOD; i++) total += tr.t.step(seed++);
      tr.periods.push(total / PERIOD);
    }
  }
  const sgd = median(trainers[0].periods);
  console.log(`K-FAC vs SGD-momentum step time, MLP 784-256-256-10, batch ${BATCH}, inverseEvery ${PERIOD}, ${backend} (median over ${PERIODS} periods of ${PERIOD} steps)`);
  for (const tr of trainers) {
    const ms = median(tr.periods);
    console.log(`  ${tr.name.padEnd(20)} ${ms.toFixed(2).padStart(8)} ms/step   ${(ms / sgd).toFixed(2)}x SGD   loss ${tr.t.lastLoss.toPrecision(3)}${tr.name.startsWith('kfac') ? (ms / sgd <= 1.5 ? '   (goal <= 1.5x: met)' : '   (goal <= 1.5x: NOT met)') : ''}`);
  }
  for (const tr of trainers) tr.t.dispose();
  tf.dispose([...x, ...y]);
}

void main();
