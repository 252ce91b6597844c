// K-FAC step time over SGD step time (science-spec 3, issue: curvature optimizers): an MLP
// 784-256-256-10 (relu, softmax cross-entropy) at batch 256 on random MNIST-shaped data, K-FAC with
// inverseEvery 20, in the configurations
//   adaptive full          alpha, mu from the exact quadratic model on the whole minibatch, LM rho
//                          every 5 updates, statsFraction 1 (tau1 = 1), synchronous inverses
//   adaptive t1/8 t2/4     the paper's subsets: factors on 1/8, the model's J d products on 1/4
//   adaptive ... async     the same with the inverses on the worker thread (applied 10 updates later)
//   fixed t1/8             learningRate + momentum 0.9, no quadratic model, no LM (tf-kfac's default)
//   fixed t1/8 klclip      the same with KL clipping (one extra scalar device read)
// Each step is what the training loop (engine/src/train/loop.ts) does for that optimizer:
// forward/backward, the sampled backward pass with layer taps on the tau1 rows, the output space on
// the tau2 rows, the loss evaluator, then the update, ending with a device read. All configurations
// are interleaved period by period in one run (the machine is shared and noisy); medians over whole
// inverse periods are compared, so every ratio is to SGD-momentum measured in the same run.
//
// Per-phase breakdown (mean ms per step over the timed periods; inverses are amortised over the
// period): the phases outside the optimizer are timed here, the phases inside the K-FAC update by the
// transform's own `timing` stats. On the wasm and cpu backends every kernel runs synchronously on the
// calling thread, so a phase's wall time is its compute time (no hidden asynchronous work).
//   node --import tsx bench/kfac.bench.ts [--quick] [--backend wasm|cpu]
//   KFAC_ONLY=<config name>   run SGD and one configuration;  KFAC_PERIODS=<n>   timed periods
import { initBackend, type BackendName, type Tf } from '../engine/src/tf/backend';
import { makeModel } from '../engine/src/models/registry';
import { modelLoss, perExampleLoss } from '../engine/src/models/loss';
import { lossAndGradients } from '../engine/src/models/taps';
import { momentum } from '../engine/src/optim/optimizers';
import { kfac, type KfacOptions } from '../engine/src/optim/kfac';
import { takeStep } from '../engine/src/optim/base';
import { disposeState, stateTensors } from '../engine/src/optim/state';
import type { Extras, GradientTransformation, Params, State } from '../engine/src/optim/types';
import type { Model } from '../engine/src/models/types';
import { sampledTarget } from '../engine/src/train/loss';
import { subsetRows } from '../engine/src/train/loop';
import { outputSpace } from '../engine/src/train/output-space';

const quick = process.argv.includes('--quick');
const backend = (process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1] : 'wasm') as BackendName;
const BATCH = 256;
const PERIOD = 20; // inverseEvery: time whole periods so the inverse steps are amortised
const PERIODS = process.env.KFAC_PERIODS ? Number(process.env.KFAC_PERIODS) : quick ? 2 : 4;
const WIDTHS = [784, 256, 256, 10];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Phases in print order: the loop's (timed here) and the K-FAC update's (its timing stats). */
const PHASES = [
  ['fwd/bwd', 'forward + backward of the training loss'],
  ['sampled', 'sampled-target backward pass with taps (tau1 rows)'],
  ['outspace', 'output space: slices + dL/doutput (tau2 rows)'],
  ['factors', 'factor matmuls + device read'],
  ['ema', 'EMA of the factors on the host'],
  ['inverses', 'inverses (amortised; async: install + submit)'],
  ['precondition', 'A^-1 V G^-1 per layer'],
  ['qmodel', 'quadratic model: J Delta, J delta0 (forward-mode J v when the model has it) + 1 read'],
  ['update', 'step size (KL clip), alpha Delta + mu delta0, keep delta0'],
  ['rho', 'LM: loss at theta + delta (every 5 updates)'],
  ['apply', 'params + updates (SGD: its whole update), rest of the update'],
  ['read', 'loss read, disposal'],
] as const;

