// InverseService: results computed on the worker thread are bit-identical to the synchronous
// functions, several tickets can be in flight, failures surface in wait(), close() and a dead
// worker give clear errors, and the inline fallback behaves the same.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { addDiagonal, InverseService, LinalgError, spdInverse, symmetricEigen, type SymmetricEigen } from '../../../engine/src/linalg/index.js';
import { kfacFactor, withEigenvalues } from './helpers.js';

const A = kfacFactor(48, 16, 0, 31); // singular without damping
const B = withEigenvalues(Array.from({ length: 33 }, (_, i) => i - 10), 32);
const DAMPING = 1e-2;

function sameBits(got: Float64Array, want: Float64Array): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`entry ${i}: ${got[i]} !== ${want[i]}`);
}

function checkResults(results: Array<Float64Array | SymmetricEigen>): void {
  assert.equal(results.length, 2);
  sameBits(results[0] as Float64Array, spdInverse(addDiagonal(A, 48, DAMPING), 48));
  const eig = results[1] as SymmetricEigen;
  const want = symmetricEigen(B, 33);
  sameBits(eig.values, want.values);
  sameBits(eig.vectors, want.vectors);
}

const jobs = () => [
  { kind: 'spdInverse' as const, matrix: A, n: 48, damping: DAMPING },
  { kind: 'symmetricEigen' as const, matrix: B, n: 33 },
];

describe('InverseService on a worker thread', () => {
  const service = new InverseService();
  after(() => service.close());

  test('bit-identical to the synchronous functions; inputs copied at submit', () => {
    const input = A.slice();
    const ticket = service.submit([{ kind: 'spdInverse', matrix: input, n: 48, damping: DAMPING }, jobs()[1]]);
    input.fill(7); // must not affect the submitted job
    assert.ok(service.threaded);
    const results = ticket.wait();
    assert.ok(ticket.done);
    checkResults(results);
    assert.equal(ticket.wait(), results, 'a second wait returns the same results');
  });

  test('several tickets in flight, collected out of order', () => {
    const tickets = [service.submit(jobs()), service.submit([jobs()[1]]), service.submit(jobs())];
    checkResults(tickets[2].wait());
    assert.ok(tickets[0].done && tickets[1].done, 'the worker runs batches in submission order');
    checkResults(tickets[0].wait());
    sameBits((tickets[1].wait()[0] as SymmetricEigen).values, symmetricEigen(B, 33).values);
  });

  test('a failing job surfaces as LinalgError in wait(), and the service keeps working', () => {
    const bad = service.submit([{ kind: 'spdInverse', matrix: A, n: 48 }]);
    assert.throws(() => bad.wait(), (err: unknown) => err instanceof LinalgError && /not positive definite \(pivot \d+/.test(err.message));
    checkResults(service.submit(jobs()).wait());
  });

  test('bad jobs are rejected at submit', () => {
    assert.throws(() => service.submit([{ kind: 'spdInverse', matrix: new Float64Array(5), n: 2 }]), LinalgError);
  });
});

describe('InverseService lifecycle', () => {
  test('close(): pending tickets resolve or fail clearly, later submits throw', () => {
    const service = new InverseService();
    const ticket = service.submit(jobs());
    service.close();
    try {
      checkResults(ticket.wait()); // finished before the close
    } catch (err) {
      assert.match(String(err), /closed/);
    }
    assert.throws(() => service.submit(jobs()), /after close/);
  });

  test('a worker that dies gives a clear error instead of a hang', async () => {
    const service = new InverseService();
    checkResults(service.submit(jobs()).wait());
    await (service as unknown as { worker: Worker }).worker.terminate();
    await new Promise((resolve) => setImmediate(resolve)); // deliver the 'exit' event
    assert.throws(() => service.submit(jobs()).wait(), /InverseService: worker unavailable: worker thread exited/);
    service.close();
  });

  test('inline fallback: same API and identical results, computed at submit', () => {
    const service = new InverseService({ useWorker: false });
    const ticket = service.submit(jobs());
    assert.equal(service.threaded, false);
    assert.ok(ticket.done);
    checkResults(ticket.wait());
    assert.throws(() => service.submit([{ kind: 'spdInverse', matrix: A, n: 48 }]).wait(), LinalgError);
    service.close();
  });
});
