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

test('a setup check and its answer are checked at the boundary, naming the field', () => {
  const req = parseEngineRequest({ type: 'checkSetup', requestId: 'c1', text: '{}', file: '/w/a.optlab.json' });
  assert.deepEqual(req, { type: 'checkSetup', requestId: 'c1', text: '{}', file: '/w/a.optlab.json' });
  assert.throws(() => parseEngineRequest({ type: 'checkSetup', requestId: 'c1' }), /request 'checkSetup'\.text: expected a string/);
  assert.throws(() => parseEngineRequest({ type: 'checkSetup', requestId: 'c1', text: '{}', file: 3 }), /\.file: expected a string/);
  const answer = parseEngineEvent({ type: 'setupChecked', requestId: 'c1', issues: [{ path: '/optimizers/0/momentum', message: 'out of range' }] });
  assert.equal(answer.type === 'setupChecked' && answer.issues[0].path, '/optimizers/0/momentum');
  assert.throws(() => parseEngineEvent({ type: 'setupChecked', requestId: 'c1', issues: [{ path: 0, message: 'm' }] }), /issues\[0\]\.path: expected a string/);
  assert.throws(() => parseEngineEvent({ type: 'setupChecked', requestId: 'c1' }), /issues: expected an array/);
  assert.throws(() => parseEngineEvent({ type: 'setupChecked', requestId: 'c1', issues: [], error: {} }), /error: expected a string/);
});
