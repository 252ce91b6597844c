// Runs NQM grid searches on a pool of worker threads (one per core by default): each
// (optimizer, batch size) grid is an independent task.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/start-worker';
import { buildProblem } from './model';
import { optimizeBatch } from './search';
import type { NqmBatchResult, NqmFamily, NqmGrid, NqmSpec } from './types';

export interface GridTask {
  id: number;
  spec: NqmSpec;
  family: NqmFamily;
  precondition: number;
  batchSize: number;
  grid: NqmGrid;
}

export interface GridTaskResult {
  id: number;
  result?: NqmBatchResult;
  error?: string;
}

/** Solves one task (in a worker or, without workers, in this thread). */
export function solveGridTask(task: GridTask): NqmBatchResult {
  const { index: _index, ...result } = optimizeBatch(buildProblem(task.spec), task.family, task.precondition, task.batchSize, task.grid);
  return result;
}

/** The worker entry: the bundled file next to the CLI, or the TypeScript source under tsx. */
const nqmWorker = (): Worker | null => startWorker([path.join(__dirname, 'nqm-worker.js')], path.join(__dirname, 'worker.ts'));

export interface PoolOptions {
  workers?: number;
  onResult?: (task: GridTask, result: NqmBatchResult) => void;
  signal?: AbortSignal;
}

/** Solves every task, in parallel when more than one worker is allowed. Results keep task order. */
export async function solveGridTasks(tasks: GridTask[], options: PoolOptions = {}): Promise<NqmBatchResult[]> {
  const wanted = Math.max(1, Math.min(options.workers ?? availableParallelism(), tasks.length));
  const first = wanted > 1 ? nqmWorker() : null;
  const results = new Array<NqmBatchResult>(tasks.length);
  if (!first) {
    for (let i = 0; i < tasks.length; i++) {
      if (options.signal?.aborted) throw new Error('cancelled');
      const r = solveGridTask(tasks[i]);
      results[i] = r;
      options.onResult?.(tasks[i], r);
      await new Promise((resolve) => setImmediate(resolve)); // let progress and cancellation through
    }
    return results;
  }
  const byId = new Map(tasks.map((t, i) => [t.id, i]));
  let next = 0;
  const workers: Worker[] = [];
  let abort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let pending = tasks.length;
      abort = () => reject(new Error('cancelled'));
      options.signal?.addEventListener('abort', abort, { once: true });
      const feed = (w: Worker) => {
        if (next < tasks.length) w.postMessage(tasks[next++]);
      };
      for (let i = 0; i < wanted; i++) {
        const w = i === 0 ? first : nqmWorker()!;
        workers.push(w);
        w.on('message', (msg: GridTaskResult) => {
          const i = byId.get(msg.id)!;
          if (msg.error !== undefined || !msg.result) {
            reject(new Error(`NQM grid search failed (batch size ${tasks[i].batchSize}): ${msg.error}`));
            return;
          }
          results[i] = msg.result;
          try {
            options.onResult?.(tasks[i], msg.result);
          } catch (err) {
            // Thrown inside a worker's message handler it would be an uncaught exception.
            reject(err);
            return;
          }
          pending -= 1;
          if (pending === 0) resolve();
          else feed(w);
        });
        w.on('error', (err) => reject(err));
        feed(w);
      }
    });
  } finally {
    if (abort) options.signal?.removeEventListener('abort', abort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
