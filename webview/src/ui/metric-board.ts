// The live chart machinery shared by the Run dashboard and Compare panels: a toolbar (x axis,
// log axes, smoothing, zoom axis, metric, reset zoom), a run legend with status badges, and one
// MetricChart per metric. Rows go into the columnar store as they arrive; drawing happens at most
// once per animation frame, and only charts whose runs changed are updated.
import type { HostMessage, RunInfo, RunMetrics } from '../../../engine/src/protocol/view-messages';
import { autoLogX, autoLogY, resolveScale, xSample, type ScaleChoice, type XSample } from '../model/axis-scale';
import { SeriesPalette } from '../model/colors';
import { FrameScheduler } from '../model/frame';
import { SeriesStore, type RunSeries, type XAxisKind } from '../model/series-store';
import { clampSmoothing, MAX_SMOOTHING, SmoothedSeries } from '../model/smoothing';
import type { BoardState, ZoomMode } from '../model/view-state';
import { formatInteger } from '../model/format';
import { assignRunColors, colorScheme, type ColorRun } from '../model/run-colors';
import { runDisplayLabel } from '../model/run-label';
import { drawnMetrics, layoutMetrics, type MetricLayout } from '../model/metric-groups';
import { applyChartDefaults } from './chartjs';
import { el, swatch } from './dom';
import type { LegendEntry } from './export';
import { InternalsSection } from './internals-section';
import { MetricChart, type ChartOwner } from './metric-chart';
import type { PanelImpl } from './panel';
import type { Theme } from './theme';

/** Series whose direction turns at fewer than this fraction of their moves are not smoothed (noise turns at about 2/3). */
const SMOOTH_ROUGHNESS = 0.2;

export interface BoardIO {
  /** Saves the board state (vscode setState). */
  persist(): void;
  openRun?(runId: string): void;
  report(err: unknown): void;
}

export interface BoardOptions {
  /** Clicking a run's name asks the host to open it. */
  openRunFromLegend?: boolean;
  /** After each drawn frame (Compare refreshes its tables). */
  onFrame?: (changedRuns: ReadonlySet<string>) => void;
}

interface LegendItem {
  li: HTMLLIElement;
  badge: HTMLSpanElement;
  count: HTMLSpanElement;
}

export class MetricBoard implements ChartOwner {
  readonly store = new SeriesStore();
  readonly element: HTMLDivElement;
  theme: Theme;
  private readonly scheduler: FrameScheduler;
  private readonly order: string[] = [];
  private readonly infos = new Map<string, RunInfo>();
  private readonly listed = new Set<string>();
  private readonly statuses = new Map<string, string>();
  private readonly colorIndex = new Map<string, number>();
  private readonly charts = new Map<string, MetricChart>();
  private readonly smoothers = new Map<string, { gen: number; s: SmoothedSeries }>();
  private readonly changed = new Set<string>();
  private readonly legendItems = new Map<string, LegendItem>();
  private seenColumns = -1;
  private palette: SeriesPalette;
  private colors: Map<string, string> | undefined;
  /** The scales the charts use (the user's choice, else the automatic one). */
  private scales = { logX: false, logY: new Map<string, boolean>() };
  private scalesDirty = true;
  private legendExpanded = false;
  /** The legend has a heading per optimizer label (runs coloured in hue families). */
  private legendGrouped = false;
  private runsChanged = true;
  private styleChanged = false;
  private readonly frameTask = () => this.frame();
  /** Frame pacing while rows pour in (see request()). */
  private lastFrameMs = 0;
  private lastFrameEnd = -Infinity;
  private lastInput = -Infinity;
  /** Frames drawn and the time of the last one, for diagnostics. */
  readonly stats = { frames: 0, lastFrameMs: 0, frameMs: 0, firstDataFrameAt: 0 };

  // toolbar
  private readonly xSelect: HTMLSelectElement;
  private readonly xScaleSelect: HTMLSelectElement;
  private readonly yScaleSelect: HTMLSelectElement;
  private readonly smoothRange: HTMLInputElement;
  private readonly smoothValue: HTMLOutputElement;
  private readonly zoomSelect: HTMLSelectElement;
  private readonly metricSelect: HTMLSelectElement;
  private readonly legend: HTMLUListElement;
  private readonly legendBar: HTMLDivElement;
  private readonly grid: HTMLDivElement;
  private readonly internals: InternalsSection;
  private readonly empty: HTMLDivElement;

