// The training loop: steps-to-target for one model, dataset, optimizer chain and batch size.
//
// Each step: a minibatch (seeded, resumable: data/batches.ts), the loss and its gradients in one
// tf.tidy, exactly the extras the optimizer's `needs` ask for (each computed by its provider in
// train/inputs: the minibatch loss, a loss evaluator, layer taps, output-space and curvature
// products, Hessian-vector products, the step), then the optimizer update in a second tf.tidy that keeps only
// the new parameters and state. Every `evalEvery` steps (and at geometrically spaced early steps
// with `relativeResolution`) the target metric is measured on a fixed seeded evaluation subset with
// the evaluation parameters (EMA of iterates when there is one). The loop stops at the target, the
// step budget (or a lower limit set from outside), divergence (NaN/Inf minibatch loss or a loss above
// the threshold) or cancellation. Same seed and backend give identical metrics; a run resumed from
// its checkpoint continues exactly as if it had never stopped.
import * as tf from '@tensorflow/tfjs';
import { Minibatcher, type Batch } from '../data/batches';
import { subset, type Dataset } from '../data/dataset';
import { modelLoss, perExampleLoss } from '../models/loss';
import { lossAndGradients } from '../models/taps';
import type { Model } from '../models/types';
import { evaluationParams, takeStep } from '../optim/base';
import { disposeState, stateTensors } from '../optim/state';
import type { Extras, Params, State } from '../optim/types';
import type { MetricRow } from '../store/types';
import { readCheckpoint, restoreTensors, writeCheckpoint, CheckpointError } from './checkpoint';
import { evalSchedule } from './eval-schedule';
import { ownResult, provideInputs, stepMemo, tapsInMainPass } from './inputs';
import { correctCount, targetTensor } from './loss';
import { isLossMetric, isTestMetric, meetsTarget } from './target';
import type { TrainOptions, TrainResult, TrainStatus } from './types';

export { subsetRows } from './inputs';

/** The stat that carries the learning rate in the ready-made optimizers (optim/optimizers.ts). */
const LR_SUFFIX = 'learning_rate';
const DEFAULT_EVAL_SIZE = 1000;
const EVAL_CHUNK = 1000;
/** Default divergence threshold: this many times the first minibatch loss. */
export const DEFAULT_DIVERGE_FACTOR = 10;

export class TrainConfigError extends Error {
  override name = 'TrainConfigError';
}

export { isLossMetric, isTestMetric, meetsTarget } from './target';

function batchTensors(batch: Pick<Batch, 'x' | 'y' | 'xShape' | 'yShape'>): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.tensor(batch.x, batch.xShape, 'float32');
  const y = batch.y instanceof Int32Array ? tf.tensor(batch.y, batch.yShape, 'int32') : tf.tensor(batch.y, batch.yShape, 'float32');
  return { x, y };
}

interface Evaluator {
  /** Mean loss and accuracy (classification) of the evaluation set at `params`. */
  evaluate(params: Params): { loss: number; accuracy: number | null };
  size: number;
}

function makeEvaluator(model: Model, set: Dataset, size: number, seed: number, stream: number): Evaluator {
  const n = Math.min(size, set.n);
  const rowsOf = n === set.n ? set : subset(set, n, seed, stream);
  const d = rowsOf.x.length / Math.max(1, rowsOf.n);
  const m = rowsOf.y.length / Math.max(1, rowsOf.n);
  return {
    size: n,
    evaluate(params) {
      const sums = tf.tidy(() => {
        let lossSum: tf.Tensor = tf.scalar(0);
        let correct: tf.Tensor = tf.scalar(0);
        for (let start = 0; start < n; start += EVAL_CHUNK) {
          const rows = Math.min(EVAL_CHUNK, n - start);
          const { x, y } = batchTensors({
            x: rowsOf.x.subarray(start * d, (start + rows) * d),
            y: rowsOf.y.subarray(start * m, (start + rows) * m),
            xShape: [rows, ...rowsOf.xShape],
            yShape: [rows, ...rowsOf.yShape],
          });
          const out = model.forward(params, x, { training: false }).output;
          const target = targetTensor(model, x, y);
          lossSum = tf.add(lossSum, modelLoss(model, out, target, 'sum'));
          if (model.task === 'classification') correct = tf.add(correct, correctCount(out, target));
        }
        return tf.stack([lossSum, correct]);
      });
      const [lossSum, correct] = sums.dataSync();
      sums.dispose();
      return { loss: lossSum / n, accuracy: model.task === 'classification' ? correct / n : null };
    },
  };
}

