// The chart panels, one descriptor each: the extension registers, opens and restores them from
// here, the build bundles webview/src/panels/<kind>/ (index.ts + panel.css) for each, and the
// view checks the kind it is told. A new panel is one folder there plus one entry here.

export interface PanelDescriptor<K extends string = string> {
  kind: K;
  /** The webview type VS Code knows it by (package.json: activationEvents onWebviewPanel:<viewType>). */
  viewType: string;
  /** What the panel is, for pickers and docs. */
  title: string;
  /** What it is fed: the rows of a set of runs, or the results of one experiment file. */
  data: 'runs' | 'experiment';
  /** The commands that open it (package.json: contributes.commands). */
  commands: readonly string[];
}

export const PANELS = [
  { kind: 'dashboard', viewType: 'optlab.dashboard', title: 'Dashboard', data: 'runs', commands: ['optlab.openDashboard'] },
  { kind: 'compare', viewType: 'optlab.compare', title: 'Compare Runs', data: 'runs', commands: ['optlab.compareRuns'] },
  { kind: 'criticalBatch', viewType: 'optlab.criticalBatch', title: 'Critical Batch Size', data: 'experiment', commands: ['optlab.showCriticalBatchSize'] },
] as const satisfies readonly PanelDescriptor[];

export type PanelKind = (typeof PANELS)[number]['kind'];

export const PANEL_KINDS: readonly PanelKind[] = PANELS.map((p) => p.kind);

export function isPanelKind(x: unknown): x is PanelKind {
  return typeof x === 'string' && (PANEL_KINDS as readonly string[]).includes(x);
}

export function panelDescriptor(kind: PanelKind): PanelDescriptor<PanelKind> {
  return PANELS.find((p) => p.kind === kind)!;
}
