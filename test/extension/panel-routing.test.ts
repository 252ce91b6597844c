import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../engine/src/protocol/engine-messages';
import { routeEngineEvent, type PanelSubscription } from '../../extension/src/model/panel-router';
import { kindOfViewType, panelKey, panelTitle, parsePanelState, VIEW_TYPES, type PanelState } from '../../extension/src/model/panel-state';

function sub(id: string, state: PanelState, runIds: string[] = state.kind === 'criticalBatch' ? [] : state.runIds): PanelSubscription {
  return { id, state, runIds: new Set(runIds) };
}

const panels = [
  sub('dash1', { kind: 'dashboard', runIds: ['r1'] }),
  sub('follow', { kind: 'dashboard', experimentFile: '/ws/nqm.optlab.json', runIds: ['r1', 'r2'] }),
  sub('cmp', { kind: 'compare', runIds: ['r2', 'r9'] }),
  sub('cbs', { kind: 'criticalBatch', experimentFile: '/ws/nqm.optlab.json' }, ['r1']),
  sub('cbsOther', { kind: 'criticalBatch', experimentFile: '/ws/other.optlab.json' }),
];
const fileOf = (requestId: string) => (requestId === 's1' ? '/ws/nqm.optlab.json' : undefined);

describe('routing engine events to panels', () => {
  test('metrics go to the panels that show the run (not to critical-batch panels)', () => {
    const e: EngineEvent = { type: 'metrics', requestId: 's1', runId: 'r1', seq: 0, columns: { step: [1], loss: [1] }, length: 1 };
    const actions = routeEngineEvent(e, panels, fileOf);
    assert.deepEqual(actions.map((a) => `${a.panelId}:${a.type}`), ['dash1:metrics', 'follow:metrics']);
    assert.deepEqual(actions[0], { panelId: 'dash1', type: 'metrics', runId: 'r1', seq: 0, rows: { columns: { step: [1], loss: [1] }, length: 1 } });
  });

  test('a run ending: its status and a run-list refresh to its panels, a recompute to its experiment\'s critical-batch panel', () => {
    const e: EngineEvent = { type: 'runStatus', requestId: 's1', runId: 'r2', status: 'completed', summary: { stepsToTarget: 5 } };
    const actions = routeEngineEvent(e, panels, fileOf).map((a) => `${a.panelId}:${a.type}`);
    assert.deepEqual(actions, ['follow:runStatus', 'follow:refreshRuns', 'cmp:runStatus', 'cmp:refreshRuns', 'cbs:refreshCritical']);
  });

  test('a run starting is a status only: no list refresh, no recompute', () => {
    const e: EngineEvent = { type: 'runStatus', requestId: 's1', runId: 'r1', status: 'running' };
    assert.deepEqual(routeEngineEvent(e, panels, fileOf).map((a) => `${a.panelId}:${a.type}`), ['dash1:runStatus', 'follow:runStatus']);
  });

  test('a new session of an experiment retargets the dashboard following it, and only that one', () => {
    const e: EngineEvent = { type: 'experimentStarted', requestId: 's1', experiment: 'nqm', file: '/ws/nqm.optlab.json', store: '/ws/.optlab', runs: [{ id: 'n1', label: 'SGD', optimizer: 'sgd', batchSize: 4 }] };
    assert.deepEqual(routeEngineEvent(e, panels, fileOf), [{ panelId: 'follow', type: 'retarget', runIds: ['n1'] }]);
  });

  test('a session ending recomputes its critical-batch panel; unknown sessions route nowhere', () => {
    const done: EngineEvent = { type: 'experimentFailed', requestId: 's1', reason: 'cancelled', message: 'cancelled' };
    assert.deepEqual(routeEngineEvent(done, panels, fileOf), [{ panelId: 'cbs', type: 'refreshCritical' }]);
    assert.deepEqual(routeEngineEvent({ ...done, requestId: 'other' }, panels, fileOf), []);
    assert.deepEqual(routeEngineEvent({ type: 'progress', requestId: 's1', done: 1, total: 2, message: '' }, panels, fileOf), []);
  });
});

describe('panel state', () => {
  test('view types and kinds', () => {
    assert.deepEqual(VIEW_TYPES, { dashboard: 'optlab.dashboard', compare: 'optlab.compare', criticalBatch: 'optlab.criticalBatch' });
    assert.equal(kindOfViewType('optlab.criticalBatch'), 'criticalBatch');
    assert.equal(kindOfViewType('other'), undefined);
  });

  test('parsing a saved state: at the top level or under `host`, of the right kind only', () => {
    assert.deepEqual(parsePanelState('dashboard', { host: { kind: 'dashboard', runIds: ['a'] }, board: {} }), { kind: 'dashboard', runIds: ['a'] });
    assert.deepEqual(parsePanelState('criticalBatch', { experimentFile: '/x.optlab.json' }), { kind: 'criticalBatch', experimentFile: '/x.optlab.json' });
    assert.deepEqual(parsePanelState('dashboard', { kind: 'dashboard', runIds: [], experimentFile: '/x.optlab.json' }), { kind: 'dashboard', runIds: [], experimentFile: '/x.optlab.json' });
    assert.equal(parsePanelState('compare', { kind: 'dashboard', runIds: ['a'] }), undefined);
    assert.equal(parsePanelState('compare', { runIds: [] }), undefined, 'a comparison of nothing');
    assert.equal(parsePanelState('dashboard', { runIds: [1, 2] }), undefined);
    assert.equal(parsePanelState('dashboard', { board: { xAxis: 'step' } }), undefined, 'only the view\'s own state');
    assert.equal(parsePanelState('dashboard', null), undefined);
  });

  test('keys: the same runs in any order are the same panel; a followed experiment is one panel', () => {
    assert.equal(panelKey({ kind: 'compare', runIds: ['b', 'a'] }), panelKey({ kind: 'compare', runIds: ['a', 'b'] }));
    assert.notEqual(panelKey({ kind: 'compare', runIds: ['a', 'b'] }), panelKey({ kind: 'dashboard', runIds: ['a', 'b'] }));
    assert.equal(panelKey({ kind: 'dashboard', experimentFile: '/ws/x.optlab.json', runIds: ['1'] }), panelKey({ kind: 'dashboard', experimentFile: '/ws/x.optlab.json', runIds: ['2'] }));
  });

  test('titles', () => {
    assert.equal(panelTitle({ kind: 'dashboard', runIds: ['a'] }, 'SGD · B=4'), 'Dashboard: SGD · B=4');
    assert.equal(panelTitle({ kind: 'dashboard', runIds: ['a', 'b'], experimentFile: '/ws/nqm.optlab.json' }, undefined, 'nqm-critical-batch'), 'Dashboard: nqm-critical-batch');
    assert.equal(panelTitle({ kind: 'dashboard', runIds: ['a', 'b', 'c'] }), 'Dashboard: 3 runs');
    assert.equal(panelTitle({ kind: 'compare', runIds: ['a', 'b'] }), 'Compare: 2 runs');
    assert.equal(panelTitle({ kind: 'criticalBatch', experimentFile: '/ws/nqm.optlab.json' }), 'Critical Batch Size: nqm');
  });
});
