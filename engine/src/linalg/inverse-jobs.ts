// The work an InverseService does, and how a batch of jobs is laid out in one SharedArrayBuffer.
// Used by both sides (main thread and worker) so the layout is defined once.
import { addDiagonal } from './basic';
import { spdInverse } from './cholesky';
import { symmetricEigen, type SymmetricEigen } from './eigen';
import { LinalgError } from './errors';

export interface InverseJob {
  kind: 'spdInverse' | 'symmetricEigen';
  /** Row-major n x n; copied at submit, never modified. */
  matrix: Float64Array;
  n: number;
  /** Added to the diagonal before the decomposition (spdInverse of a + damping I). */
  damping?: number;
}

export type InverseResult = Float64Array | SymmetricEigen;

/** Computes one job in this thread: what the worker runs, and the synchronous fallback. */
export function runInverseJob(kind: InverseJob['kind'], matrix: Float64Array, n: number, damping: number | undefined): InverseResult {
  const a = damping ? addDiagonal(matrix, n, damping) : matrix;
  if (kind === 'spdInverse') return spdInverse(a, n);
  if (kind === 'symmetricEigen') return symmetricEigen(a, n);
  throw new LinalgError(`InverseService: unknown job kind '${String(kind)}'`);
}

// Batch buffer: Int32 header [status, message byte length], message bytes, then Float64 slots.
export const STATUS = { pending: 0, done: 1, linalgError: 2, otherError: 3 } as const;
const MESSAGE_BYTES = 1024;
const HEADER_BYTES = 8 + MESSAGE_BYTES;

/** Where one job's input and output live in the batch buffer, in Float64 elements from `dataOffset`. */
export interface JobSlot {
  kind: InverseJob['kind'];
  n: number;
  damping: number | undefined;
  input: number;
  output: number;
}

export interface BatchRequest {
  buffer: SharedArrayBuffer;
  slots: JobSlot[];
}

function outputLength(kind: InverseJob['kind'], n: number): number {
  return kind === 'symmetricEigen' ? n + n * n : n * n;
}

/** Validates the jobs and copies them into a fresh shared buffer. */
export function packBatch(jobs: InverseJob[]): BatchRequest {
  const slots: JobSlot[] = [];
  let cursor = 0;
  for (const [i, job] of jobs.entries()) {
    const { kind, matrix, n } = job;
    if (kind !== 'spdInverse' && kind !== 'symmetricEigen') throw new LinalgError(`InverseService: job ${i} has unknown kind '${String(kind)}'`);
    if (!Number.isInteger(n) || n < 0 || !(matrix instanceof Float64Array) || matrix.length !== n * n) {
      throw new LinalgError(`InverseService: job ${i} needs a Float64Array of ${n} x ${n} entries`);
    }
    const input = cursor;
    cursor += n * n;
    slots.push({ kind, n, damping: job.damping, input, output: cursor });
    cursor += outputLength(kind, n);
  }
  const buffer = new SharedArrayBuffer(HEADER_BYTES + 8 * cursor);
  const data = dataView(buffer);
  jobs.forEach((job, i) => data.set(job.matrix, slots[i].input));
  return { buffer, slots };
}

export function headerView(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer, 0, 2);
}

function dataView(buffer: SharedArrayBuffer): Float64Array {
  return new Float64Array(buffer, HEADER_BYTES);
}

/** Runs every job of a batch, writes the outputs and publishes the status (waking a waiting thread). */
export function executeBatch(request: BatchRequest): void {
  const header = headerView(request.buffer);
  const data = dataView(request.buffer);
  let status: number = STATUS.done;
  try {
    for (const slot of request.slots) {
      // A private copy: arithmetic on shared memory is slower and the input must stay untouched.
      const matrix = data.slice(slot.input, slot.input + slot.n * slot.n);
      const result = runInverseJob(slot.kind, matrix, slot.n, slot.damping);
      if (result instanceof Float64Array) {
        data.set(result, slot.output);
      } else {
        data.set(result.values, slot.output);
        data.set(result.vectors, slot.output + slot.n);
      }
    }
  } catch (err) {
    status = err instanceof LinalgError ? STATUS.linalgError : STATUS.otherError;
    writeMessage(request.buffer, err instanceof Error ? err.message : String(err));
  }
  Atomics.store(header, 0, status);
  Atomics.notify(header, 0);
}

/** Copies the outputs out of shared memory (plain arrays: some consumers reject shared buffers). */
export function unpackResults(request: BatchRequest): InverseResult[] {
  const data = dataView(request.buffer);
  return request.slots.map((slot) => {
    const nn = slot.n * slot.n;
    if (slot.kind === 'spdInverse') return data.slice(slot.output, slot.output + nn);
    return { values: data.slice(slot.output, slot.output + slot.n), vectors: data.slice(slot.output + slot.n, slot.output + slot.n + nn) };
  });
}

export function writeMessage(buffer: SharedArrayBuffer, message: string): void {
  const bytes = new TextEncoder().encode(message).subarray(0, MESSAGE_BYTES);
  new Uint8Array(buffer, 8, MESSAGE_BYTES).set(bytes);
  Atomics.store(headerView(buffer), 1, bytes.length);
}

export function readMessage(buffer: SharedArrayBuffer): string {
  const length = Atomics.load(headerView(buffer), 1);
  // TextDecoder refuses views on shared memory, so copy the bytes first.
  return new TextDecoder().decode(new Uint8Array(buffer, 8, length).slice());
}

/** A buffer that carries only a header: the service-wide "worker is gone" flag and its reason. */
export function newControlBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES);
}
