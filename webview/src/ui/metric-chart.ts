// One live chart of one metric, every run of the panel overlaid: a faint raw line and the smoothed
// line per run. The chart is created once and then only updated: rows are appended to the store,
// and just before Chart.js lays out its elements a plugin decimates each run, straight from the
// store's typed columns, over the visible x range (so zoom and pan show full detail, and survive
// updates: the scale's min/max set by the zoom plugin are never touched here).
import type { ChartDataset, Plugin, Scale } from 'chart.js';
import { Chart } from './chartjs';
import { el, swatch } from './dom';
import { withAlpha } from '../model/colors';
import { autoUpperBound, decimateMinMax, MinMaxDecimator, type XY } from '../model/decimate';
import { formatNumber, linearTickLabel, logTickLabel } from '../model/format';
import { nearestIndex } from '../model/lookup';
import { referenceLines } from '../model/reference-lines';
import type { RunSeries, XAxisKind } from '../model/series-store';
import type { SmoothedSeries } from '../model/smoothing';
import type { ZoomMode, ZoomRange } from '../model/view-state';
import { zoomFitsAxis } from '../model/view-state';
import { fitReferenceLines, referenceLinesPlugin } from './reference-lines-plugin';
import type { Theme } from './theme';

type LineDataset = ChartDataset<'optlabLine', XY[]>;

export const X_TITLES: Record<XAxisKind, string> = { step: 'step', examples: 'examples seen', wallTime: 'wall time (s)' };

/** What a chart needs from the board that owns it. */
export interface ChartOwner {
  readonly theme: Theme;
  smoothing(): number;
  /** Whether this run's metric is drawn smoothed (the slider is up and the series has noise to remove). */
  smoothes(runId: string, metric: string): boolean;
  zoomMode(): ZoomMode;
  isHidden(runId: string): boolean;
  series(runId: string): RunSeries | undefined;
  smoothed(runId: string, metric: string, series: RunSeries): SmoothedSeries;
  colorOf(runId: string): string;
  labelOf(runId: string): string;
  /** The user zoomed or panned this chart (or reset it). */
  zoomChanged(chart: MetricChart): void;
  /** The pointer is at data x (null: left the chart) over `source`. */
  hover(x: number | null, source: MetricChart, px?: number, py?: number): void;
}

interface Entry {
  runId: string;
  raw: LineDataset;
  smooth: LineDataset;
  /** Incremental decimation into the datasets' data arrays (the same arrays, refilled). */
  rawDec: MinMaxDecimator;
  smoothDec: MinMaxDecimator;
  /** Drawn as a smoothed line over a faint raw one (else the raw line alone, at full strength). */
  smoothed: boolean;
}

/**
 * A (nearly) flat series, say a constant learning rate, gets an axis a little around its value
 * instead of one spanning 1e-16 that magnifies rounding noise. Zoomed axes are left alone.
 */
function padFlatRange(scale: Scale, log: boolean): void {
  const b = scale.getUserBounds();
  if (b.minDefined || b.maxDefined || !Number.isFinite(scale.min) || !Number.isFinite(scale.max)) return;
  const mid = (scale.min + scale.max) / 2;
  if (scale.max - scale.min > 1e-9 * Math.abs(mid)) return;
  if (log && mid > 0) {
    scale.min = mid / 2;
    scale.max = mid * 2;
  } else {
    const pad = Math.abs(mid) * 0.1 || 1;
    scale.min = mid - pad;
    scale.max = mid + pad;
  }
}

/**
 * A log y axis ends a little beyond its data (4% of its decades each side), so that a run's constant
 * learning rate or a curve's last point is not drawn on the chart's border. Zoomed axes are left alone.
 */
function padLogRange(scale: Scale): void {
  const b = scale.getUserBounds();
  if (b.minDefined || b.maxDefined || !(scale.min > 0) || !(scale.max > scale.min) || !Number.isFinite(scale.max)) return;
  const pad = 10 ** (0.04 * Math.log10(scale.max / scale.min));
  scale.min /= pad;
  scale.max *= pad;
}