  constructor(
    readonly state: BoardState,
    theme: Theme,
    private readonly io: BoardIO,
    private readonly options: BoardOptions = {},
  ) {
    this.theme = theme;
    applyChartDefaults(theme);
    this.scheduler = new FrameScheduler((cb) => requestAnimationFrame(cb), (err) => io.report(err));

    const opt = (value: string, text: string) => el('option', { text, attrs: { value } });
    this.xSelect = el('select', { attrs: { 'aria-label': 'x axis' } }, [opt('step', 'step'), opt('examples', 'examples seen'), opt('wallTime', 'wall time')]);
    this.xSelect.value = state.xAxis;
    this.xSelect.addEventListener('change', () => this.setAxes({ xAxis: this.xSelect.value as XAxisKind }));
    const scaleSelect = (name: string, value: ScaleChoice, onChange: (v: ScaleChoice) => void) => {
      const sel = el('select', { attrs: { 'aria-label': name } }, [opt('auto', 'auto'), opt('linear', 'linear'), opt('log', 'log')]);
      sel.value = value;
      sel.addEventListener('change', () => onChange(sel.value as ScaleChoice));
      return sel;
    };
    this.xScaleSelect = scaleSelect('x scale', state.xScale, (v) => this.setAxes({ xScale: v }));
    this.yScaleSelect = scaleSelect('y scale', state.yScale, (v) => this.setAxes({ yScale: v }));
    this.smoothRange = el('input', { class: 'smoothing', attrs: { type: 'range', min: 0, max: MAX_SMOOTHING, step: 0.001, 'aria-label': 'smoothing' } });
    this.smoothRange.value = String(state.smoothing);
    this.smoothValue = el('output', { class: 'smoothing-value', text: state.smoothing.toFixed(3) });
    this.smoothRange.addEventListener('input', () => this.setSmoothing(Number(this.smoothRange.value)));
    this.zoomSelect = el('select', { attrs: { 'aria-label': 'zoom axis' } }, [opt('xy', 'x and y'), opt('x', 'x only'), opt('y', 'y only')]);
    this.zoomSelect.value = state.zoomMode;
    this.zoomSelect.addEventListener('change', () => {
      this.state.zoomMode = this.zoomSelect.value as ZoomMode;
      this.io.persist();
    });
    this.metricSelect = el('select', { attrs: { 'aria-label': 'metric' } }, [opt('', 'all metrics')]);
    this.metricSelect.addEventListener('change', () => {
      this.state.metric = this.metricSelect.value;
      this.io.persist();
      this.seenColumns = -1;
      this.request();
    });
    const resetButton = el('button', { text: 'Reset zoom', class: 'reset-zoom', title: 'Reset the zoom of every chart (double-click a chart to reset that one)' });
    resetButton.addEventListener('click', () => this.resetZoom());

    const label = (text: string, control: HTMLElement) => el('label', { class: 'control' }, [el('span', { text }), control]);
    const toolbar = el('div', { class: 'toolbar', attrs: { role: 'toolbar' } }, [
      label('x axis', this.xSelect),
      label('x scale', this.xScaleSelect),
      label('y scale', this.yScaleSelect),
      label('smoothing', el('span', { class: 'smoothing-group' }, [this.smoothRange, this.smoothValue])),
      label('zoom', this.zoomSelect),
      label('metric', this.metricSelect),
      resetButton,
      el('span', { class: 'hint', text: 'wheel: zoom \u00b7 drag: pan \u00b7 shift+drag: zoom to box \u00b7 double-click: reset' }),
    ]);
    this.legend = el('ul', { class: 'run-legend', attrs: { 'aria-label': 'runs' } });
    this.legendBar = el('div', { class: 'legend-bar hidden' });
    this.grid = el('div', { class: 'chart-grid' });
    this.empty = el('div', { class: 'empty', text: 'Waiting for runs\u2026' });
    this.internals = new InternalsSection(state, () => {
      this.io.persist();
      this.seenColumns = -1;
      this.request();
    });
    this.element = el('div', { class: 'metric-board' }, [toolbar, this.legend, this.legendBar, this.empty, this.grid, this.internals.element]);
    this.palette = new SeriesPalette(theme.palette, theme.background, theme.dark);
  }

  // ---- input from the host ----

