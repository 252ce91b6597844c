// The sweep with a fake trial runner (no training): the best learning rate per batch size, the
// runs in the store (trials and the per-cell best), pruning limits, critical-batch-size reports,
// invalid setups and cancellation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logspace } from '../../../engine/src/experiment/grid';
import { parseExperiment } from '../../../engine/src/experiment/load';
import { ExperimentError } from '../../../engine/src/experiment/validate';
import { findingsFor } from '../../../engine/src/runner';
import { RunStore } from '../../../engine/src/store';
import type { BackendInfo, WorkerSetup } from '../../../engine/src/sweep/messages';
import { SetupInvalid, type TrialHooks, type TrialRequest, type TrialResultOrFailure, type TrialRunner } from '../../../engine/src/sweep/pool';
import { runNeuralExperiment } from '../../../engine/src/problems/supervised/run';
import type { TrainResult } from '../../../engine/src/train/types';

const INFO: BackendInfo = { backend: 'fake', description: 'fake (no device)', device: { kind: 'CPU', name: 'none' }, versions: {}, dataset: 'd', model: 'm', parameters: 1, loadMs: 0 };

/**
 * Steps to target of a made-up problem: S(B) = 100 (1 + Bc / B) at the best learning rate
 * lr*(B) = 0.01 B (capped at 1), worse away from it (x (1 + 2 |log10(lr / lr*)|)); learning rates
 * above 2 lr* diverge. Bc = 64 for SGD, 256 for Adam.
 */
function fakeSteps(type: string, lr: number, batchSize: number): number | 'diverged' {
  const best = Math.min(1, 0.01 * batchSize);
  if (lr > 2 * best) return 'diverged';
  const bc = type === 'adam' ? 256 : 64;
  return Math.round(100 * (1 + bc / batchSize) * (1 + 2 * Math.abs(Math.log10(lr / best))));
}

class FakeRunner implements TrialRunner {
  readonly capacity: number;
  started: WorkerSetup | undefined;
  stopped = 0;
  requests: TrialRequest[] = [];
  limits: { trial: number; stepLimit: number }[] = [];
  private live = new Map<number, { limit: number }>();
  constructor(
    private readonly opts: { invalid?: SetupInvalid; onRun?: (r: TrialRequest) => void; failLr?: number; capacity?: number } = {},
  ) {
    this.capacity = opts.capacity ?? 2;
  }

  start(setup: WorkerSetup): Promise<BackendInfo> {
    this.started = setup;
    return this.opts.invalid ? Promise.reject(this.opts.invalid) : Promise.resolve(INFO);
  }

  async run(request: TrialRequest, hooks: TrialHooks): Promise<TrialResultOrFailure> {
    this.requests.push(request);
    this.opts.onRun?.(request);
    const spec = request.optimizerSpec as { type: string; learningRate: number };
    if (spec.learningRate === this.opts.failLr) return { ok: false, message: 'boom' };
    const live = { limit: request.stepLimit };
    this.live.set(request.trial, live);
    await new Promise((r) => setTimeout(r, 2 + (request.trial % 3)));
    this.live.delete(request.trial);
    const s = fakeSteps(spec.type, spec.learningRate, request.batchSize);
    const base = { examples: 0, wallTime: 0.01, finalLoss: 0.1, targetValue: 0.9, lastEvaluation: 0.5, bestEvaluation: 0.5, evaluations: 3, divergeAbove: 23 };
    let result: TrainResult;
    if (s === 'diverged') result = { ...base, status: 'diverged', stepsToTarget: null, steps: 3, finalLoss: NaN, stoppedByLimit: false, divergence: 'loss NaN at step 3' };
    else if (s > live.limit) result = { ...base, status: 'budget', stepsToTarget: null, steps: live.limit, stoppedByLimit: live.limit < 1000 };
    else result = { ...base, status: 'reached', stepsToTarget: s, steps: s, stoppedByLimit: false };
    hooks.onMetrics([{ step: 1, examples: request.batchSize, wallTime: 0, loss: 2.3, learningRate: spec.learningRate }, { step: result.steps, examples: result.steps * request.batchSize, wallTime: 0.01, loss: result.finalLoss! }]);
    return { ok: true, result };
  }

  setLimit(trial: number, stepLimit: number): void {
    this.limits.push({ trial, stepLimit });
    const live = this.live.get(trial);
    if (live) live.limit = stepLimit;
  }

