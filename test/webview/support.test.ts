import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { colorDistance, contrastRatio, luminance, MIN_LINE_CONTRAST, parseColor, SeriesPalette, withAlpha } from '../../webview/src/model/colors.js';
import { assignRunColors, colorScheme, type ColorRun } from '../../webview/src/model/run-colors.js';
import { runDisplayLabel } from '../../webview/src/model/run-label.js';
import { compositeLayout } from '../../webview/src/model/export-layout.js';
import { formatExponent, formatInteger, formatNumber, linearTickLabel, logTickLabel, powerOfTwoLabel } from '../../webview/src/model/format.js';
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

  // VS Code's own chart colours (Dark Modern / Light Modern).
  const DARK = ['#3794ff', '#f14c4c', '#89d185', '#d18616', '#b180d7', '#cca700'];
  const LIGHT = ['#1a85ff', '#e51400', '#388a34', '#d18616', '#652d90', '#bf8803'];

  const minPairDistance = (colors: string[]) => {
    let min = Infinity;
    for (let i = 0; i < colors.length; i++) for (let j = 0; j < i; j++) min = Math.min(min, colorDistance(colors[i], colors[j]));
    return min;
  };

  test('series palette: 12+ distinct colours that read on the background, in dark and light themes', () => {
    for (const [name, theme, bg, dark] of [
      ['dark', DARK, '#1e1e1e', true],
      ['light', LIGHT, '#ffffff', false],
    ] as const) {
      const colors = new SeriesPalette(theme, bg, dark).first(16);
      assert.equal(new Set(colors).size, 16, name);
      assert.ok(colors.every((c) => parseColor(c) !== undefined), name);
      const d12 = minPairDistance(colors.slice(0, 12));
      assert.ok(d12 >= 0.07, `${name}: the first 12 colours are at least 0.07 apart in OKLab (closest pair ${d12.toFixed(3)})`);
      for (const c of colors) assert.ok(contrastRatio(c, bg) >= MIN_LINE_CONTRAST - 0.01, `${name}: ${c} has line contrast on ${bg} (${contrastRatio(c, bg).toFixed(2)})`);
    }
  });

  test('series palette: theme colours first, a near-duplicate skipped (the orange/yellow pair), a low-contrast one adjusted', () => {
    const dark = new SeriesPalette(DARK, '#1e1e1e', true).first(6);
    assert.deepEqual(dark.slice(0, 5), DARK.slice(0, 5), 'the theme colours as the theme gives them');
    assert.ok(colorDistance('#d18616', '#cca700') < 0.1, 'VS Code orange and yellow are nearly the same colour');
    assert.ok(!dark.includes('#cca700'), 'so yellow is not the sixth colour');
    assert.ok(colorDistance(dark[5], '#d18616') >= 0.1, `the sixth (${dark[5]}) is another hue`);
    // Yellow on white is below line contrast: made darker, same hue.
    const light = new SeriesPalette(['#1a85ff', '#e8d000'], '#ffffff', false).first(2);
    assert.equal(light[0], '#1a85ff');
    assert.notEqual(light[1], '#e8d000');
    assert.ok(contrastRatio(light[1], '#ffffff') >= MIN_LINE_CONTRAST - 0.01);
    // Prefix-stable: colour i does not depend on how many were asked for.
    const p = new SeriesPalette(DARK, '#1e1e1e', true);
    const late = p.color(20);
    assert.deepEqual(new SeriesPalette(DARK, '#1e1e1e', true).first(21)[20], late);
    assert.deepEqual(p.first(6), dark);
  });

  test('hue families: one hue, distinguishable shades, further from the background as j grows', () => {
    for (const [bg, dark] of [
      ['#1e1e1e', true],
      ['#ffffff', false],
    ] as const) {
      const p = new SeriesPalette(DARK, bg, dark);
      const fam = Array.from({ length: 5 }, (_, j) => p.familyColor(0, j, 5));
      assert.equal(new Set(fam).size, 5);
      const contrasts = fam.map((c) => contrastRatio(c, bg));
      for (let j = 1; j < 5; j++) assert.ok(contrasts[j] > contrasts[j - 1], `${bg}: member ${j} stands out more (${contrasts.map((c) => c.toFixed(2))})`);
      assert.ok(minPairDistance(fam) >= 0.04, `${bg}: neighbours in a family of 5 differ (${minPairDistance(fam).toFixed(3)})`);
      for (const c of fam) assert.ok(contrastRatio(c, bg) >= MIN_LINE_CONTRAST - 0.01, `${c} on ${bg}`);
      // Still closer to their own hue than to the next label's.
      const other = p.color(1);
      for (const c of fam) assert.ok(colorDistance(c, p.color(0)) < colorDistance(c, other), `${c} belongs to ${p.color(0)}, not ${other}`);
      assert.equal(p.familyColor(2, 0, 1), p.color(2), 'a family of one is the palette colour');
    }
  });

  test('run colours: distinct per run for one label, a hue per label with shades by batch size for several', () => {
    const p = new SeriesPalette(DARK, '#1e1e1e', true);
    const sgdSweep: ColorRun[] = [4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576].map((b, i) => ({ id: `s${b}`, label: 'SGD', batchSize: b, index: i }));
    assert.equal(colorScheme(sgdSweep), 'distinct');
    const one = assignRunColors(sgdSweep, p);
    assert.deepEqual([...one.values()], p.first(10), 'ten SGD runs, ten palette colours');

    // Two optimizers x 3 batch sizes, listed in any order: SGD takes palette colour 0, EMA colour 1.
    const runs: ColorRun[] = [
      { id: 'e64', label: 'EMA', batchSize: 64, index: 0 },
      { id: 'e4', label: 'EMA', batchSize: 4, index: 1 },
      { id: 'e1k', label: 'EMA', batchSize: 1024, index: 2 },
      { id: 's4', label: 'SGD', batchSize: 4, index: 3 },
      { id: 's64', label: 'SGD', batchSize: 64, index: 4 },
      { id: 's1k', label: 'SGD', batchSize: 1024, index: 5 },
    ];
    assert.equal(colorScheme(runs), 'families');
    const c = assignRunColors(runs, p);
    assert.deepEqual(['e4', 'e64', 'e1k'].map((id) => c.get(id)), [0, 1, 2].map((j) => p.familyColor(0, j, 3)), 'EMA (listed first): shades by ascending batch size');
    assert.deepEqual(['s4', 's64', 's1k'].map((id) => c.get(id)), [0, 1, 2].map((j) => p.familyColor(1, j, 3)));
    assert.equal(new Set(c.values()).size, 6);
    assert.equal(colorScheme(runs.map((r) => ({ ...r, label: r.id }))), 'distinct', 'all labels different: one colour each');
  });
  test('luminance tells dark from light backgrounds', () => {
    assert.ok(luminance('#1e1e1e') < 0.05);
    assert.ok(luminance('#ffffff') > 0.95);
  });
});

