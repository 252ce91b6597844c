// Critical batch size: steps to target against batch size (log-log), one series per optimizer,
// with perfect-scaling references, the fitted S(B) = S_min (1 + B_crit / B) with S_min and B_crit
// marked, the NQM prediction when given; best learning rate against batch size; a click on a point
// opens its run; a summary table.
import type { ChartDataset, ChartEvent, Plugin } from 'chart.js';
import type { CriticalBatchMessage } from '../../../../engine/src/protocol/view-messages';
import type { CriticalBatchReport } from '../../../../engine/src/protocol';
import { SeriesPalette, withAlpha } from '../../model/colors';
import { buildCriticalBatchView, intervalLabel, validateReports, type CbPoint, type CriticalBatchView } from '../../model/critical-batch';
import { formatExponent, formatInteger, formatNumber, logTickLabel, powerOfTwoLabel } from '../../model/format';
import { sanitizeZoom, zoomFitsAxis, type ZoomRange } from '../../model/view-state';
import { applyChartDefaults, Chart } from '../../ui/chartjs';
import { el, swatch } from '../../ui/dom';
import { startPanel } from '../../ui/panel';
import type { Theme } from '../../ui/theme';

type Kind = 'points' | 'perfect' | 'fit' | 'smin' | 'knee' | 'prediction' | 'lr';
type CbDataset = ChartDataset<'scatter', CbPoint[]> & { optlabGroup: string; optlabKind: Kind };
type CbChart = Chart<'scatter', CbPoint[]>;

interface CbState {
  zoom: Record<string, ZoomRange>;
  hidden: string[];
  /** Draw the NQM prediction when the host sends one (neural sweeps). */
  showPrediction: boolean;
}

function sanitizeCbState(v: unknown): CbState {
  const o = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  return {
    zoom: sanitizeZoom(o.zoom),
    hidden: Array.isArray(o.hidden) ? o.hidden.filter((h): h is string => typeof h === 'string') : [],
    showPrediction: typeof o.showPrediction === 'boolean' ? o.showPrediction : true,
  };
}