  /** The panel's run list (replaces the previous one; runs that left it are dropped). */
  setRuns(runs: readonly RunInfo[]): void {
    const ids = new Set(runs.map((r) => r.id));
    for (const id of [...this.listed]) {
      if (ids.has(id)) continue;
      this.listed.delete(id);
      this.infos.delete(id);
      this.store.delete(id);
      const k = this.order.indexOf(id);
      if (k >= 0) this.order.splice(k, 1);
    }
    for (const r of runs) {
      this.infos.set(r.id, r);
      this.listed.add(r.id);
      this.statuses.set(r.id, r.status);
      this.addRun(r.id);
    }
    this.colors = undefined;
    this.runsChanged = true;
    this.styleChanged = true;
    this.request();
  }

  /** Rows of one run (row objects or columns), into the columnar store. */
  ingest(m: RunMetrics): void {
    this.addRun(m.runId);
    this.store.ingest(m);
    if (m.reset === true) this.smoothers.forEach((_, k) => k.startsWith(`${m.runId}\u0000`) && this.smoothers.delete(k));
    this.changed.add(m.runId);
    this.lastInput = performance.now();
    this.request();
  }

  /** Rows of several runs (a metricsBatch message). */
  ingestBatch(batches: readonly RunMetrics[]): void {
    for (const m of batches) this.ingest(m);
  }

  /** Routes the host's run, metric and status messages to the board; other messages are ignored. */
  receive(msg: HostMessage): void {
    switch (msg.type) {
      case 'runs':
        this.setRuns(msg.runs);
        break;
      case 'metrics':
        this.ingest(msg);
        break;
      case 'metricsBatch':
        this.ingestBatch(msg.batches);
        break;
      case 'runStatus':
        this.setRunStatus(msg.runId, msg.status, msg.summary);
        break;
      default:
        // criticalBatch: not a board's business.
        break;
    }
  }

  setRunStatus(runId: string, status: string, summary?: Record<string, unknown>): void {
    this.statuses.set(runId, status);
    const info = this.infos.get(runId);
    if (info && summary) info.summary = summary;
    const item = this.legendItems.get(runId);
    if (item && !this.legendGrouped) this.renderBadge(item.badge, status);
    else {
      // Grouped: the group's heading sums up its statuses; the legend is redrawn with the frame.
      this.addRun(runId);
      this.runsChanged = true;
      this.request();
    }
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    applyChartDefaults(theme);
    this.palette = new SeriesPalette(theme.palette, theme.background, theme.dark);
    this.colors = undefined;
    this.runsChanged = true;
    this.styleChanged = true;
    this.request();
  }

  private addRun(runId: string): void {
    if (this.colorIndex.has(runId)) {
      if (!this.order.includes(runId)) this.order.push(runId);
      return;
    }
    this.colorIndex.set(runId, this.colorIndex.size);
    this.order.push(runId);
    this.colors = undefined;
    this.runsChanged = true;
  }

  // ---- ChartOwner ----

  smoothing(): number {
    return this.state.smoothing;
  }
  /**
   * Smoothing removes noise; a series without any (an expected loss computed in closed form, a
   * learning-rate schedule) would only be drawn late, with a faint twin beside it: it is drawn as is.
   */
  smoothes(runId: string, metric: string): boolean {
    if (!(this.state.smoothing > 0)) return false;
    const r = this.store.get(runId)?.roughness(metric);
    return r === undefined || r >= SMOOTH_ROUGHNESS;
  }
  zoomMode(): ZoomMode {
    return this.state.zoomMode;
  }
  isHidden(runId: string): boolean {
    return this.state.hiddenRuns.includes(runId);
  }
  series(runId: string): RunSeries | undefined {
    return this.store.get(runId);
  }
  smoothed(runId: string, metric: string, series: RunSeries): SmoothedSeries {
    const key = `${runId}\u0000${metric}`;
    let c = this.smoothers.get(key);
    if (c === undefined || c.gen !== series.generation || c.s.weight !== clampSmoothing(this.state.smoothing)) {
      c = { gen: series.generation, s: new SmoothedSeries(this.state.smoothing) };
      this.smoothers.set(key, c);
    }
    const ys = series.column(metric);
    if (ys !== undefined) c.s.extend(ys, series.length);
    return c.s;
  }
  colorOf(runId: string): string {
    if (this.colors === undefined) this.colors = assignRunColors(this.colorRuns(), this.palette);
    return this.colors.get(runId) ?? this.palette.color(this.colorIndex.get(runId) ?? 0);
  }
  /** "SGD p=0.5 · B=1024": the label with the batch size, when the host described the run. */
  labelOf(runId: string): string {
    const info = this.infos.get(runId);
    return info ? runDisplayLabel(info) : runId;
  }
  private colorRuns(): ColorRun[] {
    return this.order.map((id) => {
      const info = this.infos.get(id);
      return { id, index: this.colorIndex.get(id) ?? 0, ...(info && { label: info.label }), ...(info?.batchSize !== undefined && { batchSize: info.batchSize }) };
    });
  }
  zoomChanged(chart: MetricChart): void {
    const z = chart.zoomRange();
    if (z) this.state.zoom[chart.metric] = z;
    else delete this.state.zoom[chart.metric];
    this.io.persist();
  }
  hover(x: number | null, source: MetricChart, px?: number, py?: number): void {
    for (const c of this.charts.values()) {
      c.showCrosshair(x);
      if (c !== source || x === null) c.hideTooltip();
    }
    if (x !== null && px !== undefined && py !== undefined) source.showTooltip(x, px, py);
  }

