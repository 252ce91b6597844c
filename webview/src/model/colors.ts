// Colour handling for charts: parsing the CSS colours VS Code themes give, alpha variants for faint
// series, and a series palette that stays distinct beyond the theme's six chart colours (distances
// and lightness in OKLab, contrast against the background by WCAG's formula). Pure.

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

// ---- perceptual colour space (OKLab, Björn Ottosson 2020) ----

export interface Lab {
  L: number;
  a: number;
  b: number;
}

const toLinear = (v: number) => {
  const s = v / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
};
const fromLinear = (v: number) => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055) * 255;

export function rgbToOklab(c: Pick<Rgba, 'r' | 'g' | 'b'>): Lab {
  const r = toLinear(c.r);
  const g = toLinear(c.g);
  const b = toLinear(c.b);
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return {
    L: 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    a: 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    b: 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  };
}

/** OKLab to sRGB channels (0..255, unclamped: out-of-gamut colours fall outside). */
function oklabToRgbRaw(c: Lab): [number, number, number] {
  const l = (c.L + 0.3963377774 * c.a + 0.2158037573 * c.b) ** 3;
  const m = (c.L - 0.1055613458 * c.a - 0.0638541728 * c.b) ** 3;
  const s = (c.L - 0.0894841775 * c.a - 1.291485548 * c.b) ** 3;
  return [
    fromLinear(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
    fromLinear(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
    fromLinear(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s),
  ];
}

const inGamut = (rgb: [number, number, number]) => rgb.every((v) => v >= -0.5 && v <= 255.5);

/** OKLCh (lightness, chroma, hue in degrees) as #rrggbb, chroma reduced until it fits sRGB. */
export function oklchToHex(L: number, C: number, hDeg: number): string {
  const h = (hDeg * Math.PI) / 180;
  let c = C;
  let rgb = oklabToRgbRaw({ L, a: c * Math.cos(h), b: c * Math.sin(h) });
  for (let k = 0; k < 40 && !inGamut(rgb); k++) {
    c *= 0.92;
    rgb = oklabToRgbRaw({ L, a: c * Math.cos(h), b: c * Math.sin(h) });
  }
  const hex = (v: number) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0');
  return `#${hex(rgb[0])}${hex(rgb[1])}${hex(rgb[2])}`;
}

/** Perceptual distance of two colours (Euclidean in OKLab; about 0.02 is a just-noticeable difference). */
export function colorDistance(x: string, y: string): number {
  const p = parseColor(x);
  const q = parseColor(y);
  if (p === undefined || q === undefined) return 0;
  return labDistance(rgbToOklab(p), rgbToOklab(q));
}

const labDistance = (p: Lab, q: Lab) => Math.hypot(p.L - q.L, p.a - q.a, p.b - q.b);

/** WCAG contrast ratio of two colours (1..21). */
export function contrastRatio(x: string, y: string): number {
  const a = luminance(x);
  const b = luminance(y);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** A line must stand out from the background at least this much (WCAG 2.1 non-text contrast). */
export const MIN_LINE_CONTRAST = 3;
/** Two series colours closer than this (OKLab) read as the same colour in a legend. */
export const MIN_SERIES_DISTANCE = 0.1;

interface Lch {
  L: number;
  C: number;
  h: number;
}

function toLch(css: string): Lch | undefined {
  const c = parseColor(css);
  if (c === undefined) return undefined;
  const lab = rgbToOklab(c);
  return { L: lab.L, C: Math.hypot(lab.a, lab.b), h: ((Math.atan2(lab.b, lab.a) * 180) / Math.PI + 360) % 360 };
}

/**
 * The colour itself when it has line contrast on the background, else the same hue made lighter
 * (dark background) or darker (light background) until it has.
 */
export function withLineContrast(css: string, background: string, dark: boolean): string {
  if (parseColor(css) === undefined || contrastRatio(css, background) >= MIN_LINE_CONTRAST) return css;
  const c = toLch(css)!;
  let out = css;
  for (let k = 1; k <= 20; k++) {
    out = oklchToHex(Math.min(0.98, Math.max(0.05, c.L + (dark ? 0.025 : -0.025) * k)), c.C, c.h);
    if (contrastRatio(out, background) >= MIN_LINE_CONTRAST) break;
  }
  return out;
}

/**
 * Series colours for a theme: the theme's chart colours first (each adjusted to have line contrast
 * on the background, and skipped when it looks like one already taken: VS Code's orange and yellow
 * are nearly the same), then hues derived to be as far as possible from every colour taken so far,
 * at a lightness that reads on the background. Deterministic and prefix-stable: colour i never
 * depends on how many colours are asked for.
 */
export class SeriesPalette {
  private readonly colors: string[] = [];
  private readonly labs: Lab[] = [];
  private readonly candidates: { css: string; lab: Lab; ring: number }[] = [];
  private ring = 0;

  constructor(
    themeColors: readonly string[],
    readonly background: string,
    readonly dark: boolean,
  ) {
    for (const raw of themeColors) {
      if (parseColor(raw) === undefined) continue;
      const css = withLineContrast(raw, background, dark);
      const lab = rgbToOklab(parseColor(css)!);
      if (this.labs.every((l) => labDistance(l, lab) >= MIN_SERIES_DISTANCE)) this.take(css, lab);
    }
    this.addRing(0);
  }

  /** Colour of series i. */
  color(i: number): string {
    while (this.colors.length <= i) this.extend();
    return this.colors[i];
  }

  /** The first n colours. */
  first(n: number): string[] {
    return Array.from({ length: n }, (_, i) => this.color(i));
  }

  /**
   * Member j of k of the hue family of series i: the same hue, from less to more contrast with the
   * background as j grows (a slight hue turn helps tell neighbours apart). k = 1 is color(i).
   */
  familyColor(i: number, j: number, k: number): string {
    const base = this.color(i);
    if (k <= 1) return base;
    const c = toLch(base)!;
    const t = j / (k - 1); // 0 .. 1
    const span = Math.min(0.26, 0.06 * (k - 1));
    // Lightness window that keeps lines readable and colourful: not near the background, not white or black.
    const [minL, maxL] = this.dark ? [0.6, 0.88] : [0.34, 0.66];
    let lo = Math.max(minL, c.L - span / 2);
    const hi = Math.min(maxL, lo + span);
    lo = Math.max(minL, hi - span);
    // Further from the background as j grows: lighter on a dark theme, darker on a light one.
    const L = this.dark ? lo + t * (hi - lo) : hi - t * (hi - lo);
    const turn = Math.min(30, 5 * (k - 1));
    return withLineContrast(oklchToHex(L, Math.max(c.C, 0.1), c.h + (t - 0.5) * turn), this.background, this.dark);
  }

  private take(css: string, lab: Lab): void {
    this.colors.push(css);
    this.labs.push(lab);
  }

  /** Candidate hues (every 6 degrees) at one lightness ring: 0 the base, then lighter and darker. */
  private addRing(ring: number): void {
    const base = this.dark ? 0.76 : 0.56;
    const offsets = [0, 0.12, -0.12, 0.2, -0.2];
    const L = Math.min(0.92, Math.max(0.35, base + (offsets[ring] ?? (ring % 2 ? 1 : -1) * 0.05 * ring)));
    for (let h = 0; h < 360; h += 6) {
      const css = withLineContrast(oklchToHex(L, 0.15, h + ring * 3), this.background, this.dark);
      this.candidates.push({ css, lab: rgbToOklab(parseColor(css)!), ring });
    }
    this.ring = ring;
  }

  /** Takes the candidate farthest from every colour taken; a new lightness ring when the hues are used up. */
  private extend(): void {
    for (;;) {
      let best = -1;
      let bestD = -1;
      for (let k = 0; k < this.candidates.length; k++) {
        const cand = this.candidates[k];
        let d = Infinity;
        for (const l of this.labs) d = Math.min(d, labDistance(l, cand.lab));
        if (d > bestD) {
          bestD = d;
          best = k;
        }
      }
      // Hues closer than about 25 degrees to a taken one: try another lightness first.
      if ((best < 0 || bestD < 0.06) && this.ring < 6) {
        this.addRing(this.ring + 1);
        continue;
      }
      if (best < 0) {
        this.take(this.background, rgbToOklab(parseColor(this.background) ?? { r: 128, g: 128, b: 128 }));
        return;
      }
      const [c] = this.candidates.splice(best, 1);
      this.take(c.css, c.lab);
      return;
    }
  }
}