export class MetricChart {
  readonly card: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  /** Created by start(), once the card is in the page (a chart made on a detached canvas draws twice). */
  chart!: Chart<'optlabLine', XY[]>;
  private readonly crosshair: HTMLDivElement;
  private readonly tooltip: HTMLDivElement;
  private readonly entries = new Map<string, Entry>();
  private zoomRestored = false;
  /** Set when something other than new rows requires a redraw (style, runs, smoothing). */
  needsUpdate = true;
  private hoverEvent: MouseEvent | null = null;
  private hoverQueued = false;
  private started = false;

  constructor(
    private readonly owner: ChartOwner,
    readonly metric: string,
    readonly xAxis: XAxisKind,
    readonly logX: boolean,
    readonly logY: boolean,
  ) {
    this.canvas = el('canvas', { attrs: { role: 'img', 'aria-label': `${metric} against ${X_TITLES[xAxis]}` } });
    this.crosshair = el('div', { class: 'crosshair hidden' });
    this.tooltip = el('div', { class: 'chart-tooltip hidden', attrs: { role: 'tooltip' } });
    const wrap = el('div', { class: 'chart-wrap' }, [this.canvas, this.crosshair, this.tooltip]);
    this.card = el('div', { class: 'chart-card', attrs: { 'data-metric': metric } }, [wrap]);
  }

  /** Creates the Chart.js chart; call once the card is in the document, at its final size. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { owner, metric, logX, logY, xAxis } = this;
    const decimator: Plugin<'optlabLine'> = { id: 'optlabDecimate', beforeElementsUpdate: (chart) => this.decimate(chart as Chart<'optlabLine', XY[]>) };
    const guides = referenceLines(metric);
    const t = owner.theme;
    this.chart = new Chart<'optlabLine', XY[]>(this.canvas, {
      type: 'optlabLine',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        // Hover is handled by our own listeners against the full-resolution store: Chart.js does no
        // per-element hit testing on mouse moves (the costly part with 50 runs).
        events: [],
        spanGaps: true,
        elements: { point: { radius: 0, hoverRadius: 0, hitRadius: 0 }, line: { borderWidth: 1.5, tension: 0, borderJoinStyle: 'round' } },
        scales: {
          x: {
            type: logX ? 'logarithmic' : 'linear',
            title: { display: true, text: X_TITLES[xAxis], color: t.muted },
            ticks: { maxRotation: 0, autoSkipPadding: 12, includeBounds: false, color: t.muted, callback: (v, _i, ticks) => this.tickLabel(Number(v), logX, ticks) },
            grid: { color: t.grid },
            border: { color: t.grid },
          },
          y: {
            type: logY ? 'logarithmic' : 'linear',
            afterDataLimits: (scale) => {
              fitReferenceLines(scale, guides);
              padFlatRange(scale, logY);
              if (logY) padLogRange(scale);
            },
            ticks: { includeBounds: false, color: t.muted, callback: (v, _i, ticks) => this.tickLabel(Number(v), logY, ticks) },
            grid: { color: t.grid },
            border: { color: t.grid },
          },
        },
        plugins: {
          title: { display: true, text: metric, align: 'start', color: t.foreground, font: { weight: 'bold' }, padding: { top: 2, bottom: 6 } },
          legend: { display: false },
          tooltip: { enabled: false },
          zoom: {
            pan: { enabled: true, mode: () => owner.zoomMode(), onPanComplete: () => owner.zoomChanged(this) },
            zoom: {
              wheel: { enabled: true },
              pinch: { enabled: true },
              drag: { enabled: true, modifierKey: 'shift', backgroundColor: withAlpha(t.foreground, 0.08), borderColor: withAlpha(t.foreground, 0.4), borderWidth: 1 },
              mode: () => owner.zoomMode(),
              onZoomComplete: () => owner.zoomChanged(this),
            },
          },
        },
      },
      plugins: [decimator, referenceLinesPlugin(guides, () => owner.theme) as Plugin<'optlabLine'>],
    });

    this.canvas.addEventListener('mousemove', (e) => this.queueHover(e));
    this.canvas.addEventListener('mouseleave', () => {
      this.hoverEvent = null;
      owner.hover(null, this);
    });
    this.canvas.addEventListener('dblclick', () => this.resetZoom());
  }

  private tickLabel(v: number, log: boolean, ticks: { value: number }[]): string {
    return log ? logTickLabel(v, ticks[0]?.value, ticks[ticks.length - 1]?.value) : linearTickLabel(v, ticks);
  }

  /** Makes the chart's datasets those of `runIds` (in that order) that have this metric. */
  sync(runIds: readonly string[]): void {
    const wanted = runIds.filter((id) => this.owner.series(id)?.column(this.metric) !== undefined);
    const same = wanted.length === this.entries.size && wanted.every((id) => this.entries.has(id));
    if (same) return;
    for (const id of [...this.entries.keys()]) if (!wanted.includes(id)) this.entries.delete(id);
    for (const id of wanted) {
      if (this.entries.has(id)) continue;
      const rawDec = new MinMaxDecimator();
      const smoothDec = new MinMaxDecimator();
      const base = { parsing: false as const, normalized: true, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, spanGaps: true };
      this.entries.set(id, {
        runId: id,
        raw: { ...base, label: id, data: rawDec.out, order: 1 },
        smooth: { ...base, label: id, data: smoothDec.out, order: 0 },
        rawDec,
        smoothDec,
        smoothed: false,
      });
    }
    const entries = wanted.map((id) => this.entries.get(id)!);
    // Raw lines first (drawn behind: higher `order`), then the smoothed ones.
    this.chart.data.datasets = [...entries.map((e) => e.raw), ...entries.map((e) => e.smooth)];
    this.applyStyle();
  }

