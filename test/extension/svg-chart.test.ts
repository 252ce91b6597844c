import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decimateMinMax } from '../../extension/src/model/decimate';
import { drawableStretches, escapeXml, renderSvgChart, svgDataUri, ticks } from '../../extension/src/editor/svg-chart';

function polylines(svg: string): [number, number][][] {
  return [...svg.matchAll(/<polyline[^>]* points="([^"]*)"/g)].map((m) => m[1].split(' ').map((p) => p.split(',').map(Number) as [number, number]));
}

function viewBox(svg: string): [number, number, number, number] {
  const m = /viewBox="([^"]+)"/.exec(svg);
  assert.ok(m, 'no viewBox');
  return m[1].split(' ').map(Number) as [number, number, number, number];
}

/** Every tag is closed: a tiny well-formedness check (no DOM parser in node). */
function assertBalanced(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], `unclosed elements: ${stack.join(', ')}`);
}

const loss = Array.from({ length: 200 }, (_, i) => ({ x: i + 1, y: 10 ** (-i / 40) }));

describe('SVG chart', () => {
  test('is an svg document with a viewBox, balanced tags and one polyline per series', () => {
    const svg = renderSvgChart([{ label: 'B=4', points: loss }, { label: 'B=64', points: loss.map((p) => ({ x: p.x, y: p.y / 2 })) }], { logX: true, logY: true, title: 'loss' });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>$/);
    assertBalanced(svg);
    assert.equal(polylines(svg).length, 2);
  });

  test('every polyline point lies inside the viewBox, also with outliers and a reference line', () => {
    const wild = [...loss, { x: 300, y: 1e6 }, { x: 0.5, y: 1e-12 }];
    const svg = renderSvgChart([{ label: 'x', points: wild }], { width: 300, height: 150, logX: true, logY: true, referenceY: { value: 1e-30, label: 'target' } });
    const [x0, y0, w, h] = viewBox(svg);
    const pts = polylines(svg).flat();
    assert.ok(pts.length > 10);
    for (const [x, y] of pts) {
      assert.ok(Number.isFinite(x) && Number.isFinite(y), `non-finite point ${x},${y}`);
      assert.ok(x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h, `point ${x},${y} outside the viewBox ${w}x${h}`);
    }
  });

  test('text is escaped: a label cannot inject markup', () => {
    const svg = renderSvgChart([{ label: '<script>alert("x")</script> & co', points: loss }], { title: 'a < b & "c"' });
    assert.ok(!svg.includes('<script>'), 'raw <script> in the SVG');
    assert.ok(svg.includes('&lt;script&gt;'), 'the label is not shown escaped');
    assert.ok(svg.includes('a &lt; b &amp; &quot;c&quot;'));
    assertBalanced(svg);
    assert.equal(escapeXml(`<&>"'`), '&lt;&amp;&gt;&quot;&#39;');
  });

  test('log axis: decade ticks, values <= 0 dropped and the line broken there', () => {
    const axis = { log: true, lo: -3, hi: 1 };
    assert.deepEqual(ticks(axis), [0.001, 0.01, 0.1, 1, 10]);
    const pts = [{ x: 1, y: 1 }, { x: 2, y: 0.5 }, { x: 3, y: 0 }, { x: 4, y: 0.1 }, { x: 5, y: 0.05 }];
    assert.deepEqual(drawableStretches(pts, false, true).map((s) => s.length), [2, 2]);
    const svg = renderSvgChart([{ label: 'x', points: pts }], { logY: true });
    assert.equal(polylines(svg).length, 2, 'the zero must break the line in two');
  });

  test('linear ticks are round numbers covering the range', () => {
    assert.deepEqual(ticks({ log: false, lo: 0, hi: 97 }), [0, 20, 40, 60, 80]);
    assert.deepEqual(ticks({ log: false, lo: -0.3, hi: 0.3 }), [-0.2, 0, 0.2]);
    const t = ticks({ log: false, lo: 1234, hi: 98765 });
    assert.ok(t.length >= 3 && t.length <= 6, `ticks ${t}`);
    for (const v of t) assert.ok(v >= 1234 && v <= 98765, `tick ${v} outside the range`);
  });

  test('log decade labels show exponents beyond 1e3', () => {
    const svg = renderSvgChart([{ label: 'x', points: [{ x: 1, y: 1e-6 }, { x: 1e6, y: 1 }] }], { logX: true, logY: true });
    assert.ok(svg.includes('>1e6<'), 'no 1e6 tick label');
    assert.ok(svg.includes('>1e-6<'), 'no 1e-6 tick label');
  });

  test('no drawable data gives a message, not an empty chart', () => {
    const svg = renderSvgChart([{ label: 'x', points: [{ x: 1, y: Number.NaN }] }], { logY: true });
    assert.ok(svg.includes('no data to plot'));
    assertBalanced(svg);
  });

  test('data URI is base64 of the SVG', () => {
    const uri = svgDataUri('<svg/>');
    assert.ok(uri.startsWith('data:image/svg+xml;base64,'));
    assert.equal(Buffer.from(uri.split(',')[1], 'base64').toString('utf8'), '<svg/>');
  });
});

describe('min-max decimation', () => {
  test('keeps first, last, minimum and maximum of each bucket, in order', () => {
    const pts = Array.from({ length: 10_000 }, (_, i) => ({ x: i, y: Math.sin(i / 50) }));
    pts[5000].y = 100; // a spike
    pts[7000].y = -100;
    const out = decimateMinMax(pts, 100);
    assert.ok(out.length <= 400, `${out.length} points`);
    assert.ok(out.some((p) => p.y === 100), 'the spike was lost');
    assert.ok(out.some((p) => p.y === -100), 'the dip was lost');
    assert.deepEqual(out[0], pts[0]);
    assert.deepEqual(out[out.length - 1], pts[pts.length - 1]);
    for (let i = 1; i < out.length; i++) assert.ok(out[i].x > out[i - 1].x, 'order lost');
  });

  test('short series and non-finite points', () => {
    const pts = [{ x: 0, y: 1 }, { x: 1, y: Number.NaN }, { x: 2, y: 3 }];
    assert.deepEqual(decimateMinMax(pts, 100), [{ x: 0, y: 1 }, { x: 2, y: 3 }]);
  });
});
