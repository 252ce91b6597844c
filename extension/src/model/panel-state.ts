// What a chart panel shows, as plain data: kept by the host, embedded in the panel's HTML for the
// view to persist with setState, and read back by the serializer after a window reload.
import { PANEL_KINDS as KINDS, PANELS, type PanelKind } from '../../../engine/src/protocol/panels';
import { experimentBaseName, normalizePath } from './experiment-runs';

export type PanelState =
  /** Runs by id; with experimentFile it follows that experiment: each new session replaces the runs. */
  | { kind: 'dashboard'; runIds: string[]; experimentFile?: string; title?: string }
  | { kind: 'compare'; runIds: string[]; title?: string }
  | { kind: 'criticalBatch'; experimentFile: string; title?: string };

export const PANEL_KINDS: readonly PanelKind[] = KINDS;

export const VIEW_TYPES = Object.fromEntries(PANELS.map((p) => [p.kind, p.viewType])) as Record<PanelKind, string>;

export function kindOfViewType(viewType: string): PanelKind | undefined {
  return PANEL_KINDS.find((k) => VIEW_TYPES[k] === viewType);
}

/** Panels with the same key show the same thing: opening it again reveals the existing one. */
export function panelKey(state: PanelState): string {
  switch (state.kind) {
    case 'dashboard':
      return state.experimentFile ? `dashboard:file:${normalizePath(state.experimentFile)}` : `dashboard:runs:${[...state.runIds].sort().join(',')}`;
    case 'compare':
      return `compare:${[...state.runIds].sort().join(',')}`;
    case 'criticalBatch':
      return `criticalBatch:${normalizePath(state.experimentFile)}`;
  }
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStringArray = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/**
 * Reads a panel state saved by a view (its getState(): the host state under `host`, or at the top
 * level) for a panel of `kind`; undefined when it is missing or not a state of that kind.
 */
export function parsePanelState(kind: PanelKind, saved: unknown): PanelState | undefined {
  if (!isObj(saved)) return undefined;
  const candidates = [saved.host, saved.optlab, saved].filter(isObj);
  for (const s of candidates) {
    if (s.kind !== undefined && s.kind !== kind) continue;
    const title = typeof s.title === 'string' ? s.title : undefined;
    if (kind === 'criticalBatch' && typeof s.experimentFile === 'string' && s.experimentFile) {
      return { kind, experimentFile: s.experimentFile, ...(title && { title }) };
    }
    if (kind === 'dashboard' && isStringArray(s.runIds)) {
      const file = typeof s.experimentFile === 'string' && s.experimentFile ? s.experimentFile : undefined;
      return { kind, runIds: [...s.runIds], ...(file && { experimentFile: file }), ...(title && { title }) };
    }
    if (kind === 'compare' && isStringArray(s.runIds) && s.runIds.length > 0) {
      return { kind, runIds: [...s.runIds], ...(title && { title }) };
    }
  }
  return undefined;
}

export function panelRunIds(state: PanelState): string[] {
  return state.kind === 'criticalBatch' ? [] : state.runIds;
}

/** The tab title of a panel. */
export function panelTitle(state: PanelState, singleRunLabel?: string, experimentName?: string): string {
  switch (state.kind) {
    case 'dashboard':
      if (state.runIds.length === 1 && singleRunLabel) return `Dashboard: ${singleRunLabel}`;
      if (state.experimentFile) return `Dashboard: ${experimentName ?? experimentBaseName(state.experimentFile)}`;
      return `Dashboard: ${state.runIds.length} runs`;
    case 'compare':
      return `Compare: ${state.runIds.length} runs`;
    case 'criticalBatch':
      return `Critical Batch Size: ${experimentName ?? experimentBaseName(state.experimentFile)}`;
  }
}
