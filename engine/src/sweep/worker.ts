// A trial worker process (forked by pool.ts): initializes the compute backend, loads the dataset
// and builds the model once, then trains one trial at a time as the parent asks, streaming metric
// rows back every 100 ms. Terminal Ctrl-C is left to the parent (which stops workers itself); a
// lost parent (IPC disconnect) ends the worker.
import { DatasetSpecError, loadDataset, type LoadedDataset } from '../data';
import { makeModel, ModelSpecError, type Model } from '../models';
import { makeOptimizer, OptimizerSpecError } from '../optim';
import { StoreError } from '../store/errors';
import type { MetricRow } from '../store/types';
import { describeSelection, initBackend } from '../tf/backend';
import { train } from '../train/loop';
import type { TargetMetric } from '../train/types';
import { SetupInvalid, type ParentMessage, type WorkerMessage, type WorkerSetup } from './messages';

export { optionPathToPointer } from '../spec/pointer';

const TASK_OF: Record<string, Model['task']> = { classification: 'classification', regression: 'regression', autoencoder: 'reconstruction' };


export interface Prepared {
  data: LoadedDataset;
  model: Model;
  info: { dataset: string; model: string; parameters: number; loadMs: number };
}

/** Loads the data and builds the model of a setup; problems become SetupInvalid naming the JSON path. */
export function prepare(setup: WorkerSetup): Prepared {
  const t0 = performance.now();
  let data: LoadedDataset;
  try {
    data = loadDataset(setup.problem.data, { pointer: '/problem/data', baseDir: setup.baseDir, ...(setup.dataAccess && { access: setup.dataAccess }) });
  } catch (err) {
    if (err instanceof DatasetSpecError) throw new SetupInvalid(err.pointer, err.message.replace(/^\/problem\/data\S*: /, ''));
    throw err;
  }
  const task = TASK_OF[setup.problem.type];
  const spec = { ...setup.problem.model };
  if (spec.type === 'mlp' && spec.task === undefined) spec.task = task;
  const outputSize = task === 'classification' ? data.info.numClasses : task === 'regression' ? data.info.yShape.reduce((a, b) => a * b, 1) : undefined;
  let model: Model;
  try {
    model = makeModel(spec, { inputShape: data.info.xShape, outputSize });
  } catch (err) {
    if (err instanceof ModelSpecError) throw new SetupInvalid(err.under('/problem/model'), err.message);
    throw err;
  }
  if (model.task !== task) throw new SetupInvalid('/problem/model', `a ${setup.problem.type} problem needs a model for ${task}, but ${model.name} is for ${model.task}`);
  if (task === 'classification' && data.info.task !== 'classification') throw new SetupInvalid('/problem/data', `a classification problem needs a dataset with class labels; ${data.info.name} is a regression set`);
  if (task === 'regression' && data.info.task !== 'regression') throw new SetupInvalid('/problem/data', `a regression problem needs regression targets; ${data.info.name} has class labels`);
  // A batch larger than the training set would be clamped to full batch yet labelled and fitted as asked.
  const tooLarge = setup.batchSizes?.find((b) => b.value > data.train.n);
  if (tooLarge) {
    throw new SetupInvalid(tooLarge.pointer, `batch size ${tooLarge.value} is larger than the training set (${data.train.n} examples of ${data.info.name}); use batch sizes up to ${data.train.n}`);
  }
  for (const probe of setup.probes) {
    try {
      makeOptimizer(probe.spec, { batchSize: probe.batchSize });
    } catch (err) {
      if (err instanceof OptimizerSpecError) throw new SetupInvalid(err.under(probe.pointer), err.message);
      throw err;
    }
  }
  const parameters = Object.values(model.paramShapes).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  return { data, model, info: { dataset: data.info.name, model: model.name, parameters, loadMs: performance.now() - t0 } };
}