  /** Colours, faintness and visibility from the owner's current state and theme. */
  applyStyle(): void {
    for (const e of this.entries.values()) this.styleEntry(e);
    const t = this.owner.theme;
    const o = this.chart.options;
    const xs = o.scales?.x;
    const ys = o.scales?.y;
    for (const s of [xs, ys]) {
      if (s === undefined) continue;
      if (s.ticks) s.ticks.color = t.muted;
      if (s.grid) s.grid.color = t.grid;
      if (s.border) s.border.color = t.grid;
    }
    if (xs && 'title' in xs && xs.title) xs.title.color = t.muted;
    if (o.plugins?.title) o.plugins.title.color = t.foreground;
    this.needsUpdate = true;
  }

  private styleEntry(e: Entry): void {
    const smoothing = (e.smoothed = this.owner.smoothes(e.runId, this.metric));
    const color = this.owner.colorOf(e.runId);
    const label = this.owner.labelOf(e.runId);
    const hidden = this.owner.isHidden(e.runId);
    e.raw.label = smoothing ? `${label} (raw)` : label;
    e.raw.borderColor = smoothing ? withAlpha(color, 0.22) : color;
    e.raw.borderWidth = smoothing ? 1 : 1.5;
    e.raw.hidden = hidden;
    e.smooth.label = label;
    e.smooth.borderColor = color;
    e.smooth.borderWidth = 1.75;
    e.smooth.hidden = hidden || !smoothing;
  }

  /**
   * New rows may show a series to be smooth after all (or noisy): restyle the runs whose smoothing
   * changed. Returns true when one did.
   */
  refreshSmoothing(runIds: Iterable<string>): boolean {
    let changed = false;
    for (const id of runIds) {
      const e = this.entries.get(id);
      if (e === undefined || this.owner.smoothes(id, this.metric) === e.smoothed) continue;
      this.styleEntry(e);
      changed = true;
    }
    if (changed) this.needsUpdate = true;
    return changed;
  }

  hasRun(runId: string): boolean {
    return this.entries.has(runId);
  }

  hasData(): boolean {
    for (const e of this.entries.values()) if ((this.owner.series(e.runId)?.length ?? 0) > 0) return true;
    return false;
  }

  update(): void {
    this.chart.update('none');
    this.needsUpdate = false;
    if (!this.zoomRestored && this.hasData()) {
      this.zoomRestored = true;
      this.restoreZoomPending?.();
    }
  }

  private restoreZoomPending: (() => void) | undefined;

  /** Zoom to restore once the chart has data (the zoom plugin needs the scales' original range). */
  setInitialZoom(z: ZoomRange | undefined): void {
    const x = zoomFitsAxis(z?.x, this.logX);
    const y = zoomFitsAxis(z?.y, this.logY);
    if (x === undefined && y === undefined) return;
    this.restoreZoomPending = () => {
      if (x) this.chart.zoomScale('x', { min: x[0], max: x[1] }, 'none');
      if (y) this.chart.zoomScale('y', { min: y[0], max: y[1] }, 'none');
    };
  }