class Trainer {
  private params: Params;
  private state: State;
  lastLoss = NaN;
  readonly phases: Record<string, number> = {};
  timedSteps = 0;
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
  /** One training step as the loop runs it; returns its wall time (ms) and adds up its phases when `record`. */
  step(seed: number, record: boolean): number {
    const tf = this.tf;
    // A pool of random batches: one fixed batch is memorised within a few K-FAC steps (vanishing
    // gradients are a different regime, see the denormal handling in kfac/factors.ts, inverses.ts).
    const x = this.xs[seed % this.xs.length];
    const y = this.ys[seed % this.ys.length];
    const times: Record<string, number> = {};
    const t0 = performance.now();
    let mark = t0;
    const lap = (phase: string) => {
      const now = performance.now();
      times[phase] = (times[phase] ?? 0) + now - mark;
      mark = now;
    };
    const old = this.params;
    let next!: { params: Params; state: State; stats: Record<string, number> };
    const needs = this.tx.needs;
    tf.tidy(() => {
      let output!: ReturnType<Tf['tensor']>;
      const r = lossAndGradients(this.model, this.params, x, (out) => {
        output = tf.keep(out);
        return perExampleLoss(this.model.loss, out, y);
      });
      lap('fwd/bwd');
      const extras: Extras = { stats: false };
      if (needs.layerStats === 'sampled') {
        const rows = subsetRows(BATCH, needs.layerStatsFraction, needs.subsetMinRows);
        const xs = rows < BATCH ? x.slice(0, rows) : x;
        const sampled = sampledTarget(this.model.loss, rows < BATCH ? output.slice(0, rows) : output, seed);
        extras.layerStats = lossAndGradients(this.model, this.params, xs, (out) => perExampleLoss(this.model.loss, out, sampled), { taps: true, paramGrads: false }).layerStats;
        lap('sampled');
      }
      if (needs.loss) extras.loss = r.loss.dataSync()[0];
      if (needs.lossAt) {
        extras.lossAt = (at: Params) => {
          const l = tf.tidy(() => modelLoss(this.model, this.model.forward(at, x, { training: true }).output, y));
          const v = l.dataSync()[0];
          l.dispose();
          return v;
        };
      }
      if (needs.outputSpace) {
        const rows = subsetRows(BATCH, needs.outputSpaceFraction, needs.subsetMinRows);
        extras.outputSpace = rows < BATCH ? outputSpace(this.model, this.params, x.slice(0, rows), y.slice(0, rows), output.slice(0, rows)) : outputSpace(this.model, this.params, x, y, output);
        lap('outspace');
      }
      const s = takeStep(this.tx, this.params, this.state, r.grads, extras);
      lap('apply');
      for (const t of Object.values(s.params)) tf.keep(t);
      for (const t of stateTensors(s.state)) tf.keep(t);
      next = s;
      this.lastLoss = r.loss.dataSync()[0];
      output.dispose();
    });
    this.params = next.params;
    this.state = next.state;
    tf.dispose(Object.values(old));
    lap('read');
    const total = performance.now() - t0;
    if (record) {
      // The update's own phases, taken out of the time attributed to apply+read.
      for (const [k, v] of Object.entries(next.stats)) {
        if (!k.startsWith('time_')) continue;
        times[k.slice(5)] = v;
        times.apply -= v;
      }
      for (const [k, v] of Object.entries(times)) this.phases[k] = (this.phases[k] ?? 0) + v;
      this.timedSteps += 1;
    }
    return total;
  }
  dispose(): void {
    this.tf.dispose(Object.values(this.params));
    disposeState(this.state);
  }
}

/** FLOPs of the inherent per-step K-FAC work: the preconditioning matmuls A^-1 V G^-1 of every layer. */
function preconditionFlops(): number {
  let f = 0;
  for (let l = 0; l + 1 < WIDTHS.length; l++) {
    const a = WIDTHS[l] + 1;
    const g = WIDTHS[l + 1];
    f += 2 * a * a * g + 2 * a * g * g;
  }
  return f;
}

/** FLOPs of one SGD training step's matmuls: forward, and the backward's weight and input gradients (none for the input). */
function trainStepFlops(rows: number): number {
  let f = 0;
  for (let l = 0; l + 1 < WIDTHS.length; l++) f += 2 * rows * WIDTHS[l] * WIDTHS[l + 1] * (l === 0 ? 2 : 3);
  return f;
}

