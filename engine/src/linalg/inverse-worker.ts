// Asynchronous K-FAC factor inversion: batches are computed on one worker thread and collected
// synchronously (Atomics.wait) a fixed number of steps later, so results never depend on timing.
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker as startWorkerThread } from '../util/start-worker';
import { LinalgError } from './errors';
import {
  executeBatch,
  headerView,
  newControlBuffer,
  packBatch,
  readMessage,
  STATUS,
  unpackResults,
  writeMessage,
  type BatchRequest,
  type InverseJob,
  type InverseResult,
} from './inverse-jobs';

export type { InverseJob } from './inverse-jobs';

export interface InverseTicket {
  /** The results in job order (Float64Array for spdInverse, SymmetricEigen for symmetricEigen); blocks until ready.
   *  Throws LinalgError when a job failed (e.g. not positive definite), Error when the worker is gone. */
  wait(): InverseResult[];
  /** True once the results are ready (wait() will not block). */
  readonly done: boolean;
}

export interface InverseServiceOptions {
  /** false computes every job inline at submit (the fallback); default: use a worker thread when possible. */
  useWorker?: boolean;
  /** wait() gives up after this long (ms); guards against a worker that died without a trace. Default 10 min. */
  timeoutMs?: number;
}

const POLL_MS = 50;

/** One lazily started, unref'd worker thread that inverts matrices in the background. */
export class InverseService {
  private worker: Worker | null = null;
  private started = false;
  private closed = false;
  private readonly control = newControlBuffer();
  private readonly useWorker: boolean;
  private readonly timeoutMs: number;

  constructor(options: InverseServiceOptions = {}) {
    this.useWorker = options.useWorker ?? true;
    this.timeoutMs = options.timeoutMs ?? 600_000;
  }

  /** True when jobs run on a worker thread (known after the first submit). */
  get threaded(): boolean {
    return this.worker !== null;
  }

  /** Copies the inputs into shared memory, hands them to the worker and returns at once. */
  submit(jobs: InverseJob[]): InverseTicket {
    if (this.closed) throw new Error('InverseService: submit after close()');
    const request = packBatch(jobs);
    const worker = this.ensureWorker();
    if (!worker) {
      executeBatch(request);
      return new Ticket(request, null);
    }
    worker.postMessage(request);
    return new Ticket(request, this);
  }

  /** Terminates the worker; tickets still pending then fail in wait(). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.markDead('InverseService was closed');
    void this.worker?.terminate();
    this.worker = null;
  }

  /** Throws if the worker is gone (called by waiting tickets between polls). */
  checkAlive(): void {
    if (Atomics.load(headerView(this.control), 0) !== 0) throw new Error(`InverseService: worker unavailable: ${readMessage(this.control)}`);
  }

  get waitTimeoutMs(): number {
    return this.timeoutMs;
  }

  private markDead(reason: string): void {
    if (Atomics.load(headerView(this.control), 0) !== 0) return;
    writeMessage(this.control, reason);
    Atomics.store(headerView(this.control), 0, 1);
  }

  private ensureWorker(): Worker | null {
    if (!this.started) {
      this.started = true;
      if (this.useWorker) this.worker = startWorker(this.control);
      if (this.worker) {
        this.worker.unref();
        this.worker.on('error', (err) => this.markDead(`worker error: ${err instanceof Error ? err.message : String(err)}`));
        this.worker.on('exit', (code) => this.markDead(`worker thread exited (code ${code})`));
      }
    }
    return this.worker;
  }
}

class Ticket implements InverseTicket {
  private results: InverseResult[] | null = null;

  constructor(
    private readonly request: BatchRequest,
    private readonly service: InverseService | null,
  ) {}

  get done(): boolean {
    return Atomics.load(headerView(this.request.buffer), 0) !== STATUS.pending;
  }

  wait(): InverseResult[] {
    if (this.results) return this.results;
    const header = headerView(this.request.buffer);
    if (this.service) {
      const deadline = Date.now() + this.service.waitTimeoutMs;
      // Short timed waits: a notify wakes us at once; the timeout only bounds how late we notice a dead worker.
      while (Atomics.load(header, 0) === STATUS.pending) {
        this.service.checkAlive();
        if (Date.now() > deadline) throw new Error(`InverseService: no result after ${this.service.waitTimeoutMs} ms`);
        Atomics.wait(header, 0, STATUS.pending, POLL_MS);
      }
    }
    const status = Atomics.load(header, 0);
    if (status === STATUS.linalgError) throw new LinalgError(readMessage(this.request.buffer));
    if (status !== STATUS.done) throw new Error(`InverseService: job failed: ${readMessage(this.request.buffer)}`);
    this.results = unpackResults(this.request);
    return this.results;
  }
}

/** The worker entry: the bundled file next to the CLI, or the TypeScript source under tsx; null if neither. */
function startWorker(control: SharedArrayBuffer): Worker | null {
  try {
    const bundled = [path.join(__dirname, 'linalg-worker.js'), path.join(__dirname, 'engine', 'linalg-worker.js')];
    return startWorkerThread(bundled, path.join(__dirname, 'inverse-worker-thread.ts'), { workerData: { control } });
  } catch {
    return null;
  }
}