  /** The chart's zoomed ranges, for the view state. */
  zoomRange(): ZoomRange | undefined {
    const b = this.chart.getZoomedScaleBounds();
    const out: ZoomRange = {};
    if (b.x && Number.isFinite(b.x.min) && Number.isFinite(b.x.max) && b.x.min < b.x.max) out.x = [b.x.min, b.x.max];
    if (b.y && Number.isFinite(b.y.min) && Number.isFinite(b.y.max) && b.y.min < b.y.max) out.y = [b.y.min, b.y.max];
    return out.x || out.y ? out : undefined;
  }

  resetZoom(): void {
    this.chart.resetZoom('none');
  }

  /** The visible x range that decimation covers: the zoomed range, else the data's (rounded up so it changes rarely while streaming). */
  private xRange(scale: Scale): [number, number] {
    const b = scale.getUserBounds();
    let lo = Infinity;
    let hi = -Infinity;
    if (!b.minDefined || !b.maxDefined) {
      for (const e of this.entries.values()) {
        if (this.owner.isHidden(e.runId)) continue;
        const s = this.owner.series(e.runId);
        const key = s?.xKey(this.xAxis);
        const ext = key === undefined ? undefined : s?.extent(key);
        if (ext === undefined || ext.finite === 0) continue;
        const min = this.logX ? ext.minPositive : ext.min;
        if (min < lo) lo = min;
        if (ext.max > hi) hi = ext.max;
      }
      if (!(lo <= hi)) {
        lo = this.logX ? 1 : 0;
        hi = this.logX ? 10 : 1;
      }
      hi = autoUpperBound(lo, hi);
    }
    return [b.minDefined ? b.min : lo, b.maxDefined ? b.max : hi];
  }

  /**
   * Brings every run's drawn points up to date (beforeElementsUpdate). Incremental: with the range
   * and width unchanged, only rows appended since the last pass are read.
   */
  private decimate(chart: Chart<'optlabLine', XY[]>): void {
    // The chart comes from the hook: its first update runs inside its constructor, before this.chart is set.
    const scale = chart.scales.x;
    if (scale === undefined) return;
    const [xMin, xMax] = this.xRange(scale);
    const width = chart.chartArea?.width ?? chart.width;
    const buckets = Math.max(32, Math.round(width > 0 ? width : 600));
    for (const e of this.entries.values()) {
      const smoothing = e.smoothed;
      const s = this.owner.series(e.runId);
      const xs = s?.x(this.xAxis);
      const ys = s?.column(this.metric);
      if (s === undefined || xs === undefined || ys === undefined || this.owner.isHidden(e.runId)) {
        e.rawDec.reset();
        e.smoothDec.reset();
        continue;
      }
      const sorted = s.isMonotone(s.xKey(this.xAxis)!);
      const opts = { xMin, xMax, buckets, logX: this.logX, logY: this.logY, sorted };
      // Behind a smoothed line the faint raw series is drawn at half the resolution (2 px
      // buckets): a quarter fewer points for Chart.js to lay out, no visible difference.
      const rawOpts = smoothing ? { ...opts, buckets: Math.ceil(buckets / 2) } : opts;
      const sm = smoothing ? this.owner.smoothed(e.runId, this.metric, s) : undefined;
      if (sorted) {
        e.rawDec.update(xs, ys, s.length, rawOpts, s.generation);
        if (sm) e.smoothDec.update(xs, sm.values, s.length, opts, sm);
        else e.smoothDec.reset();
      } else {
        // Rare (x went backwards): a full pass each time.
        e.rawDec.reset();
        e.smoothDec.reset();
        decimateMinMax(xs, ys, s.length, rawOpts, e.rawDec.out);
        if (sm) decimateMinMax(xs, sm.values, s.length, opts, e.smoothDec.out);
      }
      // Same arrays, new contents: Chart.js re-reads them (parsing is off).
      e.raw.data = e.rawDec.out;
      e.smooth.data = e.smoothDec.out;
    }
  }

  // ---- hover: crosshair on every chart, the tooltip listing every run on this one ----

