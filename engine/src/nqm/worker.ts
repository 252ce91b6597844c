// Worker thread: optimizes one (optimizer family, preconditioning power, batch size) grid.
import { parentPort } from 'node:worker_threads';
import { solveGridTask, type GridTask, type GridTaskResult } from './parallel';

parentPort?.on('message', (task: GridTask) => {
  try {
    const reply: GridTaskResult = { id: task.id, result: solveGridTask(task) };
    parentPort!.postMessage(reply);
  } catch (err) {
    const reply: GridTaskResult = { id: task.id, error: err instanceof Error ? err.message : String(err) };
    parentPort!.postMessage(reply);
  }
});
