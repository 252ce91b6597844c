import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { luminance, parseColor, seriesColor, withAlpha } from '../../webview/src/model/colors.js';
import { compositeLayout } from '../../webview/src/model/export-layout.js';
import { formatInteger, formatNumber, logTickLabel, powerOfTwoLabel } from '../../webview/src/model/format.js';
import { FrameScheduler } from '../../webview/src/model/frame.js';
import { nearestIndex } from '../../webview/src/model/lookup.js';

describe('colours', () => {
  test('theme colours in their CSS forms get an alpha', () => {
    assert.equal(withAlpha('#3794ff', 0.25), 'rgba(55, 148, 255, 0.25)');
    assert.equal(withAlpha('#fff', 0.5), 'rgba(255, 255, 255, 0.5)');
    assert.equal(withAlpha('#ff000080', 0.5), 'rgba(255, 0, 0, 0.251)');
    assert.equal(withAlpha('rgb(10, 20, 30)', 0.1), 'rgba(10, 20, 30, 0.1)');
    assert.equal(withAlpha('rgba(10, 20, 30, 0.5)', 0.5), 'rgba(10, 20, 30, 0.25)');
    assert.equal(withAlpha('hsl(120, 100%, 50%)', 1), 'rgba(0, 255, 0, 1)');
    assert.equal(withAlpha('var(--x)', 0.5), 'var(--x)', 'unparseable passes through');
    assert.equal(parseColor('#12'), undefined);
  });

  test('series colours: the palette first, then distinct generated hues', () => {
    const palette = ['#a', '#b'];
    assert.equal(seriesColor(0, palette, true), '#a');
    assert.equal(seriesColor(1, palette, true), '#b');
    const more = Array.from({ length: 48 }, (_, i) => seriesColor(i + 2, palette, true));
    assert.equal(new Set(more).size, 48, '48 further runs, 48 colours');
    assert.ok(more.every((c) => parseColor(c) !== undefined));
  });

  test('luminance tells dark from light backgrounds', () => {
    assert.ok(luminance('#1e1e1e') < 0.05);
    assert.ok(luminance('#ffffff') > 0.95);
  });
});

describe('formatting', () => {
  test('numbers', () => {
    assert.equal(formatNumber(null), '\u2014');
    assert.equal(formatNumber(0.123456), '0.1235');
    assert.equal(formatNumber(17860.4), '17860');
    assert.equal(formatNumber(5_580_000), '5.58e6');
    assert.equal(formatNumber(0.000681), '6.81e-4');
    assert.equal(formatNumber(2), '2');
    assert.equal(formatNumber(NaN), 'NaN');
    assert.equal(formatInteger(1048576), '1,048,576');
    assert.equal(formatInteger(999), '999');
    assert.equal(formatInteger(1000), '1,000');
    assert.equal(formatInteger(-12345), '-12,345');
  });
  test('axis ticks', () => {
    assert.equal(logTickLabel(1000), '1000');
    assert.equal(logTickLabel(2e-3), '0.002');
    assert.equal(logTickLabel(300), '');
    assert.equal(logTickLabel(500, 1, 1e6), '', 'a wide axis labels only powers of ten');
    assert.equal(logTickLabel(1000, 1, 1e6), '1000');
    assert.equal(logTickLabel(500, 100, 1000), '500');
    assert.equal(powerOfTwoLabel(1024), '2\u00b9\u2070');
    assert.equal(powerOfTwoLabel(4), '2\u00b2');
    assert.equal(powerOfTwoLabel(6), '6');
  });
});

describe('frame scheduler', () => {
  test('many requests before a frame run each task once, in that frame', () => {
    const frames: (() => void)[] = [];
    const sched = new FrameScheduler((cb) => frames.push(cb));
    let a = 0;
    let b = 0;
    const ta = () => a++;
    for (let i = 0; i < 100; i++) sched.request(ta);
    sched.request(() => b++);
    assert.equal(frames.length, 1, 'one frame requested');
    assert.equal(a, 0);
    frames.shift()!();
    assert.equal(a, 1);
    assert.equal(b, 1);
    sched.request(ta);
    assert.equal(frames.length, 1, 'a new frame after the previous ran');
  });
  test('a failing task is reported and does not stop the others', () => {
    const frames: (() => void)[] = [];
    const errors: unknown[] = [];
    const sched = new FrameScheduler((cb) => frames.push(cb), (e) => errors.push(e));
    let ran = false;
    sched.request(() => {
      throw new Error('boom');
    });
    sched.request(() => (ran = true));
    frames.shift()!();
    assert.equal(ran, true);
    assert.equal((errors[0] as Error).message, 'boom');
  });
});

describe('tooltip lookup', () => {
  test('nearest row by x, skipping rows whose value is not finite', () => {
    const xs = [0, 10, 20, 30, 40];
    const ys = [1, 2, NaN, 4, 5];
    assert.equal(nearestIndex(xs, ys, 5, 12, true), 1);
    assert.equal(nearestIndex(xs, ys, 5, 21, true), 3, 'row 2 has no value: the nearest with one');
    assert.equal(nearestIndex(xs, ys, 5, -5, true), 0);
    assert.equal(nearestIndex(xs, ys, 5, 99, true), 4);
    assert.equal(nearestIndex([30, 0, 20], [1, 1, 1], 3, 18, false), 2);
    assert.equal(nearestIndex([1], [NaN], 1, 1, true), -1);
  });
});

describe('export layout', () => {
  test('charts keep their on-screen arrangement, scaled to device pixels, legend below', () => {
    const l = compositeLayout(
      [
        { left: 20, top: 100, width: 400, height: 300 },
        { left: 440, top: 100, width: 400, height: 300 },
        { left: 0, top: 0, width: 0, height: 0 },
      ],
      2,
      5,
      10,
      200,
      20,
    )!;
    assert.deepEqual(l.charts[0], { left: 20, top: 20, width: 800, height: 600 });
    assert.deepEqual(l.charts[1], { left: 860, top: 20, width: 800, height: 600 });
    assert.equal(l.width, 820 * 2 + 40);
    // 1640 px of charts / 400 px per legend column = 4 per row: 2 rows of 40 px
    assert.deepEqual(l.legend[4], { x: 20, y: 620 + 20 + 40 });
    assert.equal(l.height, 620 + 20 + 80 + 20);
    assert.equal(compositeLayout([{ left: 0, top: 0, width: 0, height: 10 }], 1, 0), null);
  });
});