  private queueHover(e: MouseEvent): void {
    this.hoverEvent = e;
    if (this.hoverQueued) return;
    this.hoverQueued = true;
    requestAnimationFrame(() => {
      this.hoverQueued = false;
      const ev = this.hoverEvent;
      if (ev === null) return;
      const rect = this.canvas.getBoundingClientRect();
      const px = ev.clientX - rect.left;
      const py = ev.clientY - rect.top;
      const area = this.chart.chartArea;
      const scale = this.chart.scales.x;
      if (area === undefined || scale === undefined || px < area.left || px > area.right || py < area.top || py > area.bottom || this.chart.isZoomingOrPanning()) {
        this.owner.hover(null, this);
        return;
      }
      this.owner.hover(scale.getValueForPixel(px) ?? null, this, px, py);
    });
  }

  showCrosshair(x: number | null): void {
    const area = this.chart.chartArea;
    const scale = this.chart.scales.x;
    const px = x === null || scale === undefined ? NaN : scale.getPixelForValue(x);
    if (area === undefined || !(px >= area.left && px <= area.right)) {
      this.crosshair.classList.add('hidden');
      return;
    }
    this.crosshair.classList.remove('hidden');
    this.crosshair.style.left = `${Math.round(px)}px`;
    this.crosshair.style.top = `${Math.round(area.top)}px`;
    this.crosshair.style.height = `${Math.round(area.bottom - area.top)}px`;
  }

  hideTooltip(): void {
    this.tooltip.classList.add('hidden');
  }

  /** Every visible run's value at the row nearest to x, sorted by value. */
  showTooltip(x: number, px: number, py: number): void {
    let smoothing = false;
    const rows: { runId: string; value: number; raw: number; at: number; smoothed: boolean }[] = [];
    for (const e of this.entries.values()) {
      if (this.owner.isHidden(e.runId)) continue;
      const s = this.owner.series(e.runId);
      const xs = s?.x(this.xAxis);
      const ys = s?.column(this.metric);
      if (s === undefined || xs === undefined || ys === undefined) continue;
      const i = nearestIndex(xs, ys, s.length, x, s.isMonotone(s.xKey(this.xAxis)!));
      if (i < 0) continue;
      const value = e.smoothed ? this.owner.smoothed(e.runId, this.metric, s).values[i] : ys[i];
      if (e.smoothed) smoothing = true;
      rows.push({ runId: e.runId, value, raw: ys[i], at: xs[i], smoothed: e.smoothed });
    }
    if (rows.length === 0) {
      this.hideTooltip();
      return;
    }
    rows.sort((a, b) => (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : a.value - b.value));
    const title = el('div', { class: 'tt-title', text: `${X_TITLES[this.xAxis]} ${formatNumber(x)}` });
    const table = el('table', { class: 'tt-rows' });
    // As many rows as fit the window (lowest values first), then a count of the rest.
    const fit = Math.max(3, Math.floor((window.innerHeight - 48) / 17));
    const shown = rows.length > fit ? rows.slice(0, fit - 1) : rows;
    for (const r of shown) {
      table.append(
        el('tr', {}, [
          el('td', {}, [swatch(this.owner.colorOf(r.runId))]),
          el('td', { class: 'tt-label', text: this.owner.labelOf(r.runId) }),
          el('td', { class: 'tt-value', text: formatNumber(r.value) }),
          smoothing ? el('td', { class: 'tt-raw', text: r.smoothed ? `(${formatNumber(r.raw)})` : '' }) : null,
          el('td', { class: 'tt-at', text: `@ ${formatNumber(r.at)}` }),
        ]),
      );
    }
    const more = rows.length - shown.length;
    this.tooltip.replaceChildren(title, table, more > 0 ? el('div', { class: 'tt-more', text: `\u2026 ${more} more runs` }) : '');
    this.tooltip.classList.remove('hidden');
    // Fixed to the viewport beside the pointer, flipped near the right and bottom edges.
    const rect = this.canvas.getBoundingClientRect();
    const cx = rect.left + px;
    const cy = rect.top + py;
    const w = this.tooltip.offsetWidth;
    const h = this.tooltip.offsetHeight;
    const left = cx + 16 + w > window.innerWidth ? Math.max(0, cx - 16 - w) : cx + 16;
    const top = Math.max(0, Math.min(cy - h / 2, window.innerHeight - h));
    this.tooltip.style.left = `${Math.round(left)}px`;
    this.tooltip.style.top = `${Math.round(top)}px`;
  }

  destroy(): void {
    if (this.started) this.chart.destroy();
    this.card.remove();
  }
}
