// The engine protocol's boundary checks name the field that is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
