// Run records and rows for the extension's unit tests.
import type { MetricRow, RunRecord, RunStatus } from '../../engine/src/store/types';

let counter = 0;

export function record(over: Partial<RunRecord> & { label?: string; batchSize?: number; status?: RunStatus } = {}): RunRecord {
  counter += 1;
  const createdAt = over.createdAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString();
  return {
    schemaVersion: 1,
    id: over.id ?? `20260101-000000-run-${String(counter).padStart(6, '0')}`,
    experiment: over.experiment ?? { name: 'nqm-critical-batch', file: '/ws/nqm.optlab.json' },
    label: over.label ?? 'SGD',
    optimizer: over.optimizer ?? 'sgd',
    ...(over.batchSize !== undefined ? { batchSize: over.batchSize } : { batchSize: 64 }),
    spec: 'spec' in over ? over.spec : { type: 'sgd' },
    config: 'config' in over ? over.config : { optimizer: { label: over.label ?? 'SGD', type: 'sgd', precondition: 0, pointer: '/optimizers/0' } },
    hyperparameters: over.hyperparameters ?? { learningRate: 0.1, precondition: 0 },
    engine: { version: '0.1.0', backend: 'float64-analytic', node: 'v20' },
    status: over.status ?? 'completed',
    createdAt,
    summary: over.summary ?? { stepsToTarget: 1000, lowerBound: 100 },
    ...(over.error && { error: over.error }),
    ...(over.endedAt && { endedAt: over.endedAt }),
  };
}

export function curve(n: number, f: (i: number) => number = (i) => 10 ** (-i / 10)): MetricRow[] {
  return Array.from({ length: n }, (_, i) => ({ step: i + 1, examples: (i + 1) * 64, loss: f(i), learningRate: 0.1 }));
}
