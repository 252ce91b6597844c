// Several seeds per trial and failed trials, through the sweep with an injected TrialRunner (no
// training): each seed picks its own best grid point, the seeds feed a bootstrap interval for B_crit;
// a cell with a failed trial is marked incomplete (which trials, why), left out of the fit, shown
// in the CLI table, and makes `optlab run` exit with 3.
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
import type { TrialHooks, TrialRequest, TrialResultOrFailure, TrialRunner } from '../../../engine/src/sweep/pool';
import { planSweep } from '../../../engine/src/sweep/plan';
import { runNeuralExperiment } from '../../../engine/src/problems/supervised/run';
import { EXIT_TRIALS_FAILED, exitCodeOf, resultText } from '../../../engine/src/cli/commands/run';
import type { TrainResult } from '../../../engine/src/train/types';

const INFO: BackendInfo = { backend: 'fake', description: 'fake', device: { kind: 'CPU', name: 'none' }, versions: {}, dataset: 'd', model: 'm', parameters: 1, loadMs: 0 };
const LRS = logspace(-2, 0, 5);

/** A seed's multiplicative noise at (lr, B): deterministic, about +-15%. */
function noise(seed: number, lr: number, batchSize: number): number {
  const h = Math.sin(seed * 12.9898 + batchSize * 78.233 + lr * 37.719) * 43758.5453;
  return Math.exp(0.3 * (h - Math.floor(h) - 0.5));
}

/** S(B) = 100 (1 + Bc/B) at lr* = 0.01 B, worse away from it; lr > 2 lr* diverges. Bc = 64 SGD, 256 Adam. */
function fakeSteps(type: string, lr: number, batchSize: number, seed: number): number | 'diverged' {
  const best = Math.min(1, 0.01 * batchSize);
  if (lr > 2 * best) return 'diverged';
  const bc = type === 'adam' ? 256 : 64;
  return Math.round(100 * (1 + bc / batchSize) * (1 + 2 * Math.abs(Math.log10(lr / best))) * noise(seed, lr, batchSize));
}

/** Runs trials instantly from fakeSteps; `fail(request)` returns a message for trials that fail. */
class FakeRunner implements TrialRunner {
  readonly capacity = 2;
  requests: TrialRequest[] = [];
  constructor(private readonly fail: (r: TrialRequest) => string | null = () => null) {}
  start(_setup: WorkerSetup): Promise<BackendInfo> {
    return Promise.resolve(INFO);
  }
  async run(request: TrialRequest, hooks: TrialHooks): Promise<TrialResultOrFailure> {
    this.requests.push(request);
    await new Promise((r) => setTimeout(r, 1));
    const why = this.fail(request);
    if (why !== null) return { ok: false, message: why };
    const spec = request.optimizerSpec as { type: string; learningRate: number };
    const s = fakeSteps(spec.type, spec.learningRate, request.batchSize, request.seed ?? 0);
    const base = { examples: 0, wallTime: 0.01, finalLoss: 0.1, targetValue: 0.9, lastEvaluation: 0.5, bestEvaluation: 0.5, evaluations: 3, divergeAbove: 23 };
    let result: TrainResult;
    if (s === 'diverged') result = { ...base, status: 'diverged', stepsToTarget: null, steps: 3, finalLoss: NaN, stoppedByLimit: false, divergence: 'loss NaN at step 3' };
    else if (s > request.stepLimit) result = { ...base, status: 'budget', stepsToTarget: null, steps: request.stepLimit, stoppedByLimit: true };
    else result = { ...base, status: 'reached', stepsToTarget: s, steps: s, stoppedByLimit: false };
    hooks.onMetrics([{ step: result.steps, examples: result.steps * request.batchSize, wallTime: 0.01, loss: 0.5 }]);
    return { ok: true, result };
  }
  setLimit(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

const BASE = {
  name: 'seeds-sweep',
  problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 4, trainSize: 64, testSize: 32 }, model: { type: 'mlp', widths: [8] } },
  target: { metric: 'testAccuracy', value: 0.9, evalEvery: 1 },
  budget: { maxSteps: 100000 },
  batchSizes: [8, 32, 128, 512, 2048],
  optimizers: [
    { type: 'sgd', learningRate: { logspace: [-2, 0, 5] } },
    { type: 'adam', learningRate: { logspace: [-2, 0, 5] } },
  ],
};

