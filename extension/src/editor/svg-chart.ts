// A small static SVG line chart (for the hover over an optimizer entry: its latest loss curves).
// The hover shows it as an image, so it cannot use theme variables: mid-tone colours readable on
// light and dark themes. Every text is escaped; every point lies inside the viewBox.
import { decimateMinMax, type Point } from '../model/decimate';
import { formatNumber } from '../model/format';
import { escapeMarkup as escapeXml } from '../util/escape';

export interface SvgSeries {
  label: string;
  points: readonly Point[];
  color?: string;
}

export interface SvgChartOptions {
  width?: number;
  height?: number;
  logX?: boolean;
  logY?: boolean;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** A horizontal reference line (e.g. the target loss), drawn dashed. */
  referenceY?: { value: number; label: string };
}

export const PALETTE = ['#3b82f6', '#f97316', '#10b981', '#ef4444', '#a855f7', '#eab308', '#06b6d4', '#ec4899', '#84cc16', '#64748b'];
const TEXT = '#8b8b8b';
const GRID = '#8b8b8b';
const MAX_LEGEND = 8;

export { escapeMarkup as escapeXml } from '../util/escape';

interface Axis {
  log: boolean;
  lo: number;
  hi: number;
}

const tf = (v: number, log: boolean) => (log ? Math.log10(v) : v);
const drawable = (v: number, log: boolean) => Number.isFinite(v) && (!log || v > 0);

function axisOf(values: number[], log: boolean): Axis | undefined {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!drawable(v, log)) continue;
    const t = tf(v, log);
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (lo === Number.POSITIVE_INFINITY) return undefined;
  if (hi === lo) {
    const pad = log ? 0.5 : Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  return { log, lo, hi };
}

