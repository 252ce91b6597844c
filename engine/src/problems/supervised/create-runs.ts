// The runs of a sweep, all created (queued) before any trial starts: one per trial, then one per
// cell (newer, so they are what "latest result" finds), each recording the problem as the workers
// built it and the backend they computed on. A queued run holds no open file (its metrics file opens
// at the first row) and records its owner process, so a crash leaves no run queued for good. A
// resumed sweep keeps the earlier runs of finished trials instead of creating new ones.
import type { ResolvedExperiment } from '../../experiment/types';
import { StoreError, type RunInit, type RunStore, type RunWriter } from '../../store';
import type { BackendInfo } from '../../sweep/messages';
import type { SweepPlan } from '../../sweep/plan';
import { ENGINE_VERSION } from '../../version';
import type { RunOptions } from '../types';
import { resultFromSummary, type PreviousTrial } from './resume';
import type { CellState, TrialState } from './sweep-state';

export function createRuns(
  exp: ResolvedExperiment,
  plan: SweepPlan,
  info: BackendInfo,
  store: RunStore,
  options: RunOptions,
  previous: ReadonlyMap<number, PreviousTrial> = new Map(),
): { trials: TrialState[]; cells: CellState[] } {
  const rawOptimizers = (exp.raw as { optimizers?: unknown[] })?.optimizers ?? [];
  const specOf = (pointer: string) => rawOptimizers[Number(pointer.split('/').pop())] ?? null;
  const backendRecord = { backend: info.backend, device: info.device, versions: info.versions, description: info.description };
  const problemRecord = { ...exp.problem, dataset: info.dataset, modelName: info.model, parameters: info.parameters };
  const made: RunWriter[] = [];
  const create = (init: RunInit): RunWriter => {
    const w = store.create(init);
    made.push(w);
    return w;
  };
  try {
    return createAll();
  } catch (err) {
    // A store that fails part-way (full disk, too many files): the runs made so far are failed, not left queued.
    for (const w of made) {
      try {
        w.setStatus('failed', { error: { message: err instanceof Error ? err.message : String(err), where: err instanceof StoreError && err.path !== undefined ? err.path : exp.file } });
      } catch {
        // the same store failure; readers see the run crashed once this process ends
      }
      try {
        w.close();
      } catch {
        // idem
      }
    }
    throw err;
  }

  function createAll(): { trials: TrialState[]; cells: CellState[] } {
    const trials: TrialState[] = plan.trials.map((t, ti) => {
      const cell = plan.cells[t.cell];
      const before = previous.get(ti);
      if (before?.kind === 'reuse') return { writer: store.open(before.record.id), status: before.record.status, result: resultFromSummary(before.record), reused: true };
      const writer = create({
        experiment: { name: exp.name, file: exp.file },
        label: t.label,
        optimizer: cell.optimizer.type,
        spec: specOf(cell.optimizer.pointer),
        config: { kind: 'trial', problem: problemRecord, target: exp.target, budget: exp.budget, seed: t.seed, optimizer: cell.optimizer, optimizerSpec: t.optimizerSpec, batchSize: t.batchSize, trialOf: { label: cell.optimizer.label, batchSize: t.batchSize, gridIndex: t.gridIndex }, backend: backendRecord, ...(before && { resumes: { run: before.record.id, ...(before.kind === 'checkpoint' && { fromStep: before.step }) } }) },
        hyperparameters: { ...t.hyperparameters, batchSize: t.batchSize },
        engine: { version: ENGINE_VERSION, backend: info.backend },
        status: 'queued',
      });
      return { writer, status: 'queued', ...(before?.kind === 'checkpoint' && { resumeFrom: { run: before.record, step: before.step } }) };
    });
    const cells: CellState[] = plan.cells.map((c) => ({
      writer: create({
        experiment: { name: exp.name, file: exp.file },
        label: c.optimizer.label,
        optimizer: c.optimizer.type,
        batchSize: c.batchSize,
        spec: specOf(c.optimizer.pointer),
        config: { kind: 'best-of-grid', problem: problemRecord, target: exp.target, budget: exp.budget, seed: c.seed, optimizer: c.optimizer, batchSize: c.batchSize, grid: c.optimizer.grids, backend: backendRecord },
        engine: { version: ENGINE_VERSION, backend: info.backend },
        status: 'queued',
      }),
      started: false,
      finished: 0,
      incumbent: null,
    }));
    options.onRunsCreated?.([
      ...cells.map((c, i) => ({ id: c.writer.id, label: plan.cells[i].optimizer.label, optimizer: plan.cells[i].optimizer.type, batchSize: plan.cells[i].batchSize })),
      ...(trials.map((t, i) => (t.reused ? undefined : { id: t.writer.id, label: plan.trials[i].label, optimizer: plan.cells[plan.trials[i].cell].optimizer.type })).filter((r) => r !== undefined) as { id: string; label: string; optimizer: string; batchSize: number }[]),
    ]);
    return { trials, cells };
  }
}