/** A seed's best steps at a batch size, computed directly (fewest steps over the grid). */
function seedBest(type: string, batchSize: number, seed: number): number | null {
  let best: number | null = null;
  for (const lr of LRS) {
    const s = fakeSteps(type, lr, batchSize, seed);
    if (s !== 'diverged' && (best === null || s < best)) best = s;
  }
  return best;
}

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-seeds-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('seeds: every trial once per seed', () => {
  test('"seeds": 3 from "seed": 5 runs seeds 5, 6, 7; each seed its own best; a bootstrap interval over the seeds', async () => {
    const exp = parseExperiment(JSON.stringify({ ...BASE, seed: 5, seeds: 3 }));
    assert.deepEqual(exp.seeds, [5, 6, 7]);
    const plan = planSweep(exp);
    assert.equal(plan.trials.length, 2 * 5 * 5 * 3);
    assert.ok(plan.trials.every((t) => t.label.endsWith(` seed=${t.seed}`)));
    const runner = new FakeRunner();
    const store = new RunStore(path.join(tmp, 'a'));
    const result = await runNeuralExperiment(exp, store, { runner, prediction: false });
    assert.deepEqual([...new Set(runner.requests.map((r) => r.seed))].sort(), [5, 6, 7], 'each trial request carries its seed to the worker');
    for (const report of result.criticalBatchSize) {
      for (const p of report.points) {
        const expected = [5, 6, 7].map((seed) => seedBest(report.type, p.batchSize, seed));
        assert.deepEqual(p.seedSteps, expected, `${report.optimizer} B=${p.batchSize}`);
        const geo = Math.exp(expected.reduce((a: number, s) => a + Math.log(s as number), 0) / 3);
        assert.ok(Math.abs(p.steps! - geo) < 1e-9);
      }
      assert.equal(report.bCritIntervalMethod?.method, 'bootstrap-seeds');
      assert.equal(report.bCritIntervalMethod?.seeds, 3);
      const [lo, hi] = report.bCritInterval!;
      assert.ok(lo! <= report.bCrit! && report.bCrit! <= hi!, `${report.optimizer}: ${lo} ${report.bCrit} ${hi}`);
    }
    // The store records each trial's and each seed cell's own seed.
    const seeds = store.list().map((r) => (r.config as { seed: number }).seed);
    assert.deepEqual([...new Set(seeds)].sort(), [5, 6, 7]);
    assert.match(resultText(result, findingsFor(exp, result)), /95% \[[^\]]+\] \(bootstrap over 3 seeds\)/);
  });

  test('a list of seeds is used as written; one seed gives the profile-likelihood interval', async () => {
    assert.deepEqual(parseExperiment(JSON.stringify({ ...BASE, seeds: [3, 11] })).seeds, [3, 11]);
    const one = await runNeuralExperiment(parseExperiment(JSON.stringify(BASE)), new RunStore(path.join(tmp, 'b')), { runner: new FakeRunner(), prediction: false });
    for (const r of one.criticalBatchSize) {
      assert.equal(r.bCritIntervalMethod?.method, 'profile-likelihood');
      assert.ok(r.points.every((p) => p.seedSteps === undefined));
    }
  });

  test('invalid seeds are clear errors naming /seeds (or /seed)', () => {
    const err = (extra: Record<string, unknown>, base: Record<string, unknown> = BASE) => {
      try {
        parseExperiment(JSON.stringify({ ...base, ...extra }));
      } catch (e) {
        assert.ok(e instanceof ExperimentError, String(e));
        return e.message;
      }
      assert.fail(`accepted ${JSON.stringify(extra)}`);
    };
    assert.match(err({ seeds: 0 }), /\/seeds.*must be >= 1, got 0/);
    assert.match(err({ seeds: 65 }), /\/seeds.*must be <= 64, got 65/);
    assert.match(err({ seeds: 2.5 }), /\/seeds.*expected integer or array/);
    assert.match(err({ seeds: [1, 2, 1] }), /\/seeds.*duplicate/);
    assert.match(err({ seeds: [] }), /\/seeds.*must not be empty/);
    assert.match(err({ seeds: [1, 2], seed: 4 }), /\/seed.*either 'seed' or a list of 'seeds'/);
    const nqm = { name: 'n', problem: { type: 'nqm', dim: 10 }, target: { metric: 'loss', value: 0.1 }, batchSizes: [1, 2], optimizers: [{ type: 'sgd' }] };
    assert.match(err({ seeds: 3 }, nqm), /'seeds' applies only to neural problems/);
    assert.match(err({ seeds: 1000, optimizers: [{ type: 'sgd', learningRate: { logspace: [-2, 0, 10] } }] }), /\/seeds.*<= 64/);
  });
});

