// The engine protocol's boundary checks name the field that is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRowNonFinite } from '../../engine/src/store/json-codec';
import { parseEngineEvent, parseEngineRequest, ProtocolError } from '../../engine/src/protocol';

test('a start request may carry the host default backend; an unknown one is rejected by name', () => {
  const ok = parseEngineRequest({ type: 'start', requestId: 'a', file: 'x.optlab.json', store: '/s', backend: 'wasm' });
  assert.equal(ok.type === 'start' && ok.backend, 'wasm');
  assert.throws(() => parseEngineRequest({ type: 'start', requestId: 'a', file: 'x', store: '/s', backend: 'tpu' }), (e: unknown) => e instanceof ProtocolError && /backend/.test(e.message) && /tpu/.test(e.message));
});

test('requests and events with missing or wrong fields are rejected, naming the field', () => {
  assert.throws(() => parseEngineRequest({ type: 'start', requestId: 1, file: 'x', store: '/s' }), /requestId/);
  assert.throws(() => parseEngineRequest({ type: 'launch' }), /unknown type "launch"/);
  assert.throws(() => parseEngineRequest(null), /expected an object, got null/);
  assert.throws(() => parseEngineEvent({ type: 'runStatus', requestId: 'a', runId: 'r', status: 'exploded' }), /status/);
  assert.throws(() => parseEngineEvent({ type: 'metrics', requestId: 'a', runId: 'r', rows: [1] }), /rows\[0\]/);
  assert.equal(parseEngineEvent({ type: 'progress', requestId: 'a', done: 1, total: 2, message: 'm' }).type, 'progress');
});

test('metric rows cross the JSON channel with non-finite numbers as the store writes them, and arrive as numbers again', () => {
  const row = { step: 3, loss: Number.NaN, gradNorm: Number.POSITIVE_INFINITY, lr: Number.NEGATIVE_INFINITY, accuracy: 0.5 };
  const wire = JSON.parse(JSON.stringify({ type: 'metrics', requestId: 'a', runId: 'r', seq: 7, rows: [encodeRowNonFinite(row)] })) as unknown;
  assert.deepEqual((wire as { rows: unknown[] }).rows[0], { step: 3, loss: 'NaN', gradNorm: 'Infinity', lr: '-Infinity', accuracy: 0.5 });
  const e = parseEngineEvent(wire);
  assert.ok(e.type === 'metrics');
  assert.deepEqual(e.rows[0], row);
  // A row without non-finite values is passed through, not copied.
  const plain = { step: 1, loss: 1 };
  assert.equal(encodeRowNonFinite(plain), plain);
  assert.throws(() => parseEngineEvent({ type: 'metrics', requestId: 'a', runId: 'r', rows: [] }), /seq: expected the non-negative integer sequence number/);
});