/** Tick values (in data units) for an axis: decades on a log axis, 1-2-5 steps on a linear one. */
export function ticks(axis: Axis, maxTicks = 5): number[] {
  if (axis.log) {
    const from = Math.ceil(axis.lo - 1e-9);
    const to = Math.floor(axis.hi + 1e-9);
    const count = to - from + 1;
    const stride = Math.max(1, Math.ceil(count / maxTicks));
    const out: number[] = [];
    for (let k = from; k <= to; k += stride) out.push(10 ** k);
    return out;
  }
  const span = axis.hi - axis.lo;
  const raw = span / Math.max(1, maxTicks - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  // The 1-2-5 step nearest to the raw step (in ratio), then larger ones while there are too many ticks.
  const steps = [1, 2, 5, 10, 20].map((m) => m * mag);
  let k = steps.reduce((best, s, i) => (Math.abs(Math.log(s / raw)) < Math.abs(Math.log(steps[best] / raw)) ? i : best), 0);
  while (k < steps.length - 1 && Math.floor(span / steps[k]) + 1 > maxTicks + 1) k += 1;
  const step = steps[k];
  const out: number[] = [];
  for (let v = Math.ceil(axis.lo / step) * step; v <= axis.hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function tickLabel(v: number, log: boolean): string {
  if (log) {
    const k = Math.round(Math.log10(v));
    return k >= -2 && k <= 3 ? formatNumber(v) : `1e${k}`;
  }
  return formatNumber(v);
}

const r1 = (v: number) => (Math.round(v * 10) / 10).toString();

export function renderSvgChart(series: readonly SvgSeries[], options: SvgChartOptions = {}): string {
  const W = options.width ?? 360;
  const H = options.height ?? 200;
  const logX = options.logX ?? false;
  const logY = options.logY ?? false;
  const legendWidth = series.length ? 110 : 0;
  const m = { left: 46, right: 8 + legendWidth, top: options.title ? 22 : 10, bottom: 32 };
  const pw = Math.max(10, W - m.left - m.right);
  const ph = Math.max(10, H - m.top - m.bottom);

  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  if (options.referenceY) ys.push(options.referenceY.value);
  const ax = axisOf(xs, logX);
  const ay = axisOf(ys, logY);

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10">`);
  if (options.title) parts.push(`<text x="${m.left}" y="14" fill="${TEXT}" font-size="11" font-weight="bold">${escapeXml(options.title)}</text>`);

  if (!ax || !ay) {
    parts.push(`<text x="${W / 2}" y="${H / 2}" fill="${TEXT}" text-anchor="middle">no data to plot</text>`);
    parts.push('</svg>');
    return parts.join('');
  }

  const px = (x: number) => m.left + ((tf(x, logX) - ax.lo) / (ax.hi - ax.lo)) * pw;
  const py = (y: number) => m.top + ph - ((tf(y, logY) - ay.lo) / (ay.hi - ay.lo)) * ph;
  const clampX = (v: number) => Math.min(m.left + pw, Math.max(m.left, v));
  const clampY = (v: number) => Math.min(m.top + ph, Math.max(m.top, v));

  // Frame, grid and tick labels.
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="${GRID}" stroke-opacity="0.6"/>`);
  for (const t of ticks(ax)) {
    const x = r1(px(t));
    parts.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="${GRID}" stroke-opacity="0.2"/>`);
    parts.push(`<text x="${x}" y="${m.top + ph + 12}" fill="${TEXT}" text-anchor="middle">${escapeXml(tickLabel(t, logX))}</text>`);
  }
  for (const t of ticks(ay)) {
    const y = r1(py(t));
    parts.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="${GRID}" stroke-opacity="0.2"/>`);
    parts.push(`<text x="${m.left - 4}" y="${y}" fill="${TEXT}" text-anchor="end" dominant-baseline="middle">${escapeXml(tickLabel(t, logY))}</text>`);
  }
  if (options.xLabel) parts.push(`<text x="${m.left + pw / 2}" y="${H - 4}" fill="${TEXT}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  if (options.yLabel) parts.push(`<text x="10" y="${m.top + ph / 2}" fill="${TEXT}" text-anchor="middle" transform="rotate(-90 10 ${m.top + ph / 2})">${escapeXml(options.yLabel)}</text>`);

  if (options.referenceY && drawable(options.referenceY.value, logY)) {
    const y = r1(clampY(py(options.referenceY.value)));
    parts.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="${TEXT}" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${m.left + pw - 2}" y="${Number(y) - 3}" fill="${TEXT}" text-anchor="end">${escapeXml(options.referenceY.label)}</text>`);
  }

  // Curves: a point that cannot be drawn (NaN, or <= 0 on a log axis) breaks the line; each
  // unbroken stretch is decimated to the plot's width and drawn as one polyline.
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    for (const stretch of drawableStretches(s.points, logX, logY)) {
      const kept = decimateMinMax(stretch.map((p) => ({ x: tf(p.x, logX), y: tf(p.y, logY) })), Math.ceil(pw));
      const pts = kept.map((p) => {
        const x = clampX(m.left + ((p.x - ax.lo) / (ax.hi - ax.lo)) * pw);
        const y = clampY(m.top + ph - ((p.y - ay.lo) / (ay.hi - ay.lo)) * ph);
        return `${r1(x)},${r1(y)}`;
      });
      if (pts.length === 1) {
        const [x, y] = pts[0].split(',');
        parts.push(`<circle cx="${x}" cy="${y}" r="1.5" fill="${color}"/>`);
      } else if (pts.length > 1) {
        parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
      }
    }
  });

  // Legend.
  const lx = m.left + pw + 10;
  series.slice(0, MAX_LEGEND).forEach((s, i) => {
    const y = m.top + 6 + i * 13;
    const color = s.color ?? PALETTE[i % PALETTE.length];
    parts.push(`<line x1="${lx}" y1="${y}" x2="${lx + 12}" y2="${y}" stroke="${color}" stroke-width="2"/>`);
    const label = s.label.length > 16 ? `${s.label.slice(0, 15)}…` : s.label;
    parts.push(`<text x="${lx + 16}" y="${y}" fill="${TEXT}" dominant-baseline="middle">${escapeXml(label)}</text>`);
  });
  if (series.length > MAX_LEGEND) {
    parts.push(`<text x="${lx}" y="${m.top + 6 + MAX_LEGEND * 13}" fill="${TEXT}" dominant-baseline="middle">+${series.length - MAX_LEGEND} more</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Runs of consecutive drawable points, in order. */
export function drawableStretches(points: readonly Point[], logX: boolean, logY: boolean): Point[][] {
  const out: Point[][] = [];
  let current: Point[] = [];
  for (const p of points) {
    if (drawable(p.x, logX) && drawable(p.y, logY)) current.push(p);
    else if (current.length) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}

/** The SVG as a data: URI for an image in a MarkdownString. */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
