// Worker thread: optimizes one (optimizer family, preconditioning power, batch size) grid.
import { parentPort } from 'node:worker_threads';
import { buildProblem } from './model';
import { optimizeBatch } from './search';
import type { GridTask, GridTaskResult } from './parallel';

parentPort?.on('message', (task: GridTask) => {
  try {
    const problem = buildProblem(task.spec);
    const { index: _index, ...result } = optimizeBatch(problem, task.family, task.precondition, task.batchSize, task.grid);
    const reply: GridTaskResult = { id: task.id, result };
    parentPort!.postMessage(reply);
  } catch (err) {
    const reply: GridTaskResult = { id: task.id, error: err instanceof Error ? err.message : String(err) };
    parentPort!.postMessage(reply);
  }
});