  // ---- user controls ----

  private setAxes(change: Partial<Pick<BoardState, 'xAxis' | 'xScale' | 'yScale'>>): void {
    Object.assign(this.state, change);
    // A zoom range means nothing on another axis.
    this.state.zoom = {};
    this.io.persist();
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
    this.seenColumns = -1;
    this.scalesDirty = true;
    this.request();
  }

  /**
   * The scales the charts should use now; true when they differ from the ones the charts have
   * (automatic scales follow the data: a run that grows to span decades switches to log once).
   */
  private updateScales(): boolean {
    const kind = this.effectiveXAxis();
    const ids = this.order.filter((id) => this.store.get(id) !== undefined);
    const logX = resolveScale(this.state.xScale, () => {
      const samples: XSample[] = [];
      for (const id of ids) {
        const s = this.store.get(id)!;
        const key = s.xKey(kind);
        const x = key === undefined ? undefined : xSample(s, key);
        if (x) samples.push(x);
      }
      return autoLogX(samples);
    });
    const logY = new Map<string, boolean>();
    for (const m of this.store.metricKeys()) {
      logY.set(
        m,
        resolveScale(this.state.yScale, () =>
          autoLogY(
            m,
            ids.flatMap((id) => this.store.get(id)!.extent(m) ?? []),
          ),
        ),
      );
    }
    const before = this.scales;
    const changed = before.logX !== logX || logY.size !== before.logY.size || [...logY].some(([m, v]) => before.logY.get(m) !== v);
    this.scales = { logX, logY };
    if (changed) this.syncScaleOptions();
    return changed;
  }

  /** The 'auto' entries say what auto chose. */
  private syncScaleOptions(): void {
    const xAuto = this.xScaleSelect.options[0];
    xAuto.textContent = this.state.xScale === 'auto' ? `auto (${this.scales.logX ? 'log' : 'linear'})` : 'auto';
    const yAuto = this.yScaleSelect.options[0];
    const logs = [...this.scales.logY].filter(([, v]) => v).map(([m]) => m);
    let text = 'auto';
    if (this.state.yScale === 'auto' && this.scales.logY.size > 0) {
      if (logs.length === 0) text = 'auto (linear)';
      else if (logs.length === this.scales.logY.size) text = 'auto (log)';
      else text = `auto (log: ${logs.length <= 2 ? logs.join(', ') : `${logs.length} charts`})`;
    }
    yAuto.textContent = text;
    this.yScaleSelect.title = logs.length > 0 && this.state.yScale === 'auto' ? `log y: ${logs.join(', ')}` : '';
  }

  private setSmoothing(w: number): void {
    this.state.smoothing = clampSmoothing(w);
    this.smoothValue.textContent = this.state.smoothing.toFixed(3);
    this.smoothers.clear();
    this.styleChanged = true;
    this.io.persist();
    this.request();
  }

  private toggleRuns(runIds: readonly string[], visible: boolean): void {
    const hidden = new Set(this.state.hiddenRuns);
    for (const id of runIds) {
      if (visible) hidden.delete(id);
      else hidden.add(id);
    }
    this.state.hiddenRuns = [...hidden];
    this.styleChanged = true;
    this.runsChanged = true;
    this.io.persist();
    this.request();
  }

