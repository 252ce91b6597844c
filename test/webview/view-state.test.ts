import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BOARD_STATE, sanitizeBoardState, zoomFitsAxis } from '../../webview/src/model/view-state.js';

describe('restored view state', () => {
  test('a valid state survives a round trip through JSON (as setState/getState do)', () => {
    const s = { xAxis: 'examples', xScale: 'log', yScale: 'linear', smoothing: 0.9, metric: 'loss', zoomMode: 'x', zoom: { loss: { x: [10, 200] } }, hiddenRuns: ['r1'], layers: { 'kfac/A_trace': 'dense_1' }, internalsOpen: false };
    assert.deepEqual(sanitizeBoardState(JSON.parse(JSON.stringify(s))), s);
  });

  test('garbage falls back to the defaults field by field', () => {
    assert.deepEqual(sanitizeBoardState(undefined), DEFAULT_BOARD_STATE);
    assert.deepEqual(sanitizeBoardState('x'), DEFAULT_BOARD_STATE);
    const s = sanitizeBoardState({ xAxis: 'epoch', logX: 'yes', smoothing: 5, zoomMode: 'z', zoom: { a: { x: [5, 1] }, b: { y: [0, 1] }, c: 3 }, hiddenRuns: ['a', 2] });
    assert.equal(s.xAxis, 'step');
    assert.equal(s.xScale, 'auto');
    assert.equal(s.yScale, 'auto');
    assert.equal(s.smoothing, 0.999);
    assert.equal(s.zoomMode, 'xy');
    assert.deepEqual(s.zoom, { b: { y: [0, 1] } }, 'inverted ranges and non-objects dropped');
    assert.deepEqual(s.hiddenRuns, ['a']);
  });

  test('axis scales default to auto; a state saved with the old log checkboxes keeps what the user chose', () => {
    assert.equal(DEFAULT_BOARD_STATE.xScale, 'auto');
    assert.equal(DEFAULT_BOARD_STATE.yScale, 'auto');
    const old = sanitizeBoardState({ logX: true, logY: false });
    assert.equal(old.xScale, 'log', 'log x was ticked: the user chose it');
    assert.equal(old.yScale, 'auto', 'unticked was the default: auto');
    assert.equal(sanitizeBoardState({ xScale: 'linear', logX: true }).xScale, 'linear', 'the new field wins');
    assert.equal(sanitizeBoardState({ yScale: 'cubic' }).yScale, 'auto');
  });

  test('defaults are not shared between sanitized states', () => {
    const a = sanitizeBoardState(null);
    a.zoom.x = { x: [1, 2] };
    a.hiddenRuns.push('q');
    a.layers['kfac/A_trace'] = 'dense_1';
    assert.deepEqual(sanitizeBoardState(null).zoom, {});
    assert.deepEqual(sanitizeBoardState(null).hiddenRuns, []);
    assert.deepEqual(sanitizeBoardState(null).layers, {});
  });

  test('chosen layers and the internals section survive a reload; odd values fall back', () => {
    const s = sanitizeBoardState({ layers: { 'kfac/A_trace': 'dense_3', 'kfac/G_cond': 7 }, internalsOpen: false });
    assert.deepEqual(s.layers, { 'kfac/A_trace': 'dense_3' });
    assert.equal(s.internalsOpen, false);
    assert.equal(sanitizeBoardState({ layers: ['x'], internalsOpen: 'no' }).internalsOpen, true);
    assert.deepEqual(sanitizeBoardState({ layers: ['x'] }).layers, {});
  });

  test('a zoom range reaching 0 cannot be restored on a log axis', () => {
    assert.equal(zoomFitsAxis([0, 10], true), undefined);
    assert.deepEqual(zoomFitsAxis([0, 10], false), [0, 10]);
    assert.deepEqual(zoomFitsAxis([1, 10], true), [1, 10]);
  });
});