function checkOptions(o: TrainOptions): void {
  const bad = (msg: string) => {
    throw new TrainConfigError(msg);
  };
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) bad(`batch size must be a positive integer, got ${o.batchSize}`);
  if (!Number.isInteger(o.budget.maxSteps) || o.budget.maxSteps < 0) bad(`budget.maxSteps must be a non-negative integer, got ${o.budget.maxSteps}`);
  if (o.budget.divergeAbove !== undefined && !(o.budget.divergeAbove > 0)) bad(`budget.divergeAbove must be > 0, got ${o.budget.divergeAbove}`);
  const t = o.target;
  if (t) {
    if (!Number.isFinite(t.value)) bad(`target value must be a finite number, got ${t.value}`);
    if ((t.metric === 'accuracy' || t.metric === 'testAccuracy') && o.model.task !== 'classification') bad(`target metric '${t.metric}' needs a classification model, not ${o.model.task}`);
    if (isTestMetric(t.metric) && (!o.test || o.test.n === 0)) bad(`target metric '${t.metric}' needs a test set`);
    if (t.relativeToInitial && !isLossMetric(t.metric)) bad(`target.relativeToInitial applies to loss metrics, not '${t.metric}'`);
    if (t.relativeToInitial && !(t.value > 0)) bad(`a target relative to the initial loss must be > 0, got ${t.value}`);
  }
  if (o.model.task === 'classification' && o.train.numClasses === undefined) bad('a classification model needs a dataset with class labels');
}