  resetZoom(): void {
    for (const c of this.charts.values()) c.resetZoom();
    this.state.zoom = {};
    this.io.persist();
  }

  // ---- drawing ----

  /**
   * Asks for a frame. While rows keep arriving (a message less than QUIET_MS ago), frames are
   * spaced by at least max(MIN_BUSY_INTERVAL_MS, three times the last frame's cost): drawing then takes
   * at most about a quarter of the time and the messages are stored in between; once the burst ends
   * the next frame draws everything at once.
   */
  request(): void {
    this.scheduler.request(this.frameTask);
  }

  private static readonly QUIET_MS = 25;
  private static readonly MIN_BUSY_INTERVAL_MS = 200;

  private paced(): boolean {
    const now = performance.now();
    const busy = now - this.lastInput < MetricBoard.QUIET_MS;
    const interval = Math.max(MetricBoard.MIN_BUSY_INTERVAL_MS, 3 * this.lastFrameMs);
    return busy && now - this.lastFrameEnd < interval;
  }

  /** The x axis actually used: the chosen one when some run has it, else step. */
  effectiveXAxis(): XAxisKind {
    return this.store.hasXAxis(this.state.xAxis) ? this.state.xAxis : 'step';
  }

  private frame(): void {
    if (this.paced()) {
      this.scheduler.request(this.frameTask);
      return;
    }
    const t0 = performance.now();
    this.drawFrame();
    this.lastFrameEnd = performance.now();
    this.lastFrameMs = this.lastFrameEnd - t0;
    this.stats.frames++;
    this.stats.lastFrameMs = this.lastFrameMs;
    this.stats.frameMs += this.lastFrameMs;
    if (this.stats.firstDataFrameAt === 0 && this.charts.size > 0) this.stats.firstDataFrameAt = this.lastFrameEnd;
  }

  private drawFrame(): void {
    let relayout = this.store.columnsVersion !== this.seenColumns;
    if (relayout || this.scalesDirty || this.changed.size > 0) {
      this.scalesDirty = false;
      if (this.updateScales()) relayout = true;
    }
    if (relayout) {
      this.seenColumns = this.store.columnsVersion;
      this.layoutCharts();
      this.runsChanged = true;
    }
    if (this.runsChanged) {
      this.runsChanged = false;
      for (const c of this.charts.values()) c.sync(this.order);
      this.renderLegend();
      this.styleChanged = true;
    }
    if (this.styleChanged) {
      this.styleChanged = false;
      for (const c of this.charts.values()) c.applyStyle();
    }
    for (const c of this.charts.values()) {
      c.refreshSmoothing(this.changed);
      let dirty = c.needsUpdate;
      if (!dirty) for (const id of this.changed) if (c.hasRun(id)) dirty = true;
      if (dirty) c.update();
    }
    for (const id of this.changed) {
      const item = this.legendItems.get(id);
      if (item) item.count.textContent = this.countText(id);
    }
    const changed = new Set(this.changed);
    this.changed.clear();
    this.options.onFrame?.(changed);
  }

  /**
   * One chart per metric present (or the selected one): results in the main grid, optimizer
   * stats in the internals section (per-layer stats: the chosen layer only; none while closed).
   */
  private layoutCharts(): void {
    const metrics = this.store.metricKeys();
    this.syncMetricSelect(metrics);
    this.syncAxisOptions();
    const single = this.state.metric !== '' && metrics.includes(this.state.metric);
    const layout: MetricLayout = single ? { main: [this.state.metric], internals: [] } : layoutMetrics(metrics);
    const drawnInternals = this.internals.open ? layout.internals : [];
    const shown = drawnMetrics({ main: layout.main, internals: drawnInternals }, this.state.layers);
    const xAxis = this.effectiveXAxis();
    const logX = this.scales.logX;
    const logYOf = (m: string) => this.scales.logY.get(m) ?? false;
    for (const [m, c] of [...this.charts]) {
      if (!shown.includes(m) || c.xAxis !== xAxis || c.logX !== logX || c.logY !== logYOf(m)) {
        c.destroy();
        this.charts.delete(m);
      }
    }
    const created: MetricChart[] = [];
    for (const m of shown) {
      if (this.charts.has(m)) continue;
      const c = new MetricChart(this, m, xAxis, logX, logYOf(m));
      c.setInitialZoom(this.state.zoom[m]);
      this.charts.set(m, c);
      created.push(c);
    }
    const cards = layout.main.map((m) => this.charts.get(m)!.card);
    const current = [...this.grid.children];
    if (cards.length !== current.length || cards.some((c, i) => c !== current[i])) this.grid.replaceChildren(...cards);
    this.internals.render(layout.internals, this.internals.open ? (m) => this.charts.get(m)!.card : undefined);
    // Charts are made once their cards are laid out: Chart.js sizes them once, and draws once.
    for (const c of created) c.start();
    this.grid.classList.toggle('single', shown.length === 1);
    this.empty.classList.toggle('hidden', metrics.length > 0);
    this.empty.textContent = this.order.length === 0 ? 'No runs to show yet.' : 'Waiting for metrics\u2026';
  }