async function main(): Promise<void> {
  const { tf, threads } = await initBackend(backend);
  const model = makeModel({ type: 'mlp', widths: WIDTHS.slice(1, -1), activation: 'relu' }, { inputShape: [WIDTHS[0]], outputSize: WIDTHS[WIDTHS.length - 1] });
  const x = Array.from({ length: 32 }, (_, i) => tf.randomUniform([BATCH, 784], 0, 1, 'float32', 1 + i) as ReturnType<Tf['tensor2d']>);
  const y = Array.from({ length: 32 }, (_, i) => tf.randomUniform([BATCH], 0, 10, 'int32', 100 + i) as ReturnType<Tf['tensor1d']>);
  const common: Partial<KfacOptions> = { damping: 1e-2, burnIn: 0, inverseEvery: PERIOD, timing: true };
  const fixed: Partial<KfacOptions> = { ...common, learningRate: 0.003, momentum: 0.9 };
  const k = (o: Partial<KfacOptions>) => kfac(o) as unknown as GradientTransformation<State>;
  const configs: [string, GradientTransformation<State>][] = [
    ['sgd-momentum', momentum(0.01, 0.9) as GradientTransformation<State>],
    ['adaptive full', k({ ...common, statsFraction: 1, asyncInverses: false })],
    ['adaptive t1/8 t2/4', k({ ...common, statsFraction: 1 / 8, quadModelFraction: 1 / 4, asyncInverses: false })],
    ['adaptive t1/8 t2/4 async', k({ ...common, statsFraction: 1 / 8, quadModelFraction: 1 / 4, asyncInverses: true, inverseLag: PERIOD / 2 })],
    ['fixed t1/8', k({ ...fixed, statsFraction: 1 / 8, asyncInverses: false })],
    ['fixed t1/8 klclip', k({ ...fixed, statsFraction: 1 / 8, klClip: 1e-3, asyncInverses: false })],
    ['fixed t1/8 async', k({ ...fixed, statsFraction: 1 / 8, asyncInverses: true, inverseLag: PERIOD / 2 })],
  ];
  const only = process.env.KFAC_ONLY;
  const trainers = configs.filter(([name], i) => !only || i === 0 || only.split(',').includes(name)).map(([name, tx]) => ({ name, t: new Trainer(tf, model, tx, x, y), periods: [] as number[] }));
  // Warm-up: the first three K-FAC updates invert synchronously, then one full period.
  for (const tr of trainers) for (let i = 0; i < PERIOD + 3; i++) tr.t.step(i, false);
  let seed = 1000;
  for (let p = 0; p < PERIODS; p++) {
    for (const tr of trainers) {
      let total = 0;
      for (let i = 0; i < PERIOD; i++) total += tr.t.step(seed++, true);
      tr.periods.push(total / PERIOD);
    }
  }
  const sgd = median(trainers[0].periods);
  console.log(`K-FAC vs SGD-momentum step time, MLP ${WIDTHS.join('-')}, batch ${BATCH}, inverseEvery ${PERIOD}, ${backend} (${threads} thread(s)), median over ${PERIODS} periods of ${PERIOD} steps`);
  for (const tr of trainers) {
    const ms = median(tr.periods);
    const goal = tr.name === 'sgd-momentum' ? '' : ms / sgd <= 1.5 ? '   (goal <= 1.5x: met)' : '   (goal <= 1.5x: NOT met)';
    console.log(`  ${tr.name.padEnd(26)} ${ms.toFixed(2).padStart(8)} ms/step   ${(ms / sgd).toFixed(2)}x SGD   loss ${tr.t.lastLoss.toPrecision(3)}${goal}`);
  }
  console.log('\nPer-phase breakdown, mean ms/step over the timed steps (inverses amortised over the period):');
  console.log(`  ${'phase'.padEnd(14)}${trainers.map((tr) => tr.name.slice(0, 14).padStart(15)).join('')}   what`);
  for (const [phase, what] of PHASES) {
    const cells = trainers.map((tr) => {
      const v = tr.t.phases[phase];
      return (v === undefined ? '-' : (v / tr.t.timedSteps).toFixed(2)).padStart(15);
    });
    console.log(`  ${phase.padEnd(14)}${cells.join('')}   ${what}`);
  }
  const totals = trainers.map((tr) => (Object.values(tr.t.phases).reduce((a, b) => a + b, 0) / tr.t.timedSteps).toFixed(2).padStart(15));
  console.log(`  ${'total (mean)'.padEnd(14)}${totals.join('')}`);
  const pre = trainers.find((tr) => tr.t.phases.precondition !== undefined);
  if (pre) {
    const ms = pre.t.phases.precondition / pre.t.timedSteps;
    console.log(`\nPreconditioning: ${(preconditionFlops() / 1e6).toFixed(0)} MFLOP/step of matmuls (${(preconditionFlops() / ms / 1e6).toFixed(1)} GFLOP/s as measured in "${pre.name}"),`);
    console.log(`  vs ${(trainStepFlops(BATCH) / 1e6).toFixed(0)} MFLOP for SGD's whole forward/backward at batch ${BATCH}: that ratio bounds K-FAC/SGD from below at equal matmul speed.`);
  }
  for (const tr of trainers) tr.t.dispose();
  tf.dispose([...x, ...y]);
}

void main();
