// Chart-panel data pipeline benchmark (pure modules, in Node): how a bulk load reaches a panel (row
// objects against the protocol's columnar form: host conversion, JSON as VS Code's webview channel
// does it, structured clone as postMessage into the webview frame does it, validation, storing);
// then the columnar store, EMA smoothing and min-max decimation that feed Chart.js, against a
// naive pipeline measured in the same run
// (every point copied into {x, y} objects, no decimation, the whole series rebuilt per update, as
// a panel that re-queries its data would). Chart.js layout and canvas drawing are not measured
// here: test/webview/panels.browser.test.ts measures the built panels in Chromium.
//   node --import tsx bench/webview.bench.ts [--quick]
import { parseHostMessage, type HostMessage } from '../engine/src/protocol/view-messages';
import type { MetricRow } from '../engine/src/store/types';
import { bulkMetricsMessages, rowsToColumns } from '../extension/src/model/metric-columns';
import { autoUpperBound, MinMaxDecimator } from '../webview/src/model/decimate';
import type { XY } from '../webview/src/model/decimate';
import { SeriesStore } from '../webview/src/model/series-store';
import { SmoothedSeries } from '../webview/src/model/smoothing';

const quick = process.argv.includes('--quick');
const RUNS = 50;
const POINTS = 10_000;
const METRICS = ['loss', 'learningRate'] as const;
const WIDTH = 800; // plot width in pixels = decimation buckets
const SMOOTHING = 0.6;
const REPEAT = quick ? 2 : 5;

function rows(run: number, from: number, n: number): MetricRow[] {
  const out: MetricRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const step = from + i;
    out[i] = { step, examples: step * 32, loss: 10 / (1 + step / (100 + run)) + 0.1 * Math.sin(step * 0.37 + run), learningRate: 0.1 * Math.min(1, step / 500) };
  }
  return out;
}