  private syncMetricSelect(metrics: readonly string[]): void {
    const want = ['', ...metrics];
    const have = [...this.metricSelect.options].map((o) => o.value);
    if (want.length !== have.length || want.some((v, i) => v !== have[i])) {
      this.metricSelect.replaceChildren(...want.map((v) => el('option', { text: v === '' ? 'all metrics' : v, attrs: { value: v } })));
    }
    // A restored selection may name a metric that has not arrived yet: keep it in the state.
    this.metricSelect.value = metrics.includes(this.state.metric) ? this.state.metric : '';
  }

  private syncAxisOptions(): void {
    for (const o of this.xSelect.options) o.disabled = !this.store.hasXAxis(o.value as XAxisKind);
    this.xSelect.value = this.effectiveXAxis();
    this.xSelect.title = this.store.hasXAxis('wallTime') ? '' : 'wall time needs a time or wallTime column in the metrics';
  }

  private countText(runId: string): string {
    const n = this.store.get(runId)?.length ?? 0;
    return n === 0 ? '' : `${formatInteger(n)} rows`;
  }

  private renderBadge(badge: HTMLSpanElement, status: string): void {
    // Under a group heading, which counts them, completed runs need no badge of their own.
    const quiet = this.legendGrouped && status === 'completed';
    badge.className = `badge status-${status.replace(/[^a-z]/gi, '')}${quiet ? ' hidden' : ''}`;
    badge.textContent = status;
  }

  private renderLegend(): void {
    this.legendItems.clear();
    this.legendGrouped = colorScheme(this.colorRuns()) === 'families';
    const items: HTMLLIElement[] = [];
    if (this.legendGrouped) {
      // A heading per optimizer label (in order of first appearance) that shows or hides all of
      // its runs, then its runs by batch size, as their shades go.
      const groups = new Map<string, string[]>();
      const loose: string[] = [];
      for (const id of this.order) {
        const label = this.infos.get(id)?.label;
        if (label === undefined) loose.push(id);
        else groups.set(label, [...(groups.get(label) ?? []), id]);
      }
      const b = (id: string) => this.infos.get(id)?.batchSize ?? Infinity;
      for (const [label, ids] of groups) {
        ids.sort((x, y) => b(x) - b(y));
        items.push(this.groupHeading(label, ids), ...ids.map((id) => this.legendItem(id)));
      }
      items.push(...loose.map((id) => this.legendItem(id)));
    } else {
      items.push(...this.order.map((id) => this.legendItem(id)));
    }
    this.legend.replaceChildren(...items);
    // Measured collapsed: does the list hold more rows than it shows?
    this.legend.classList.remove('expanded');
    const overflows = this.legend.scrollHeight > this.legend.clientHeight + 1;
    this.legend.classList.toggle('expanded', this.legendExpanded);
    this.renderLegendBar(overflows);
  }

