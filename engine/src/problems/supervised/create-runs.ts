// The runs of a sweep, all created (queued) before any trial starts: one per trial, then one per
// cell (newer, so they are what "latest result" finds), each recording the problem as the workers
// built it and the backend they computed on.
import type { ResolvedExperiment } from '../../experiment/types';
import type { RunStore } from '../../store';
import type { BackendInfo } from '../../sweep/messages';
import type { SweepPlan } from '../../sweep/plan';
import { ENGINE_VERSION } from '../../version';
import type { RunOptions } from '../types';
import type { CellState, TrialState } from './sweep-state';

export function createRuns(exp: ResolvedExperiment, plan: SweepPlan, info: BackendInfo, store: RunStore, options: RunOptions): { trials: TrialState[]; cells: CellState[] } {
  const rawOptimizers = (exp.raw as { optimizers?: unknown[] })?.optimizers ?? [];
  const specOf = (pointer: string) => rawOptimizers[Number(pointer.split('/').pop())] ?? null;
  const backendRecord = { backend: info.backend, device: info.device, versions: info.versions, description: info.description };
  const problemRecord = { ...exp.problem, dataset: info.dataset, modelName: info.model, parameters: info.parameters };
  const trials: TrialState[] = plan.trials.map((t) => {
    const cell = plan.cells[t.cell];
    const writer = store.create({
      experiment: { name: exp.name, file: exp.file },
      label: t.label,
      optimizer: cell.optimizer.type,
      spec: specOf(cell.optimizer.pointer),
      config: { kind: 'trial', problem: problemRecord, target: exp.target, budget: exp.budget, seed: t.seed, optimizer: cell.optimizer, optimizerSpec: t.optimizerSpec, batchSize: t.batchSize, trialOf: { label: cell.optimizer.label, batchSize: t.batchSize, gridIndex: t.gridIndex }, backend: backendRecord },
      hyperparameters: { ...t.hyperparameters, batchSize: t.batchSize },
      engine: { version: ENGINE_VERSION, backend: info.backend },
      status: 'queued',
    });
    return { writer, status: 'queued' };
  });
  const cells: CellState[] = plan.cells.map((c) => ({
    writer: store.create({
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
    ...trials.map((t, i) => ({ id: t.writer.id, label: plan.trials[i].label, optimizer: plan.cells[plan.trials[i].cell].optimizer.type })) as { id: string; label: string; optimizer: string; batchSize: number }[],
  ]);
  return { trials, cells };
}