startPanel('criticalBatch', ({ host, app, header, theme: initialTheme, saved }) => {
  let theme = initialTheme;
  applyChartDefaults(theme);
  const state = sanitizeCbState(saved.criticalBatch);
  const persist = () => host.setState({ criticalBatch: state });
  let message: CriticalBatchMessage | undefined;
  let reports: CriticalBatchReport[] = [];
  let view: CriticalBatchView = { series: [], predictions: [], bRange: null };
  // One colour per optimizer label, the same in both charts and the table: palette colours in the
  // order the reports list the optimizers (the experiment's order), kept when the data refreshes.
  let palette = new SeriesPalette(theme.palette, theme.background, theme.dark);
  const colorIndex = new Map<string, number>();
  const colorOf = (label: string) => {
    if (!colorIndex.has(label)) colorIndex.set(label, colorIndex.size);
    return palette.color(colorIndex.get(label)!);
  };

  const subtitle = el('p', { class: 'muted subtitle', text: 'Waiting for the experiment\u2019s results\u2026' });
  header.append(subtitle);
  const resetButton = el('button', { class: 'reset-zoom', text: 'Reset zoom' });
  // Shown only when there is a prediction to overlay.
  const predictionBox = el('input', { attrs: { type: 'checkbox', 'aria-label': 'show the NQM prediction' } });
  predictionBox.checked = state.showPrediction;
  let subtitleBase = '';
  const updateSubtitle = () => {
    const shown = state.showPrediction && view.predictions.length > 0;
    subtitle.textContent = `${subtitleBase}${shown ? ', with the NQM prediction (its shape, scaled to the measured steps at the smallest batch size)' : ''}`;
  };
  predictionBox.addEventListener('change', () => {
    state.showPrediction = predictionBox.checked;
    updateSubtitle();
    persist();
    render();
  });
  const predictionToggle = el('label', { class: 'control prediction-toggle hidden', title: 'Overlay the noisy quadratic model\u2019s predicted steps to target for the same optimizers and batch sizes' }, [
    predictionBox,
    el('span', { text: 'NQM prediction' }),
  ]);
  const toolbar = el('div', { class: 'toolbar' }, [resetButton, predictionToggle, el('span', { class: 'hint', text: 'click a point to open its run \u00b7 wheel: zoom \u00b7 drag: pan \u00b7 double-click: reset' })]);
  const stepsCanvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'steps to target against batch size' } });
  const lrCanvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'best learning rate against batch size' } });
  const omitted = el('div', { class: 'omitted hidden' });
  const summary = el('section', { class: 'cb-summary' });
  app.append(
    toolbar,
    el('div', { class: 'cb-charts' }, [
      el('div', { class: 'chart-card cb-steps' }, [el('div', { class: 'chart-wrap' }, [stepsCanvas])]),
      el('div', { class: 'chart-card cb-lr' }, [el('div', { class: 'chart-wrap' }, [lrCanvas])]),
    ]),
    omitted,
    summary,
  );

  // B_crit: a vertical dashed line, its confidence interval as a band, and a label per optimizer;
  // S_min: a label at the asymptote's end.
  const markers: Plugin<'scatter'> = {
    id: 'optlabCriticalMarkers',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: area, scales } = chart;
      const x = scales.x;
      const y = scales.y;
      if (!area || !x || !y) return;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      const fontPx = Math.max(10, Math.round(theme.fontSize * 0.85));
      ctx.font = `${fontPx}px ${theme.fontFamily}`;
      const lineH = fontPx + 4;
      // Labels sit on a backing of the background colour, so lines and points behind stay out of the text.
      const label = (text: string, x: number, top: number, color: string) => {
        const w = ctx.measureText(text).width;
        ctx.fillStyle = withAlpha(theme.background, 0.8);
        ctx.fillRect(x - 2, top, w + 4, lineH);
        ctx.fillStyle = color;
        ctx.textBaseline = 'middle';
        ctx.fillText(text, x, top + lineH / 2);
      };
      let row = 0;
      const sMinLabels: { text: string; top: number; color: string }[] = [];
      for (const s of view.series) {
        if (s.bCrit === null || s.sMin === null || state.hidden.includes(s.label)) continue;
        const color = colorOf(s.label);
        const px = x.getPixelForValue(s.bCrit);
        if (s.interval) {
          // An open end (the data do not bound B_crit there) runs to the chart's edge.
          const lo = s.interval.low === null ? area.left : Math.max(area.left, x.getPixelForValue(s.interval.low));
          const hi = s.interval.high === null ? area.right : Math.min(area.right, x.getPixelForValue(s.interval.high));
          if (hi > lo) {
            ctx.fillStyle = withAlpha(color, 0.1);
            ctx.fillRect(lo, area.top, hi - lo, area.bottom - area.top);
            // An error bar at the knee (B_crit, 2 S_min), with caps at bounded ends.
            const ky = y.getPixelForValue(2 * s.sMin);
            ctx.strokeStyle = withAlpha(color, 0.9);
            ctx.lineWidth = 1.5;
            ctx.beginPath();
            ctx.moveTo(lo, ky);
            ctx.lineTo(hi, ky);
            if (s.interval.low !== null) { ctx.moveTo(lo, ky - 5); ctx.lineTo(lo, ky + 5); }
            if (s.interval.high !== null) { ctx.moveTo(hi, ky - 5); ctx.lineTo(hi, ky + 5); }
            ctx.stroke();
          }
        }
        if (px >= area.left && px <= area.right) {
          ctx.strokeStyle = withAlpha(color, 0.7);
          ctx.lineWidth = 1;
          ctx.setLineDash([4, 3]);
          ctx.beginPath();
          ctx.moveTo(px, area.top);
          ctx.lineTo(px, area.bottom);
          ctx.stroke();
          ctx.setLineDash([]);
          const text = `B_crit ${formatNumber(s.bCrit)}`;
          const w = ctx.measureText(text).width;
          const tx = px + 4 + w > area.right ? px - 4 - w : px + 4;
          label(text, tx, area.top + 4 + row * lineH, color);
          row++;
        }
        const py = y.getPixelForValue(s.sMin);
        if (py >= area.top && py <= area.bottom) sMinLabels.push({ text: `S_min ${formatNumber(s.sMin)}`, top: py - 2 - lineH, color });
      }
      // S_min labels at the right end of their asymptotes, moved apart where two would overlap.
      sMinLabels.sort((a, b) => a.top - b.top);
      for (let i = 1; i < sMinLabels.length; i++) sMinLabels[i].top = Math.max(sMinLabels[i].top, sMinLabels[i - 1].top + lineH);
      const overflow = sMinLabels.length ? sMinLabels[sMinLabels.length - 1].top + lineH - area.bottom : 0;
      if (overflow > 0) for (let i = sMinLabels.length - 1; i >= 0; i--) sMinLabels[i].top = Math.min(sMinLabels[i].top, area.bottom - lineH * (sMinLabels.length - i));
      for (const l of sMinLabels) label(l.text, area.right - 6 - ctx.measureText(l.text).width, l.top, l.color);
      ctx.restore();
    },
  };

  const logAxis = (title: string, base2: boolean) => ({
    type: 'logarithmic' as const,
    title: { display: true, text: title, color: theme.muted },
    ticks: {
      color: theme.muted,
      maxRotation: 0,
      autoSkipPadding: 10,
      callback: (v: number | string, _i: number, ticks: { value: number }[]) => (base2 ? powerOfTwoLabel(Number(v)) : logTickLabel(Number(v), ticks[0]?.value, ticks[ticks.length - 1]?.value)),
    },
    grid: { color: theme.grid },
    border: { color: theme.grid },
    // Batch sizes: ticks at the powers of two of the range.
    ...(base2
      ? {
          afterBuildTicks: (scale: { min: number; max: number; ticks: { value: number }[] }) => {
            const lo = Math.ceil(Math.log2(scale.min));
            const hi = Math.floor(Math.log2(scale.max));
            if (hi >= lo && hi - lo < 64) scale.ticks = Array.from({ length: hi - lo + 1 }, (_, i) => ({ value: 2 ** (lo + i) }));
          },
        }
      : {}),
  });

  function makeChart(canvas: HTMLCanvasElement, id: 'steps' | 'lr', title: string, yTitle: string): CbChart {
    const chart: CbChart = new Chart<'scatter', CbPoint[]>(canvas, {
      type: 'scatter',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        interaction: { mode: 'nearest', intersect: true },
        scales: { x: logAxis('batch size B', true), y: logAxis(yTitle, false) },
        plugins: {
          title: { display: true, text: title, align: 'start', color: theme.foreground, font: { weight: 'bold' } },
          legend: {
            display: true,
            position: 'bottom',
            labels: { color: theme.foreground, usePointStyle: true, filter: (item, data) => isLegendKind((data.datasets[item.datasetIndex ?? 0] as CbDataset).optlabKind) },
            onClick: (_e, item) => toggleGroup((chart.data.datasets[item.datasetIndex ?? 0] as CbDataset).optlabGroup),
          },
          tooltip: {
            filter: (item) => ['points', 'knee', 'lr'].includes((item.dataset as CbDataset).optlabKind),
            callbacks: { label: (item) => tooltipLabel(item.dataset as CbDataset, item.raw as CbPoint) },
          },
          zoom: {
            pan: { enabled: true, mode: 'xy', onPanComplete: () => saveZoom(id, chart) },
            zoom: { wheel: { enabled: true }, pinch: { enabled: true }, mode: 'xy', onZoomComplete: () => saveZoom(id, chart) },
          },
        },
        // Every point under the pointer (not only the nearest element, which may be a curve's).
        onHover: (e) => canvas.classList.toggle('clickable', pointsAt(chart, e).some((a) => runIdAt(chart, a.datasetIndex, a.index) !== undefined)),
        onClick: (e) => {
          for (const a of pointsAt(chart, e)) {
            const runId = runIdAt(chart, a.datasetIndex, a.index);
            if (runId !== undefined) {
              host.post({ type: 'openRun', runId });
              return;
            }
          }
        },
      },
      plugins: id === 'steps' ? [markers] : [],
    });
    canvas.addEventListener('dblclick', () => chart.resetZoom('none'));
    return chart;
  }

  const stepsChart = makeChart(stepsCanvas, 'steps', 'Steps to target against batch size', 'steps to target S');
  const lrChart = makeChart(lrCanvas, 'lr', 'Best learning rate against batch size', 'learning rate');
  const zoomPending: Record<string, boolean> = { steps: true, lr: true };
  resetButton.addEventListener('click', () => {
    stepsChart.resetZoom('none');
    lrChart.resetZoom('none');
    state.zoom = {};
    persist();
  });

  function isLegendKind(k: Kind): boolean {
    return k === 'points' || k === 'prediction' || k === 'lr';
  }

  function pointsAt(chart: CbChart, e: ChartEvent): { datasetIndex: number; index: number }[] {
    return e.native ? chart.getElementsAtEventForMode(e.native, 'point', { intersect: true }, false) : [];
  }

  function runIdAt(chart: CbChart, datasetIndex: number, index: number): string | undefined {
    const d = chart.data.datasets[datasetIndex] as CbDataset | undefined;
    if (d === undefined || (d.optlabKind !== 'points' && d.optlabKind !== 'lr')) return undefined;
    return d.data[index]?.runId;
  }

  function tooltipLabel(d: CbDataset, p: CbPoint): string {
    const open = p.runId ? ' (click to open the run)' : '';
    if (d.optlabKind === 'knee') {
      const s = view.series.find((x) => x.label === d.optlabGroup);
      return `${d.optlabGroup}: B_crit ${formatNumber(s?.bCrit)}, S_min ${formatNumber(s?.sMin)} (the fit is 2 S_min here)`;
    }
    if (d.optlabKind === 'lr') return `${d.optlabGroup}: B ${formatInteger(p.x)}, learning rate ${formatNumber(p.y)}${open}`;
    return `${d.optlabGroup}: B ${formatInteger(p.x)}, ${formatInteger(Math.round(p.y))} steps${open}`;
  }

  function toggleGroup(group: string): void {
    const hidden = new Set(state.hidden);
    if (hidden.has(group)) hidden.delete(group);
    else hidden.add(group);
    state.hidden = [...hidden];
    persist();
    render();
  }

  function saveZoom(id: string, chart: CbChart): void {
    const b = chart.getZoomedScaleBounds();
    const z: ZoomRange = {};
    if (b.x && b.x.min > 0 && b.x.min < b.x.max) z.x = [b.x.min, b.x.max];
    if (b.y && b.y.min > 0 && b.y.min < b.y.max) z.y = [b.y.min, b.y.max];
    if (z.x || z.y) state.zoom[id] = z;
    else delete state.zoom[id];
    persist();
  }

  function ds(group: string, kind: Kind, label: string, data: CbPoint[], style: Partial<ChartDataset<'scatter', CbPoint[]>>): CbDataset {
    return { label, data, optlabGroup: group, optlabKind: kind, hidden: state.hidden.includes(group), ...style } as CbDataset;
  }

  function stepsDatasets(): CbDataset[] {
    const out: CbDataset[] = [];
    const [from, to] = view.bRange ?? [1, 2];
    for (const s of view.series) {
      const c = colorOf(s.label);
      out.push(ds(s.label, 'points', s.label, s.points, { showLine: true, borderColor: c, backgroundColor: c, borderWidth: 1.25, pointRadius: 3.5, pointHoverRadius: 6, order: 0 }));
      if (s.perfect.length) out.push(ds(s.label, 'perfect', `${s.label}: perfect scaling`, s.perfect, { showLine: true, borderColor: withAlpha(c, 0.55), borderDash: [6, 4], borderWidth: 1, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, order: 2 }));
      if (s.fit.length) out.push(ds(s.label, 'fit', `${s.label}: fit`, s.fit, { showLine: true, borderColor: withAlpha(c, 0.5), borderWidth: 2.5, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, order: 1 }));
      if (s.sMin !== null)
        out.push(ds(s.label, 'smin', `${s.label}: S_min`, [{ x: from, y: s.sMin }, { x: to, y: s.sMin }], { showLine: true, borderColor: withAlpha(c, 0.4), borderDash: [2, 4], borderWidth: 1, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, order: 2 }));
      if (s.knee !== null) out.push(ds(s.label, 'knee', `${s.label}: B_crit`, [s.knee], { showLine: false, pointStyle: 'rectRot', pointRadius: 6, pointHoverRadius: 8, borderColor: c, backgroundColor: withAlpha(c, 0.25), borderWidth: 1.5, order: 0 }));
    }
    for (const p of state.showPrediction ? view.predictions : []) {
      const match = view.series.find((s) => p.label.endsWith(`: ${s.label}`));
      const c = match ? colorOf(match.label) : theme.foreground;
      const data = p.fit.length ? p.fit : p.points;
      if (data.length) out.push(ds(p.label, 'prediction', p.label, data, { showLine: true, borderColor: withAlpha(c, 0.85), borderDash: [1, 3], borderWidth: 2, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, order: 1 }));
    }
    return out;
  }

  function lrDatasets(): CbDataset[] {
    return view.series
      .filter((s) => s.learningRates.length > 0)
      .map((s) => {
        const c = colorOf(s.label);
        return ds(s.label, 'lr', s.label, s.learningRates, { showLine: true, borderColor: c, backgroundColor: c, borderWidth: 1.25, pointRadius: 3.5, pointHoverRadius: 6 });
      });
  }

  function styleAxes(chart: CbChart): void {
    const o = chart.options;
    for (const s of [o.scales?.x, o.scales?.y]) {
      if (!s) continue;
      if (s.ticks) s.ticks.color = theme.muted;
      if (s.grid) s.grid.color = theme.grid;
      if (s.border) s.border.color = theme.grid;
      if ('title' in s && s.title) s.title.color = theme.muted;
    }
    if (o.plugins?.title) o.plugins.title.color = theme.foreground;
    if (o.plugins?.legend?.labels) o.plugins.legend.labels.color = theme.foreground;
  }

  function render(): void {
    stepsChart.data.datasets = stepsDatasets();
    lrChart.data.datasets = lrDatasets();
    for (const [id, chart] of [['steps', stepsChart], ['lr', lrChart]] as const) {
      styleAxes(chart);
      chart.update('none');
      if (zoomPending[id] && chart.data.datasets.some((d) => d.data.length > 0)) {
        zoomPending[id] = false;
        const z = state.zoom[id];
        const x = zoomFitsAxis(z?.x, true);
        const y = zoomFitsAxis(z?.y, true);
        if (x) chart.zoomScale('x', { min: x[0], max: x[1] }, 'none');
        if (y) chart.zoomScale('y', { min: y[0], max: y[1] }, 'none');
      }
    }
    renderOmitted();
    renderSummary();
  }

  function renderOmitted(): void {
    const lines = view.series.filter((s) => s.omitted.length > 0).map((s) => el('li', {}, [swatch(colorOf(s.label)), el('span', { text: `${s.label}: B = ${s.omitted.map(powerOfTwoLabel).join(', ')}` })]));
    const failed = reports.flatMap((r) =>
      r.points
        .filter((p) => p.incomplete !== undefined && Array.isArray(p.incomplete.failed))
        .map((p) => el('li', {}, [swatch(colorOf(r.optimizer)), el('span', { text: `${r.optimizer} at B = ${powerOfTwoLabel(p.batchSize)}: ${p.incomplete!.failed.length} of ${p.incomplete!.trials} trials failed (${p.incomplete!.failed.map((f) => `${f.label}: ${f.message}`).join('; ')})` })])),
    );
    omitted.classList.toggle('hidden', lines.length === 0 && failed.length === 0);
    omitted.replaceChildren(
      ...(lines.length ? [el('h3', { text: 'Did not reach the target (not drawn)' }), el('ul', {}, lines)] : []),
      ...(failed.length ? [el('h3', { text: 'Incomplete: trials failed (not drawn, left out of the fit)' }), el('ul', { class: 'incomplete' }, failed)] : []),
    );
  }

  function renderSummary(): void {
    const head = el('tr', {}, ['optimizer', 'B_crit', 'interval', 'S_min (steps)', 'E_min (examples)', 'fit', 'warnings'].map((h) => el('th', { text: h, attrs: { scope: 'col' } })));
    const rows = reports.map((r) =>
      el('tr', {}, [
        el('th', { attrs: { scope: 'row' } }, [swatch(colorOf(r.optimizer)), el('span', { text: r.optimizer })]),
        el('td', { class: 'num', text: formatNumber(r.bCrit) }),
        el('td', { class: 'interval', text: r.bCrit === null ? '–' : intervalLabel(r) }),
        el('td', { class: 'num', text: formatNumber(r.sMin) }),
        el('td', { class: 'num', text: formatExponent(r.eMin) }),
        el('td', {}, [el('span', { class: `badge fit-${r.status}`, text: r.status })]),
        el('td', { class: 'warnings' }, [...(r.error ? [el('div', { class: 'error-text', text: r.error })] : []), ...r.warnings.map((w) => el('div', { text: w }))]),
      ]),
    );
    summary.replaceChildren(
      el('h2', { text: 'Critical batch size per optimizer' }),
      el('p', { class: 'muted', text: 'Fit of S(B) = S_min (1 + B_crit / B) to the measured steps; E_min = B_crit S_min examples. The band and error bar around each B_crit line are its interval (profile likelihood for one seed, a bootstrap over seeds with several).' }),
      el('div', { class: 'table-scroll' }, [el('table', { class: 'data-table' }, [el('thead', {}, [head]), el('tbody', {}, rows)])]),
    );
  }

  function onCriticalBatch(msg: CriticalBatchMessage): void {
    const a = validateReports(msg.reports, 'criticalBatch.reports');
    const b = validateReports(msg.prediction, 'criticalBatch.prediction');
    for (const p of [...a.problems, ...b.problems]) host.error(`ignored: ${p}`);
    message = msg;
    reports = a.reports;
    for (const r of reports) colorOf(r.optimizer);
    view = buildCriticalBatchView(a.reports, msg.runIds, b.reports);
    predictionToggle.classList.toggle('hidden', view.predictions.length === 0);
    subtitleBase = `${msg.experiment}: ${reports.length} optimizer${reports.length === 1 ? '' : 's'}`;
    updateSubtitle();
    render();
  }

  return {
    handle(msg) {
      if (msg.type === 'criticalBatch') onCriticalBatch(msg);
    },
    setTheme(t: Theme) {
      theme = t;
      palette = new SeriesPalette(t.palette, t.background, t.dark);
      applyChartDefaults(t);
      if (message) render();
      else
        for (const c of [stepsChart, lrChart]) {
          styleAxes(c);
          c.update('none');
        }
    },
    canvases: () => [stepsCanvas, lrCanvas],
    legend: () => [],
    flush: () => undefined,
    charts: () => [
      { id: 'steps', chart: stepsChart },
      { id: 'lr', chart: lrChart },
    ],
  };
});