  private legendItem(id: string): HTMLLIElement {
    const box = el('input', { attrs: { type: 'checkbox', 'aria-label': `show ${this.labelOf(id)}` } });
    box.checked = !this.isHidden(id);
    box.addEventListener('change', () => this.toggleRuns([id], box.checked));
    const info = this.infos.get(id);
    const details = [info?.optimizer, info?.batchSize !== undefined ? `batch size ${formatInteger(info.batchSize)}` : undefined, id].filter(Boolean).join(' \u00b7 ');
    let name: HTMLElement;
    if (this.options.openRunFromLegend && this.io.openRun) {
      const b = el('button', { class: 'link run-label', text: this.labelOf(id), title: `Open ${details}` });
      b.addEventListener('click', () => this.io.openRun?.(id));
      name = b;
    } else {
      name = el('span', { class: 'run-label', text: this.labelOf(id), title: details });
    }
    const badge = el('span', { class: 'badge' });
    this.renderBadge(badge, this.statuses.get(id) ?? 'unknown');
    const count = el('span', { class: 'run-count', text: this.countText(id) });
    const li = el('li', { class: 'run-item' }, [el('label', { class: 'run-toggle' }, [box, swatch(this.colorOf(id))]), name, badge, count]);
    this.legendItems.set(id, { li, badge, count });
    return li;
  }

  private groupHeading(label: string, ids: readonly string[]): HTMLLIElement {
    const shown = ids.filter((id) => !this.isHidden(id)).length;
    const box = el('input', { attrs: { type: 'checkbox', 'aria-label': `show every ${label} run` } });
    box.checked = shown > 0;
    box.indeterminate = shown > 0 && shown < ids.length;
    box.addEventListener('change', () => this.toggleRuns(ids, box.checked));
    const middle = ids[Math.floor((ids.length - 1) / 2)];
    // "10 runs, all completed" / "10 runs: 7 completed, 3 running".
    const counts = new Map<string, number>();
    for (const id of ids) {
      const st = this.statuses.get(id) ?? 'unknown';
      counts.set(st, (counts.get(st) ?? 0) + 1);
    }
    const runs = `${ids.length} run${ids.length === 1 ? '' : 's'}`;
    const status = counts.size === 1 ? `${runs}, ${ids.length === 1 ? '' : 'all '}${[...counts.keys()][0]}` : `${runs}: ${[...counts].map(([st, n]) => `${n} ${st}`).join(', ')}`;
    return el('li', { class: 'run-group' }, [
      el('label', { class: 'run-toggle' }, [box, swatch(this.colorOf(middle))]),
      el('span', { class: 'group-label', text: label }),
      el('span', { class: 'run-count', text: status }),
    ]);
  }

  /** Under a long legend: how many runs, and a button to show them all or fewer. */
  private renderLegendBar(overflows: boolean): void {
    const long = overflows;
    this.legendBar.classList.toggle('hidden', !long);
    if (!long) return;
    const b = el('button', { class: 'link legend-more', text: this.legendExpanded ? 'Show fewer' : `Show all ${this.order.length} runs` });
    b.addEventListener('click', () => {
      this.legendExpanded = !this.legendExpanded;
      this.renderLegend();
    });
    const hidden = this.order.filter((id) => this.isHidden(id)).length;
    this.legendBar.replaceChildren(el('span', { class: 'muted', text: `${this.order.length} runs${hidden ? `, ${hidden} hidden` : ''}` }), b);
  }

  // ---- export ----

  chartList(): { id: string; chart: unknown }[] {
    return [...this.charts.values()].map((c) => ({ id: c.metric, chart: c.chart }));
  }

  canvases(): HTMLCanvasElement[] {
    return [...this.charts.values()].map((c) => c.canvas);
  }

  legendEntries(): LegendEntry[] {
    return this.order.filter((id) => !this.isHidden(id) && this.store.get(id) !== undefined).map((id) => ({ label: this.labelOf(id), color: this.colorOf(id) }));
  }

  runOrder(): readonly string[] {
    return this.order;
  }

  runInfo(runId: string): RunInfo | undefined {
    return this.infos.get(runId);
  }

  /** Draws now (exports need the current data on the canvases). */
  flush(): void {
    this.lastInput = -Infinity;
    this.frame();
  }

  /** Whether a frame is still to come (for tests: wait until the board is idle). */
  pending(): boolean {
    return this.scheduler.pending();
  }
}

/** A panel that is a board and nothing more; panels that add to it override what they extend. */
export function boardPanel(board: MetricBoard): PanelImpl {
  return {
    handle: (msg) => board.receive(msg),
    setTheme: (t) => board.setTheme(t),
    canvases: () => board.canvases(),
    legend: () => board.legendEntries(),
    flush: () => board.flush(),
    charts: () => board.chartList(),
    stats: () => ({ ...board.stats, pending: board.pending() ? 1 : 0 }),
  };
}