  stop(): Promise<void> {
    this.stopped++;
    return Promise.resolve();
  }
}

const EXPERIMENT = {
  name: 'fake-sweep',
  problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 4, trainSize: 64, testSize: 32 }, model: { type: 'mlp', widths: [8] } },
  target: { metric: 'testAccuracy', value: 0.9, evalEvery: 1 },
  budget: { maxSteps: 1000 },
  batchSizes: [8, 32, 128, 512, 2048],
  optimizers: [
    { type: 'sgd', learningRate: { logspace: [-2, 0, 5] } },
    { type: 'adam', learningRate: { logspace: [-2, 0, 5] } },
  ],
};

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-sweep-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The best of the grid, computed directly. */
function expectedBest(type: string, batchSize: number): { lr: number; steps: number } | null {
  let best: { lr: number; steps: number } | null = null;
  for (const lr of logspace(-2, 0, 5)) {
    const s = fakeSteps(type, lr, batchSize);
    if (s !== 'diverged' && s <= 1000 && (!best || s < best.steps)) best = { lr, steps: s };
  }
  return best;
}

describe('neural sweep (fake trial runner)', () => {
  test('picks the best learning rate per batch size, records trials and cells, fits B_crit', async () => {
    const exp = parseExperiment(JSON.stringify(EXPERIMENT));
    const store = new RunStore(path.join(tmp, 'a'));
    const runner = new FakeRunner();
    const created: string[] = [];
    const statuses = new Map<string, string[]>();
    const streamed = new Map<string, number>();
    const result = await runNeuralExperiment(exp, store, {
      runner,
      onRunsCreated: (runs) => created.push(...runs.map((r) => r.id)),
      onRunStatus: (id, status) => statuses.set(id, [...(statuses.get(id) ?? []), status]),
      onMetrics: (id, rows) => streamed.set(id, (streamed.get(id) ?? 0) + rows.length),
    });
    assert.equal(runner.started?.problem.type, 'classification');
    assert.equal(runner.stopped, 1);
    assert.equal(created.length, 2 * 5 * 5 + 2 * 5);

    // Per (optimizer, batch size): the best of the grid.
    for (const report of result.criticalBatchSize) {
      const type = report.type;
      for (const p of report.points) {
        const e = expectedBest(type, p.batchSize);
        assert.deepEqual([p.steps, p.learningRate], e ? [e.steps, e.lr] : [null, null], `${report.optimizer} B=${p.batchSize}`);
        assert.ok(Number.isNaN(p.lowerBound));
      }
      assert.ok(report.bCrit !== null, `${report.optimizer}: ${report.error}`);
    }
    const [sgd, adam] = result.criticalBatchSize;
    assert.equal(sgd.optimizer, 'SGD');
    assert.ok(adam.bCrit! > sgd.bCrit!, `Adam ${adam.bCrit} vs SGD ${sgd.bCrit}`);
    const findings = findingsFor(exp, result);
    // Disjoint intervals, but B=8 missed the target in both fits (partial): inconclusive, not "agrees".
    assert.equal(findings[0].holds, null, findings[0].evidence);
    assert.match(findings[0].inconclusive!, /Adam's fit is partial \(1 run\(s\) did not reach the target/);

    // The store: every trial is a run with its status; each cell a run with the best result.
    const runs = store.list();
    assert.equal(runs.length, 60);
    const trials = runs.filter((r) => (r.config as { kind: string }).kind === 'trial');
    const cells = runs.filter((r) => (r.config as { kind: string }).kind === 'best-of-grid');
    assert.equal(trials.length, 50);
    assert.equal(cells.length, 10);
    assert.ok(trials.some((r) => r.status === 'diverged'));
    assert.ok(trials.every((r) => r.batchSize === undefined && /B=\d+ lr=/.test(r.label)));
    assert.ok(runs.every((r) => ['completed', 'diverged'].includes(r.status)));
    for (const cell of cells) {
      const e = expectedBest(cell.optimizer, cell.batchSize!);
      assert.equal(cell.summary.stepsToTarget, e?.steps ?? null);
      assert.equal(cell.hyperparameters.learningRate, e?.lr ?? null);
      if (e) {
        const best = store.get(cell.summary.bestTrial as string);
        assert.equal(best.summary.stepsToTarget, e.steps);
        assert.equal(store.readMetrics(cell.id).rows.length, 2, 'the cell run holds the best trial\'s curve');
      }
      assert.deepEqual(statuses.get(cell.id), ['running', 'completed']);
    }
    for (const t of trials) assert.equal(store.readMetrics(t.id).rows.length, 2);
    assert.equal(streamed.get(trials[0].id), 2);
    assert.deepEqual(result.runs.map((r) => [r.label, r.batchSize]).slice(0, 2), [['SGD', 8], ['SGD', 32]]);
    assert.equal(result.trials!.length, 50);
  });

  test('trials never get more steps than could beat the cell\'s best, and are told when it improves', async () => {
    const exp = parseExperiment(JSON.stringify(EXPERIMENT));
    // Four at a time: trials of one cell run side by side, so a finished one can lower the others' limits.
    const runner = new FakeRunner({ capacity: 4 });
    await runNeuralExperiment(exp, new RunStore(path.join(tmp, 'b')), { runner });
    const byTrial = new Map(runner.requests.map((r) => [r.trial, r]));
    // Some trials started with a limit below the budget (a best existed), none with a limit that hides a better result.
    assert.ok(runner.requests.some((r) => r.stepLimit < 1000));
    for (const r of runner.requests) {
      const spec = r.optimizerSpec as { type: string; learningRate: number };
      const s = fakeSteps(spec.type, spec.learningRate, r.batchSize);
      const best = expectedBest(spec.type, r.batchSize);
      if (best && s === best.steps && spec.learningRate === best.lr) assert.ok(r.stepLimit >= s, `the winner of B=${r.batchSize} was cut at ${r.stepLimit}`);
    }
    // Running trials were told of improvements (the fake runner's trials overlap).
    assert.ok(runner.limits.length > 0, 'no running trial was told of a better best');
    for (const l of runner.limits) assert.ok(byTrial.has(l.trial));
  });

  test('a failing trial is recorded as failed and counts as no result', async () => {
    const exp = parseExperiment(JSON.stringify(EXPERIMENT));
    const store = new RunStore(path.join(tmp, 'c'));
    const result = await runNeuralExperiment(exp, store, { runner: new FakeRunner({ failLr: 0.01 }) });
    const failed = store.list().filter((r) => r.status === 'failed');
    assert.equal(failed.length, 10);
    assert.equal(failed[0].error?.message, 'boom');
    assert.ok(result.criticalBatchSize.every((r) => r.points.every((p) => p.learningRate !== 0.01)));
  });

  test('an option the engine rejects is an ExperimentError naming its JSON path and line', async () => {
    const file = path.join(tmp, 'bad.optlab.json');
    const text = JSON.stringify(EXPERIMENT, null, 2);
    fs.writeFileSync(file, text);
    const exp = parseExperiment(text, file);
    const err = await runNeuralExperiment(exp, new RunStore(path.join(tmp, 'd')), { runner: new FakeRunner({ invalid: new SetupInvalid('/problem/model/widths', 'widths must be ...') }) }).catch((e: unknown) => e);
    assert.ok(err instanceof ExperimentError, String(err));
    assert.equal(err.issues[0].path, '/problem/model/widths');
    assert.equal(err.issues[0].line, text.slice(0, text.indexOf('"widths"')).split('\n').length);
    assert.equal(new RunStore(path.join(tmp, 'd')).list().length, 0, 'no run is created for an invalid file');
  });

  test('cancellation stops the runner and marks every unfinished run cancelled', async () => {
    const exp = parseExperiment(JSON.stringify(EXPERIMENT));
    const store = new RunStore(path.join(tmp, 'e'));
    const controller = new AbortController();
    const runner = new FakeRunner({ onRun: (r) => r.trial > 0 && runner.requests.length === 12 && controller.abort() });
    await assert.rejects(runNeuralExperiment(exp, store, { runner, signal: controller.signal }), /cancelled/);
    assert.ok(runner.stopped >= 1);
    const runs = store.list();
    assert.equal(runs.length, 60);
    assert.ok(runs.every((r) => ['completed', 'diverged', 'cancelled'].includes(r.status)), runs.map((r) => r.status).join(','));
    assert.ok(runs.filter((r) => r.status === 'cancelled').length >= 40);
    assert.ok(runs.some((r) => r.status !== 'cancelled'));
  });
});
