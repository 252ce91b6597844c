// The engine protocol's boundary checks name the field that is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnsToRows, rowsToColumns } from '../../engine/src/protocol/metric-columns';
import type { MetricRow } from '../../engine/src/store/types';
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

test('metric rows cross the JSON channel as columns, non-finite numbers as the store writes them, and read back exactly', () => {
  const rows: MetricRow[] = [
    { step: 3, loss: Number.NaN, gradNorm: Number.POSITIVE_INFINITY, lr: Number.NEGATIVE_INFINITY, accuracy: 0.5 },
    { step: 4, loss: 0.25, learningRate: null, phase: 'train' },
  ];
  const chunk = rowsToColumns(rows);
  assert.deepEqual(chunk, {
    length: 2,
    columns: { step: [3, 4], loss: ['NaN', 0.25], gradNorm: ['Infinity', null], lr: ['-Infinity', null], accuracy: [0.5, null], learningRate: [null, null], phase: [null, null] },
  });
  const e = parseEngineEvent(JSON.parse(JSON.stringify({ type: 'metrics', requestId: 'a', runId: 'r', seq: 7, ...chunk })));
  assert.ok(e.type === 'metrics');
  assert.deepEqual(columnsToRows(e), [{ step: 3, loss: Number.NaN, gradNorm: Number.POSITIVE_INFINITY, lr: Number.NEGATIVE_INFINITY, accuracy: 0.5 }, { step: 4, loss: 0.25 }]);
  // Rows on the wire are accepted and become the same columns.
  const fromRows = parseEngineEvent({ type: 'metrics', requestId: 'a', runId: 'r', seq: 7, rows });
  assert.ok(fromRows.type === 'metrics');
  assert.deepEqual({ columns: fromRows.columns, length: fromRows.length }, chunk);
  assert.throws(() => parseEngineEvent({ type: 'metrics', requestId: 'a', runId: 'r', seq: 0, columns: { loss: [1, 'x'] }, length: 2 }), /columns\.loss\[1\]: expected a number or null/);
  assert.throws(() => parseEngineEvent({ type: 'metrics', requestId: 'a', runId: 'r', seq: 0, columns: { loss: [1] }, length: 2 }), /1 values for 2 rows/);
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