describe('failed trials: incomplete cells', () => {
  test('a trial whose worker died marks its cell incomplete (which trial, why), the fit leaves it out, the CLI says so and exits 3', async () => {
    const exp = parseExperiment(JSON.stringify(BASE));
    // Adam at B=32: the trial at lr = 0.316 (the cell's best) fails.
    const runner = new FakeRunner((r) => ((r.optimizerSpec as { type: string }).type === 'adam' && r.batchSize === 32 && Math.abs((r.optimizerSpec as { learningRate: number }).learningRate - 0.316) < 1e-3 ? 'the trial worker process died (signal SIGKILL)' : null));
    const result = await runNeuralExperiment(exp, new RunStore(path.join(tmp, 'c')), { runner, prediction: false });
    const [sgd, adam] = result.criticalBatchSize;
    assert.deepEqual(sgd.incompleteBatchSizes, []);
    assert.deepEqual(adam.incompleteBatchSizes, [32]);
    const row = adam.points.find((p) => p.batchSize === 32)!;
    assert.deepEqual(row.incomplete, { failed: [{ label: 'Adam B=32 lr=0.316', status: 'failed', message: 'the trial worker process died (signal SIGKILL)' }], trials: 5 });
    assert.equal(adam.status, 'partial');
    assert.match(adam.warnings[0], /incomplete cells left out of the fit.*B=32 \(1 of 5 trials failed: the trial worker process died/);
    // The finding that rests on Adam is inconclusive, not decided.
    const finding = findingsFor(exp, result).find((f) => /exceeds SGD's/.test(f.claim))!;
    assert.equal(finding.holds, null);
    assert.match(finding.inconclusive!, /Adam has incomplete cells \(trials failed at B=32\)/);
    assert.equal(exitCodeOf(result), EXIT_TRIALS_FAILED);
    assert.equal(EXIT_TRIALS_FAILED, 3);
    const text = resultText(result, findingsFor(exp, result));
    assert.match(text, /32\s+incomplete: 1\/5 trials failed \(best of the rest \d+\)/);
    assert.match(text, /INCOMPLETE: 1 of 50 trials failed .*exit code 3/);
    assert.match(text, /Adam B=32 lr=0.316: failed \(the trial worker process died/);
    assert.match(text, /\[inconclusive\] Adam's critical batch size exceeds SGD's/);
  });

  test('a diverged or unreached trial is a result, not a failure: exit 0, nothing incomplete', async () => {
    const result = await runNeuralExperiment(parseExperiment(JSON.stringify(BASE)), new RunStore(path.join(tmp, 'd')), { runner: new FakeRunner(), prediction: false });
    assert.ok(result.trials!.some((t) => t.status === 'diverged'));
    assert.equal(exitCodeOf(result), 0);
    assert.ok(result.criticalBatchSize.every((r) => r.incompleteBatchSizes.length === 0 && r.points.every((p) => p.incomplete === undefined)));
  });

  test('every trial failing: the table says failed, never just "not reached"; no fit; exit 3', async () => {
    const result = await runNeuralExperiment(parseExperiment(JSON.stringify(BASE)), new RunStore(path.join(tmp, 'e')), { runner: new FakeRunner(() => 'ENOSPC: no space left on device'), prediction: false });
    for (const r of result.criticalBatchSize) {
      assert.equal(r.status, 'error');
      assert.match(r.error!, /every batch size is incomplete/);
      assert.ok(r.points.every((p) => p.incomplete?.failed.length === 5));
    }
    const text = resultText(result, []);
    assert.doesNotMatch(text, /not reached/);
    assert.match(text, /incomplete: 5\/5 trials failed/);
    assert.match(text, /INCOMPLETE: 50 of 50 trials failed/);
    assert.equal(exitCodeOf(result), 3);
  });
});

describe('--resume with several seeds', () => {
  test('a trial is matched by its own seed: the finished seed is kept, the failed seed runs again with its seed, and the report equals a clean run', async () => {
    const file = path.join(tmp, 'resume-seeds.optlab.json');
    const json = { ...BASE, batchSizes: [8, 128, 2048], optimizers: [BASE.optimizers[0]], seeds: [2, 9] };
    fs.writeFileSync(file, JSON.stringify(json));
    const exp = parseExperiment(JSON.stringify(json), file);
    const clean = await runNeuralExperiment(exp, new RunStore(path.join(tmp, 'r-clean')), { runner: new FakeRunner(), prediction: false });
    const store = new RunStore(path.join(tmp, 'r'));
    // The first session loses every trial of seed 9 (a dead worker).
    await runNeuralExperiment(exp, store, { runner: new FakeRunner((r) => (r.seed === 9 ? 'worker exited' : null)), prediction: false });
    const again = new FakeRunner();
    const resumed = await runNeuralExperiment(exp, store, { runner: again, prediction: false, resume: true });
    // Seed 2's trials were kept; only seed 9's ran again, each with seed 9 (a key without the seed would keep them or mix them up).
    assert.ok(again.requests.length > 0);
    assert.deepEqual([...new Set(again.requests.map((r) => r.seed))], [9]);
    const points = (r: typeof clean) => r.criticalBatchSize.map((c) => c.points.map((p) => [p.batchSize, p.steps, p.seedSteps]));
    assert.deepEqual(points(resumed), points(clean));
    assert.equal(exitCodeOf(resumed), 0);
  });
});