/** Trains until the target, the budget, divergence or cancellation; see the file comment. */
export async function train(o: TrainOptions): Promise<TrainResult & { params?: Params }> {
  checkOptions(o);
  const { model, optimizer: tx, batchSize, seed, budget, target } = o;
  const needs = tx.needs;
  const clock = o.clock ?? (() => performance.now());
  const logEvery = Math.max(1, o.logEvery ?? 1);
  const yieldEvery = o.yieldEveryMs ?? 50;
  // Every step sees exactly `batchSize` examples (the last, smaller batch of an epoch is dropped),
  // so that steps at a batch size mean what the critical-batch-size model says they mean.
  const batcher = new Minibatcher(o.train, { batchSize, seed, dropLast: (o.dropLast ?? true) && batchSize <= o.train.n });
  const schedule = target ? evalSchedule(target.evalEvery, target.relativeResolution, budget.maxSteps) : null;
  const evalSet = target ? (isTestMetric(target.metric) ? o.test! : o.train) : null;
  const evaluator = evalSet ? makeEvaluator(model, evalSet, target!.evalSize ?? DEFAULT_EVAL_SIZE, seed, isTestMetric(target!.metric) ? 0x7e000002 : 0x7e000001) : null;
  const evalPrefix = target && isTestMetric(target.metric) ? 'test' : 'train';

  let params: Params;
  let state: State;
  let step = 0;
  let examples = 0;
  // Updates that only gather statistics (K-FAC's burn-in, GradientTransformation.warmupSteps): run
  // before step 1, on minibatches of their own, and not counted as steps or logged as rows.
  const warmupSteps = Math.max(0, Math.floor(tx.warmupSteps ?? 0));
  let warmupDone = 0;
  let wallBase = 0;
  let divergeAbove: number | null = budget.divergeAbove ?? null;
  let evaluations = 0;
  let bestEvaluation: number | null = null;
  let lastEvaluation: number | null = null;
  let lastLoss: number | null = null;
  let resumedFrom: number | undefined;
  if (o.resumeFrom) {
    const doc = readCheckpoint(o.resumeFrom);
    if (doc.seed !== seed || doc.batchSize !== batchSize) {
      throw new CheckpointError(`checkpoint in ${o.resumeFrom} is for seed ${doc.seed} and batch size ${doc.batchSize}, not seed ${seed} and batch size ${batchSize}`);
    }
    ({ params, state } = restoreTensors(doc));
    step = doc.step;
    examples = doc.examples;
    warmupDone = doc.warmupDone ?? 0;
    wallBase = doc.wallTime;
    divergeAbove = budget.divergeAbove ?? doc.divergeAbove;
    evaluations = doc.evaluations;
    bestEvaluation = doc.bestEvaluation;
    lastEvaluation = doc.lastEvaluation;
    lastLoss = doc.lastLoss;
    resumedFrom = doc.step;
    batcher.seek(warmupDone + step);
  } else {
    params = model.init(seed);
    try {
      state = tx.init(params);
    } catch (err) {
      tf.dispose(Object.values(params));
      throw err;
    }
  }

  // A relative target is measured against the initial parameters (recreated from the seed after a
  // resume, so the absolute target is the same).
  let targetValue = target?.value ?? null;
  let initialEvaluation: number | undefined;
  if (target?.relativeToInitial && evaluator) {
    const initial = o.resumeFrom ? model.init(seed) : params;
    try {
      initialEvaluation = evaluator.evaluate(initial).loss;
    } finally {
      if (initial !== params) tf.dispose(Object.values(initial));
    }
    targetValue = target.value * initialEvaluation;
  }

  const t0 = clock();
  const wallTime = () => wallBase + (clock() - t0) / 1000;
  let lastYield = clock();
  // Between updates: the optional pause for live viewing, else a yield every yieldEvery ms so that
  // messages (a cancel) are received.
  const pace = async () => {
    if (o.stepDelayMs) {
      await new Promise<void>((resolve) => setTimeout(resolve, o.stepDelayMs));
      lastYield = clock();
    } else if (clock() - lastYield >= yieldEvery) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = clock();
    }
  };
  let status: TrainStatus = 'budget';
  let stepsToTarget: number | null = null;
  let divergence: string | undefined;
  let stoppedByLimit = false;

  const saveCheckpoint = (dir: string) =>
    writeCheckpoint(dir, { step, examples, warmupDone, wallTime: wallTime(), seed, batchSize, divergeAbove, evaluations, bestEvaluation, lastEvaluation, lastLoss }, params, state);

  try {
    while (true) {
      if (o.signal?.aborted) {
        status = 'cancelled';
        break;
      }
      const limit = Math.min(budget.maxSteps, o.stepLimit?.() ?? Infinity);
      if (step >= limit) {
        status = 'budget';
        stoppedByLimit = limit < budget.maxSteps;
        break;
      }
      const batch = batcher.next();
      const warming = warmupDone < warmupSteps;
      const nextStep = warming ? step : step + 1;
      const evalNow = !warming && (schedule?.isEvalStep(nextStep) ?? false);
      const logNow = !warming && (nextStep % logEvery === 0 || evalNow || nextStep === limit);

      // ---- loss, gradients and the extras the optimizer needs (train/inputs) ----
      const { x, y } = batchTensors(batch);
      const owned: tf.Tensor[] = [x, y];
      let lossValue: number;
      let correct: number | null = null;
      const extras: Extras = { stats: logNow };
      let grads: Params;
      try {
        const tgt = targetTensor(model, x, y);
        owned.push(tgt);
        let output: tf.Tensor | undefined;
        const perTrue = (out: tf.Tensor) => {
          output = tf.keep(out);
          return perExampleLoss(model.loss, out, tgt);
        };
        const own = <T extends tf.Tensor>(t: T, ...more: tf.Tensor[]): T => {
          owned.push(t, ...more);
          return t;
        };
        const main = ownResult({ own }, lossAndGradients(model, params, x, perTrue, { taps: tapsInMainPass(needs) }));
        if (output) owned.push(output);
        lossValue = main.loss.dataSync()[0];
        if (model.task === 'classification' && logNow && output) {
          const c = correctCount(output, tgt);
          correct = c.dataSync()[0];
          c.dispose();
        }
        grads = main.grads;
        // `step` here is the minibatch's index, warm-up included: per-step randomness (sampled
        // targets) follows the minibatches, whatever counts as a step.
        const inputs = { model, params, x, target: tgt, output: output!, rows: batch.size, main, loss: lossValue, step: warmupDone + step, seed, needs, own, shared: stepMemo() };
        provideInputs(inputs, extras);
      } catch (err) {
        tf.dispose(owned);
        throw err;
      }

      // ---- divergence ----
      if (warming) warmupDone += 1;
      else {
        step = nextStep;
        examples += batch.size;
      }
      lastLoss = lossValue;
      if (divergeAbove === null) divergeAbove = Number.isFinite(lossValue) && lossValue > 0 ? DEFAULT_DIVERGE_FACTOR * lossValue : null;
      if (!Number.isFinite(lossValue) || (divergeAbove !== null && lossValue > divergeAbove)) {
        divergence = Number.isFinite(lossValue) ? `loss ${lossValue.toPrecision(4)} > ${divergeAbove!.toPrecision(4)} at step ${step}` : `loss ${lossValue} at step ${step}`;
        tf.dispose(owned);
        status = 'diverged';
        o.onMetrics?.({ step, examples, wallTime: wallTime(), loss: lossValue });
        break;
      }

      // ---- the update: only the new parameters and state leave the tidy ----
      let stats: Record<string, number> = {};
      try {
        const old = params;
        let next!: { params: Params; state: State; stats: Record<string, number> };
        tf.tidy(() => {
          next = takeStep(tx, params, state, grads, extras);
          for (const t of Object.values(next.params)) tf.keep(t);
          for (const t of stateTensors(next.state)) tf.keep(t);
        });
        params = next.params;
        state = next.state;
        stats = next.stats;
        tf.dispose(Object.values(old));
      } finally {
        tf.dispose(owned);
      }

      // Warm-up updates are no steps: no row, no evaluation, no checkpoint (but a cancel still gets through).
      if (warming) {
        await pace();
        continue;
      }

      // ---- evaluation and metrics ----
      const row: MetricRow = { step, examples, wallTime: 0, loss: lossValue };
      if (correct !== null) row.accuracy = correct / batch.size;
      if (logNow) {
        for (const [k, v] of Object.entries(stats)) {
          if (k.endsWith(LR_SUFFIX) && row.learningRate === undefined) row.learningRate = v;
          else row[k] = v;
        }
      }
      let reached = false;
      if (evalNow && evaluator && target) {
        const r = evaluator.evaluate(evaluationParams(tx, state, params));
        evaluations += 1;
        row[`${evalPrefix}Loss`] = r.loss;
        if (r.accuracy !== null) row[`${evalPrefix}Accuracy`] = r.accuracy;
        const measured = target.metric === 'accuracy' || target.metric === 'testAccuracy' ? r.accuracy! : r.loss;
        lastEvaluation = measured;
        if (Number.isFinite(measured) && (bestEvaluation === null || (isLossMetric(target.metric) ? measured < bestEvaluation : measured > bestEvaluation))) bestEvaluation = measured;
        reached = meetsTarget(target.metric, measured, targetValue!);
      }
      row.wallTime = wallTime();
      if (logNow || reached) o.onMetrics?.(row);
      if (o.checkpoint?.every && step % o.checkpoint.every === 0) saveCheckpoint(o.checkpoint.dir);
      if (reached) {
        status = 'reached';
        stepsToTarget = step;
        break;
      }
      await pace();
    }
    if (o.checkpoint?.atEnd && status !== 'diverged') saveCheckpoint(o.checkpoint.dir);
  } catch (err) {
    tf.dispose(Object.values(params));
    disposeState(state);
    throw err;
  }

  const result: TrainResult & { params?: Params } = {
    status,
    stepsToTarget,
    steps: step,
    ...(warmupDone > 0 && { warmupSteps: warmupDone }),
    examples,
    wallTime: wallTime(),
    finalLoss: lastLoss,
    targetValue,
    ...(initialEvaluation !== undefined && { initialEvaluation }),
    lastEvaluation,
    bestEvaluation,
    evaluations,
    stoppedByLimit,
    divergeAbove,
    ...(divergence !== undefined && { divergence }),
    ...(resumedFrom !== undefined && { resumedFrom }),
  };
  disposeState(state);
  if (o.returnParams) result.params = params;
  else tf.dispose(Object.values(params));
  return result;
}

