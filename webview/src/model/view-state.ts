// The view state a panel keeps through a window reload (vscode getState/setState): axis modes,
// smoothing, the selected metric, zoom, hidden runs. Restored state is untrusted input: it is
// checked field by field and anything odd falls back to the default. Pure: no DOM.
import { SCALE_CHOICES, type ScaleChoice } from './axis-scale';
import { clampSmoothing } from './smoothing';
import { X_AXIS_KINDS, type XAxisKind } from './series-store';

export type ZoomMode = 'x' | 'y' | 'xy';

/** A chart's zoomed ranges in data units; an absent axis is not zoomed. */
export interface ZoomRange {
  x?: [number, number];
  y?: [number, number];
}

export interface BoardState {
  xAxis: XAxisKind;
  /** 'auto' until the user picks one: log when the data calls for it (see axis-scale.ts). */
  xScale: ScaleChoice;
  yScale: ScaleChoice;
  /** Debiased EMA weight, 0..0.999. */
  smoothing: number;
  /** One metric shown alone, or '' for every metric. */
  metric: string;
  zoomMode: ZoomMode;
  /** Per chart (metric name, or a fixed chart id) zoom. */
  zoom: Record<string, ZoomRange>;
  hiddenRuns: string[];
  /** Per-layer optimizer stats ("kfac/A_trace"): the layer each one's chart shows. */
  layers: Record<string, string>;
  /** Whether the optimizer-internals section is expanded. */
  internalsOpen: boolean;
}

export const DEFAULT_BOARD_STATE: BoardState = {
  xAxis: 'step',
  xScale: 'auto',
  yScale: 'auto',
  smoothing: 0.6,
  metric: '',
  zoomMode: 'xy',
  zoom: {},
  hiddenRuns: [],
  layers: {},
  internalsOpen: true,
};

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function range(v: unknown): [number, number] | undefined {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [a, b] = v as unknown[];
  return typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && a < b ? [a, b] : undefined;
}

export function sanitizeZoom(v: unknown): Record<string, ZoomRange> {
  const out: Record<string, ZoomRange> = {};
  if (!isObj(v)) return out;
  for (const [k, z] of Object.entries(v)) {
    if (!isObj(z)) continue;
    const x = range(z.x);
    const y = range(z.y);
    if (x === undefined && y === undefined) continue;
    out[k] = {};
    if (x) out[k].x = x;
    if (y) out[k].y = y;
  }
  return out;
}

/**
 * A saved scale choice. States saved before the choice existed have logX/logY booleans, false by
 * default: true was the user's choice, false may not have been (it becomes 'auto').
 */
function scaleChoice(v: unknown, legacyLog: unknown, fallback: ScaleChoice): ScaleChoice {
  if (SCALE_CHOICES.includes(v as ScaleChoice)) return v as ScaleChoice;
  return legacyLog === true ? 'log' : fallback;
}

export function sanitizeBoardState(v: unknown): BoardState {
  const d = DEFAULT_BOARD_STATE;
  if (!isObj(v)) return { ...d, zoom: {}, hiddenRuns: [], layers: {} };
  return {
    xAxis: X_AXIS_KINDS.includes(v.xAxis as XAxisKind) ? (v.xAxis as XAxisKind) : d.xAxis,
    xScale: scaleChoice(v.xScale, v.logX, d.xScale),
    yScale: scaleChoice(v.yScale, v.logY, d.yScale),
    smoothing: typeof v.smoothing === 'number' ? clampSmoothing(v.smoothing) : d.smoothing,
    metric: typeof v.metric === 'string' ? v.metric : d.metric,
    zoomMode: v.zoomMode === 'x' || v.zoomMode === 'y' || v.zoomMode === 'xy' ? v.zoomMode : d.zoomMode,
    zoom: sanitizeZoom(v.zoom),
    hiddenRuns: Array.isArray(v.hiddenRuns) ? v.hiddenRuns.filter((r): r is string => typeof r === 'string') : [],
    layers: isObj(v.layers) ? Object.fromEntries(Object.entries(v.layers).filter((e): e is [string, string] => typeof e[1] === 'string')) : {},
    internalsOpen: typeof v.internalsOpen === 'boolean' ? v.internalsOpen : d.internalsOpen,
  };
}

/** A zoom range that a log axis can show (both ends > 0), else undefined. */
export function zoomFitsAxis(r: [number, number] | undefined, log: boolean): [number, number] | undefined {
  if (r === undefined) return undefined;
  return log && !(r[0] > 0) ? undefined : r;
}