describe('run labels', () => {
  test('label · B=batch size, when the batch size is known and the label does not say it already', () => {
    assert.equal(runDisplayLabel({ label: 'SGD', batchSize: 1024 }), 'SGD \u00b7 B=1024');
    assert.equal(runDisplayLabel({ label: 'SGD p=0.5', batchSize: 4 }), 'SGD p=0.5 \u00b7 B=4');
    assert.equal(runDisplayLabel({ label: 'SGD' }), 'SGD');
    assert.equal(runDisplayLabel({ label: 'SGD B=64', batchSize: 64 }), 'SGD B=64');
    assert.equal(runDisplayLabel({ label: 'SGD B=64', batchSize: 640 }), 'SGD B=64 \u00b7 B=640', 'B=64 is not B=640');
    assert.equal(runDisplayLabel({ label: 'lr=0.1', batchSize: 1 }), 'lr=0.1 \u00b7 B=1');
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
    assert.equal(formatExponent(989708), '9.897e5');
    assert.equal(formatExponent(5_580_000), '5.58e6');
    assert.equal(formatExponent(null), '\u2014');
    assert.equal(formatInteger(999), '999');
    assert.equal(formatInteger(1000), '1,000');
    assert.equal(formatInteger(-12345), '-12,345');
  });
  test('axis ticks', () => {
    assert.equal(logTickLabel(1000), '1000');
    assert.equal(logTickLabel(2e-3), '0.002');
    assert.equal(logTickLabel(300), '');
    assert.equal(logTickLabel(500, 1, 1e6), '', 'a wide axis labels only powers of ten');
    assert.equal(logTickLabel(1000, 1, 1e6), '10\u00b3', 'an axis beyond 1e4 labels every power of ten as 10^n');
    assert.equal(logTickLabel(1e6, 1, 1e6), '10\u2076');
    assert.equal(logTickLabel(1e-4, 1e-4, 1), '10\u207b\u2074');
    assert.equal(logTickLabel(0.01, 0.001, 10), '0.01', 'within 1e-3 .. 1e4: plain numbers');
    assert.equal(linearTickLabel(5e5, [{ value: 0 }, { value: 5e5 }, { value: 1e6 }, { value: 1.5e6 }]), '5e5');
    assert.equal(linearTickLabel(1.5e6, [{ value: 0 }, { value: 1.5e6 }]), '1.5e6');
    assert.equal(linearTickLabel(0, [{ value: 0 }, { value: 1.5e6 }]), '0');
    assert.equal(linearTickLabel(2500, [{ value: 0 }, { value: 2500 }, { value: 5000 }]), '2500');
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
