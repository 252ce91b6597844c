// Draws a chart's reference lines (model/reference-lines.ts) as dashed horizontal guides with a
// short label, in the theme's muted colour, under the data. A plugin instead of datasets: guides
// have no runs, must not show in tooltips or exports' legends, and cost nothing per update.
import type { Chart, Plugin, Scale } from 'chart.js';
import { rangeWithLines, type ReferenceLine } from '../model/reference-lines';
import { withAlpha } from '../model/colors';
import type { Theme } from './theme';

/** Stretches an unzoomed y scale to include every guide (call from the scale's afterDataLimits). */
export function fitReferenceLines(scale: Scale, lines: readonly ReferenceLine[]): void {
  if (lines.length === 0) return;
  const b = scale.getUserBounds();
  if (b.minDefined || b.maxDefined || !Number.isFinite(scale.min) || !Number.isFinite(scale.max)) return;
  [scale.min, scale.max] = rangeWithLines(scale.min, scale.max, lines);
}

export function referenceLinesPlugin(lines: readonly ReferenceLine[], theme: () => Theme): Plugin {
  return {
    id: 'optlabReferenceLines',
    beforeDatasetsDraw(chart: Chart) {
      const y = chart.scales.y;
      const area = chart.chartArea;
      if (lines.length === 0 || y === undefined || area === undefined) return;
      const t = theme();
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = withAlpha(t.muted, 0.8);
      ctx.fillStyle = t.muted;
      ctx.lineWidth = 1;
      ctx.setLineDash([4, 4]);
      ctx.font = `${Math.max(10, Math.round(t.fontSize * 0.8))}px ${t.fontFamily}`;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      for (const l of lines) {
        const py = y.getPixelForValue(l.value);
        if (!(py >= area.top && py <= area.bottom)) continue;
        ctx.beginPath();
        ctx.moveTo(area.left, Math.round(py) + 0.5);
        ctx.lineTo(area.right, Math.round(py) + 0.5);
        ctx.stroke();
        ctx.fillText(l.label, area.right - 4, py - 2);
      }
      ctx.restore();
    },
  };
}