/** Best of `repeat` wall-clock times of fn, in ms. */
function time(fn: () => void, repeat = REPEAT): number {
  fn(); // warm-up
  let best = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

// ---- the panel's pipeline ----

class Pipeline {
  store = new SeriesStore();
  smooth = new Map<string, SmoothedSeries>();
  decs = new Map<string, MinMaxDecimator>();
  drawn = 0;

  /**
   * One animation frame, as MetricChart does it: smooth the new rows, bring the decimation of
   * every run of every metric (raw + smoothed) up to date over the automatic x range.
   */
  frame(): void {
    let xMax = 0;
    for (const id of this.store.runIds()) xMax = Math.max(xMax, this.store.get(id)!.extent('step')!.max);
    const hi = autoUpperBound(0, xMax);
    this.drawn = 0;
    for (const id of this.store.runIds()) {
      const s = this.store.get(id)!;
      const xs = s.column('step')!;
      for (const m of METRICS) {
        const ys = s.column(m)!;
        const key = `${id}/${m}`;
        let sm = this.smooth.get(key);
        if (sm === undefined) this.smooth.set(key, (sm = new SmoothedSeries(SMOOTHING)));
        sm.extend(ys, s.length);
        const opts = { xMin: 0, xMax: hi, buckets: WIDTH };
        // The faint raw line behind the smoothed one is decimated to 2 px buckets (as MetricChart does).
        const raw = this.dec(`${key}/raw`).update(xs, ys, s.length, { ...opts, buckets: WIDTH / 2 }, s.generation);
        const smo = this.dec(`${key}/smooth`).update(xs, sm.values, s.length, opts, sm);
        this.drawn += raw.length + smo.length;
      }
    }
  }

  /** Forgets the decimation state: the next frame decimates everything (a zoom, a resize). */
  invalidate(): void {
    for (const d of this.decs.values()) d.reset();
  }

  private dec(key: string): MinMaxDecimator {
    let d = this.decs.get(key);
    if (d === undefined) this.decs.set(key, (d = new MinMaxDecimator()));
    return d;
  }
}

// ---- the naive baseline: every point copied into {x, y} per update, no decimation ----

class Naive {
  all = new Map<number, MetricRow[]>();
  datasets = new Map<string, XY[]>();
  drawn = 0;

  append(run: number, r: MetricRow[]): void {
    const a = this.all.get(run) ?? [];
    for (const row of r) a.push(row);
    this.all.set(run, a);
  }

  frame(): void {
    this.drawn = 0;
    for (const [run, rs] of this.all) {
      for (const m of METRICS) {
        const raw: XY[] = new Array(rs.length);
        const smo: XY[] = new Array(rs.length);
        let last = 0;
        let k = 0;
        for (let i = 0; i < rs.length; i++) {
          const x = rs[i].step as number;
          const y = rs[i][m] as number;
          raw[i] = { x, y };
          last = last * SMOOTHING + (1 - SMOOTHING) * y;
          k++;
          smo[i] = { x, y: last / (1 - SMOOTHING ** k) };
        }
        this.datasets.set(`${run}/${m}/raw`, raw);
        this.datasets.set(`${run}/${m}/smooth`, smo);
        this.drawn += raw.length + smo.length;
      }
    }
  }
}

// Pre-generated messages (generating rows is the host's cost, not the panel's).
const firstRows = Array.from({ length: RUNS }, (_, r) => rows(r, 0, POINTS));

console.log(`Chart panel data pipeline (${RUNS} runs x ${POINTS.toLocaleString()} points, ${METRICS.length} metrics, raw + smoothed, ${WIDTH} px wide; best of ${REPEAT})`);

// 0. Delivering the bulk load (50 runs x 10,000 rows, 4 columns) from the host to the panel.
{
  const runs = firstRows.map((r, i) => ({ runId: `run${i}`, rows: r }));
  const rowMessages: HostMessage[] = runs.map(({ runId, rows: rs }) => ({ type: 'metrics', runId, rows: rs, reset: true }));
  let colMessages: HostMessage[] = [];
  const convert = time(() => {
    colMessages = bulkMetricsMessages(runs);
  });
  const measure = (msgs: HostMessage[]) => {
    let json: string[] = [];
    const stringify = time(() => {
      json = msgs.map((m) => JSON.stringify(m));
    });
    let parsed: unknown[] = [];
    const parse = time(() => {
      parsed = json.map((j) => JSON.parse(j));
    });
    const clone = time(() => {
      for (const m of parsed) structuredClone(m);
    });
    const validate = time(() => {
      for (const m of parsed) parseHostMessage(m);
    });
    const ingest = time(() => {
      const store = new SeriesStore();
      for (const m of parsed as HostMessage[]) {
        if (m.type === 'metrics') store.ingest(m);
        else if (m.type === 'metricsBatch') for (const b of m.batches) store.ingest(b);
      }
    });
    const mb = json.reduce((a, j) => a + j.length, 0) / 1e6;
    return { stringify, parse, clone, validate, ingest, mb, n: msgs.length };
  };
  const r = measure(rowMessages);
  const c = measure(colMessages);
  const row = (name: string, a: number, b: number, unit = 'ms') => console.log(`   ${name.padEnd(46)} ${a.toFixed(1).padStart(8)} ${unit}  ${b.toFixed(1).padStart(8)} ${unit}   ${(a / b).toFixed(1).padStart(5)}x`);
  console.log(`\n0. Bulk load to a panel (50 runs x 10,000 rows x 4 columns): row objects (${r.n} 'metrics' messages) against columns (${c.n} 'metricsBatch')`);
  console.log(`   ${''.padEnd(46)} ${'rows'.padStart(11)}  ${'columns'.padStart(11)}   ratio`);
  console.log(`   host: rows -> columns (bulkMetricsMessages)     ${'-'.padStart(8)}     ${convert.toFixed(1).padStart(8)} ms`);
  row('host: JSON.stringify (the webview channel)', r.stringify, c.stringify);
  row('JSON size', r.mb, c.mb, 'MB');
  row('JSON.parse', r.parse, c.parse);
  row('structured clone (postMessage into the frame)', r.clone, c.clone);
  row('panel: parseHostMessage (validation)', r.validate, c.validate);
  row('panel: into the typed series store', r.ingest, c.ingest);
  const tr = r.stringify + r.parse + r.clone + r.validate + r.ingest;
  const tc = convert + c.stringify + c.parse + c.clone + c.validate + c.ingest;
  row('total (host conversion included)', tr, tc);
}

// 1. Compare view, first frame: all rows arrive, then one frame is prepared.
// The panel gets columns (the protocol's columnar form, as the host sends bulk loads).
const firstColumns = firstRows.map((r) => rowsToColumns(r));
let pipe = new Pipeline();
const firstFrame = time(() => {
  pipe = new Pipeline();
  for (let r = 0; r < RUNS; r++) pipe.store.appendColumns(`run${r}`, firstColumns[r].columns, firstColumns[r].length);
  pipe.frame();
});
const appendOnly = time(() => {
  const s = new SeriesStore();
  for (let r = 0; r < RUNS; r++) s.appendColumns(`run${r}`, firstColumns[r].columns, firstColumns[r].length);
});
const appendRows = time(() => {
  const s = new SeriesStore();
  for (let r = 0; r < RUNS; r++) s.append(`run${r}`, firstRows[r]);
});
const decimateOnly = time(() => {
  pipe.invalidate();
  pipe.frame();
});
let naive = new Naive();
const naiveFirst = time(() => {
  naive = new Naive();
  for (let r = 0; r < RUNS; r++) naive.append(r, firstRows[r]);
  naive.frame();
});
const naiveCopy = time(() => naive.frame());
console.log('\n1. Compare view, first frame (50 x 10,000 points received, then drawn once)');
console.log(`   panel pipeline (store append + smooth + decimate): ${firstFrame.toFixed(1).padStart(7)} ms   target < 1000 ms (whole first frame)`);
console.log(`     of which storing 500,000 rows given as columns:   ${appendOnly.toFixed(1).padStart(7)} ms   (as row objects: ${appendRows.toFixed(1)} ms)`);
console.log(`   one full frame from the store (decimate all):      ${decimateOnly.toFixed(1).padStart(7)} ms   -> ${pipe.drawn.toLocaleString()} points to draw`);
console.log(`   naive, first frame (copy every point, no decimation): ${naiveFirst.toFixed(1).padStart(4)} ms`);
console.log(`   naive, one frame (copy every point):               ${naiveCopy.toFixed(1).padStart(7)} ms   -> ${naive.drawn.toLocaleString()} points to draw`);
console.log(`   ratio naive / panel: first frame ${(naiveFirst / firstFrame).toFixed(1)}x, one frame ${(naiveCopy / decimateOnly).toFixed(1)}x, points drawn ${(naive.drawn / pipe.drawn).toFixed(1)}x`);

// 2. Live streaming: 10,000 points/s into the panel (spread over the 50 runs, 10 messages/s per run,
//    as the host batches them), on top of the 50 x 10,000 already held; one frame per 100 ms tick.
const SECONDS = quick ? 2 : 4;
const TICKS = SECONDS * 10;
const PER_TICK = 10_000 / 10 / RUNS; // rows per run per tick
const stream = Array.from({ length: TICKS }, (_, t) => Array.from({ length: RUNS }, (_, r) => rows(r, POINTS + t * PER_TICK, PER_TICK)));
function streamPanel(): { append: number; frame: number; maxFrame: number; slow: number } {
  const p = new Pipeline();
  for (let r = 0; r < RUNS; r++) p.store.append(`run${r}`, firstRows[r]);
  p.frame();
  let append = 0;
  let frame = 0;
  let maxFrame = 0;
  let slow = 0;
  for (const tick of stream) {
    const t0 = performance.now();
    for (let r = 0; r < RUNS; r++) p.store.append(`run${r}`, tick[r]);
    const t1 = performance.now();
    p.frame();
    const t2 = performance.now();
    append += t1 - t0;
    frame += t2 - t1;
    maxFrame = Math.max(maxFrame, t2 - t1);
    if (t2 - t1 > 5) slow++;
  }
  return { append, frame, maxFrame, slow };
}
function streamNaive(): { total: number; maxFrame: number } {
  const n = new Naive();
  for (let r = 0; r < RUNS; r++) n.append(r, firstRows[r]);
  let total = 0;
  let maxFrame = 0;
  for (const tick of stream) {
    const t0 = performance.now();
    for (let r = 0; r < RUNS; r++) n.append(r, tick[r]);
    n.frame();
    const dt = performance.now() - t0;
    total += dt;
    maxFrame = Math.max(maxFrame, dt);
  }
  return { total, maxFrame };
}
let best = { append: Infinity, frame: Infinity, maxFrame: Infinity, slow: 0 };
for (let i = 0; i < Math.max(2, REPEAT - 2); i++) {
  const r = streamPanel();
  if (r.append + r.frame < best.append + best.frame) best = r;
}
let bestNaive = { total: Infinity, maxFrame: Infinity };
for (let i = 0; i < 1; i++) {
  const r = streamNaive();
  if (r.total < bestNaive.total) bestNaive = r;
}
const perSecond = (best.append + best.frame) / SECONDS;
const naivePerSecond = bestNaive.total / SECONDS;
console.log(`\n2. Streaming 10,000 points/s for ${SECONDS} s into a panel already holding 50 x 10,000 (10 frames/s)`);
console.log(`   panel: append ${(best.append / SECONDS).toFixed(1)} ms/s + frames ${(best.frame / SECONDS).toFixed(1)} ms/s = ${perSecond.toFixed(1)} ms of CPU per second of stream (${((perSecond / 1000) * 100).toFixed(1)}% of one core); slowest frame ${best.maxFrame.toFixed(1)} ms;`);
console.log(`     ${TICKS - best.slow} of ${TICKS} frames read only the new rows (< 5 ms); ${best.slow} decimated everything again because the automatic x range grew past its 1/8 step`);
console.log(`   naive re-query per update: ${naivePerSecond.toFixed(1)} ms of CPU per second of stream (${((naivePerSecond / 1000) * 100).toFixed(1)}%); slowest update ${bestNaive.maxFrame.toFixed(1)} ms`);
console.log(`   ratio naive / panel: ${(naivePerSecond / perSecond).toFixed(1)}x`);

// 3. Raw append throughput of the store (one run, 1,000-row messages).
const big = rows(0, 0, 100_000);
const chunks = Array.from({ length: 100 }, (_, i) => big.slice(i * 1000, (i + 1) * 1000));
const appendMs = time(() => {
  const s = new SeriesStore();
  for (const c of chunks) s.append('r', c);
});
console.log(`\n3. Store append: 100,000 rows (4 columns) in 1,000-row messages: ${appendMs.toFixed(1)} ms = ${((100_000 / appendMs) * 1000 / 1e6).toFixed(1)} million rows/s`);
