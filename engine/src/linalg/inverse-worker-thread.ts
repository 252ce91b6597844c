// Worker thread of InverseService: computes batches of inversions/eigendecompositions into shared memory.
import { parentPort, workerData } from 'node:worker_threads';
import { executeBatch, headerView, writeMessage, type BatchRequest } from './inverse-jobs';

const control = (workerData as { control: SharedArrayBuffer }).control;

// A main thread blocked in Atomics.wait cannot see the 'exit' event, so raise the flag from here.
process.on('exit', (code) => {
  writeMessage(control, `worker thread exited (code ${code})`);
  Atomics.store(headerView(control), 0, 1);
});

parentPort?.on('message', (request: BatchRequest) => executeBatch(request));
