// Colour handling for charts: parsing the CSS colours VS Code themes give, alpha variants for faint
// series, and a series palette that stays distinct beyond the theme's six chart colours. Pure.

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Parses #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(), rgba() and hsl()/hsla(); undefined otherwise. */
export function parseColor(css: string): Rgba | undefined {
  const s = css.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    const h = m[1];
    if (h.length === 3 || h.length === 4) {
      const d = [...h].map((c) => parseInt(c + c, 16));
      return { r: d[0], g: d[1], b: d[2], a: h.length === 4 ? d[3] / 255 : 1 };
    }
    if (h.length === 6 || h.length === 8) {
      const d = [0, 2, 4, 6].map((i) => parseInt(h.slice(i, i + 2), 16));
      return { r: d[0], g: d[1], b: d[2], a: h.length === 8 ? d[3] / 255 : 1 };
    }
    return undefined;
  }
  m = /^rgba?\(([^)]*)\)$/.exec(s);
  if (m) {
    const parts = m[1].split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 3) return undefined;
    const ch = (p: string) => (p.endsWith('%') ? (parseFloat(p) * 255) / 100 : parseFloat(p));
    const a = parts[3] === undefined ? 1 : parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3]);
    const out = { r: ch(parts[0]), g: ch(parts[1]), b: ch(parts[2]), a };
    return [out.r, out.g, out.b, out.a].every(Number.isFinite) ? out : undefined;
  }
  m = /^hsla?\(([^)]*)\)$/.exec(s);
  if (m) {
    const parts = m[1].split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 3) return undefined;
    const h = parseFloat(parts[0]);
    const sat = parseFloat(parts[1]) / 100;
    const l = parseFloat(parts[2]) / 100;
    const a = parts[3] === undefined ? 1 : parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3]);
    if (![h, sat, l, a].every(Number.isFinite)) return undefined;
    const [r, g, b] = hslToRgb(h, sat, l);
    return { r, g, b, a };
  }
  return undefined;
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = (((h % 360) + 360) % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r1, g1, b1] = hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  return [Math.round((r1 + m) * 255), Math.round((g1 + m) * 255), Math.round((b1 + m) * 255)];
}

/** The colour with its alpha multiplied by `alpha`, as rgba(); unparseable colours pass through. */
export function withAlpha(css: string, alpha: number): string {
  const c = parseColor(css);
  if (c === undefined) return css;
  const a = Math.round(c.a * alpha * 1000) / 1000;
  return `rgba(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)}, ${a})`;
}

/** Relative luminance (0 black .. 1 white) of a colour; 0 when unparseable. */
export function luminance(css: string): number {
  const c = parseColor(css);
  if (c === undefined) return 0;
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** The chart colour variables VS Code defines, in palette order, with fallbacks (its own dark defaults). */
export const CHART_COLOR_VARS: readonly [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-yellow', '#cca700'],
];

/** Colour of the i-th series: the theme palette first, then golden-angle hues readable on the background. */
export function seriesColor(i: number, palette: readonly string[], darkBackground: boolean): string {
  if (i < palette.length) return palette[i];
  const k = i - palette.length;
  const hue = Math.round((k * 137.508 + 200) % 360);
  const light = darkBackground ? 62 + (k % 3) * 6 : 38 + (k % 3) * 6;
  return `hsl(${hue}, 65%, ${light}%)`;
}
