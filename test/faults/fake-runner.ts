// A trial runner without training, for the fault tests: each trial streams `rows` metric rows in a
// few batches (as a worker does) and reaches the target after a number of steps given by its
// learning rate and batch size. Deterministic, so two sweeps give the same report.
import type { BackendInfo, WorkerSetup } from '../../engine/src/sweep/messages';
import type { TrialHooks, TrialRequest, TrialResultOrFailure, TrialRunner } from '../../engine/src/sweep/pool';
import type { TrainResult } from '../../engine/src/train/types';

export const FAKE_INFO: BackendInfo = { backend: 'fake', description: 'fake (no device)', device: { kind: 'CPU', name: 'none' }, versions: {}, dataset: 'd', model: 'm', parameters: 1, loadMs: 0 };

export function fakeSteps(lr: number, batchSize: number): number {
  const best = Math.min(1, 0.01 * batchSize);
  return Math.round(20 * (1 + 64 / batchSize) * (1 + 2 * Math.abs(Math.log10(lr / best))));
}

export class FakeRunner implements TrialRunner {
  readonly capacity: number;
  stops = 0;
  private stopped = false;
  constructor(private readonly opts: { capacity?: number; batches?: number } = {}) {
    this.capacity = opts.capacity ?? 2;
  }

  start(_setup: WorkerSetup): Promise<BackendInfo> {
    return Promise.resolve(FAKE_INFO);
  }

  async run(request: TrialRequest, hooks: TrialHooks): Promise<TrialResultOrFailure> {
    const lr = (request.optimizerSpec as { learningRate: number }).learningRate;
    const steps = Math.min(fakeSteps(lr, request.batchSize), Math.max(0, request.stepLimit));
    const batches = this.opts.batches ?? 3;
    let step = 0;
    for (let b = 0; b < batches; b++) {
      await new Promise((r) => setTimeout(r, 1));
      if (this.stopped) return { ok: false, message: 'cancelled' };
      const rows = [];
      const until = Math.round(((b + 1) * steps) / batches);
      for (; step < until; step++) rows.push({ step: step + 1, examples: (step + 1) * request.batchSize, loss: 1 / (step + 1) });
      if (rows.length) hooks.onMetrics(rows);
    }
    const reached = steps === fakeSteps(lr, request.batchSize);
    const base = { examples: steps * request.batchSize, wallTime: 0.01, finalLoss: 1 / Math.max(1, steps), targetValue: 0.9, lastEvaluation: 0.9, bestEvaluation: 0.9, evaluations: 1, divergeAbove: 10 };
    const result: TrainResult = reached
      ? { ...base, status: 'reached', stepsToTarget: steps, steps, stoppedByLimit: false }
      : { ...base, status: 'budget', stepsToTarget: null, steps, stoppedByLimit: true };
    return { ok: true, result };
  }

  setLimit(): void {}

  stop(): Promise<void> {
    this.stops++;
    this.stopped = true;
    return Promise.resolve();
  }
}