function main(): void {
  const send = (m: WorkerMessage) => {
    // A parent that is gone records nothing more: stop at once rather than write a checkpoint
    // past the rows the store has (a resume could not use it).
    if (!process.connected) process.exit(0);
    process.send!(m);
  };
  process.on('SIGINT', () => {
    // The parent stops the workers (and marks their trials) itself.
  });
  process.on('disconnect', () => process.exit(0));
  let setup: WorkerSetup | undefined;
  let prepared: Prepared | undefined;
  let current: { trial: number; limit: number; controller: AbortController } | undefined;
  const queue: ParentMessage[] = [];
  let busy = false;

  const runTrial = async (m: Extract<ParentMessage, { type: 'trial' }>) => {
    const { data, model } = prepared!;
    const s = setup!;
    const controller = new AbortController();
    current = { trial: m.trial, limit: m.stepLimit, controller };
    let rows: MetricRow[] = [];
    const flush = () => {
      if (rows.length) send({ type: 'metrics', trial: m.trial, rows });
      rows = [];
    };
    const timer = setInterval(flush, 100);
    const every = s.checkpointEvery;
    let sentCheckpoints = 0;
    try {
      const result = await train({
        model,
        train: data.train,
        test: data.test,
        optimizer: makeOptimizer(m.optimizerSpec, { batchSize: m.batchSize }),
        batchSize: m.batchSize,
        seed: m.seed ?? s.seed,
        target: {
          metric: s.target.metric as TargetMetric,
          value: s.target.value,
          evalEvery: s.target.evalEvery ?? 10,
          ...(s.target.relativeResolution !== undefined && { relativeResolution: s.target.relativeResolution }),
          ...(s.target.evalSize !== undefined && { evalSize: s.target.evalSize }),
          ...(s.target.relativeToInitial && { relativeToInitial: true }),
        },
        budget: s.budget,
        logEvery: s.logEvery,
        onMetrics: (row) => {
          rows.push(row);
          // Rows up to a checkpoint leave before the checkpoint is written, so a resume finds them on disk.
          if (every && typeof row.step === 'number' && Math.floor(row.step / every) > sentCheckpoints) {
            sentCheckpoints = Math.floor(row.step / every);
            flush();
          }
        },
        ...(s.checkpointEvery !== undefined && { checkpoint: { dir: m.runDir, every: s.checkpointEvery, atEnd: true } }),
        ...(m.resumeFrom !== undefined && { resumeFrom: m.resumeFrom }),
        signal: controller.signal,
        stepLimit: () => current?.limit ?? m.stepLimit,
        ...(stepDelayMs() > 0 && { stepDelayMs: stepDelayMs() }),
      });
      clearInterval(timer);
      flush();
      send({ type: 'trialDone', trial: m.trial, result });
    } catch (err) {
      clearInterval(timer);
      flush();
      const store = err instanceof StoreError ? { store: { ...(err.path !== undefined && { path: err.path }), ...(err.code !== undefined && { code: err.code }) } } : {};
      send({ type: 'trialFailed', trial: m.trial, message: err instanceof Error ? err.message : String(err), ...store });
    } finally {
      current = undefined;
    }
  };

  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      while (queue.length) {
        const m = queue.shift()!;
        if (m.type === 'setup') {
          setup = m.setup;
          try {
            const selection = await initBackend(setup.backend);
            prepared = prepare(setup);
            send({
              type: 'ready',
              info: { backend: selection.backend, description: describeSelection(selection), device: selection.device, versions: selection.versions, ...prepared.info },
            });
          } catch (err) {
            if (err instanceof SetupInvalid) send({ type: 'invalid', path: err.path, message: err.message });
            else send({ type: 'setupFailed', message: err instanceof Error ? err.message : String(err) });
          }
        } else if (m.type === 'trial') {
          if (!prepared) send({ type: 'trialFailed', trial: m.trial, message: 'the worker is not set up' });
          else await runTrial(m);
        }
      }
    } finally {
      busy = false;
    }
  };

  process.on('message', (m: ParentMessage) => {
    if (m.type === 'limit') {
      if (current && current.trial === m.trial) current.limit = m.stepLimit;
      return;
    }
    if (m.type === 'cancel') {
      current?.controller.abort();
      queue.length = 0;
      return;
    }
    queue.push(m);
    void pump();
  });
}

/** OPTLAB_STEP_DELAY_MS: a pause after every training step, for tests that watch a sweep live. */
function stepDelayMs(): number {
  const ms = Number(process.env.OPTLAB_STEP_DELAY_MS ?? 0);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 10_000) : 0;
}

if (require.main === module || process.env.OPTLAB_TRIAL_WORKER === '1') main();
