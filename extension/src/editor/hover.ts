// Hover over an optimizer entry: an SVG chart of its latest loss curves (one per batch size,
// log-log, with the target) and a table of steps-to-target and the best learning rate.
import * as vscode from 'vscode';
import { formatCount, formatNumber, escapeMarkdown } from '../model/format';
import type { ExperimentInsights } from './experiment-insights';
import { entryAt, outlineExperiment } from './experiment-outline';
import { toRange } from './selector';
import { renderSvgChart, svgDataUri, type SvgSeries } from './svg-chart';

const MAX_CURVES = 10;
const MAX_TABLE_ROWS = 12;

function targetOf(text: string): number | undefined {
  try {
    const v = (JSON.parse(text) as { target?: { value?: unknown } }).target?.value;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Evenly spread picks, always keeping the first and last. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]);
}

export class ExperimentHoverProvider implements vscode.HoverProvider {
  constructor(private readonly insights: ExperimentInsights) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const text = document.getText();
    const outline = outlineExperiment(text);
    const entry = entryAt(outline, position.line + 1, position.character + 1);
    if (!entry) return undefined;
    const insight = await this.insights.get(document.uri.fsPath, outline.entries.map((e) => e.label));
    const curves = this.insights.curves(insight, entry.label);
    const md = new vscode.MarkdownString();
    md.isTrusted = false;
    md.supportHtml = false;
    md.supportThemeIcons = false;
    if (!curves.length) {
      md.appendMarkdown(`**${escapeMarkdown(entry.label)}**: no finished runs yet. Run the experiment to see its loss curves here.`);
      return new vscode.Hover(md, toRange(entry.range));
    }
    const shown = spread(curves, MAX_CURVES);
    const series: SvgSeries[] = shown.map(({ run, rows }) => ({
      label: `B=${run.batchSize ?? '?'}`,
      points: rows.filter((r) => typeof r.step === 'number').map((r) => ({ x: r.step as number, y: typeof r.loss === 'number' ? r.loss : Number.NaN })),
    }));
    const target = targetOf(text);
    const svg = renderSvgChart(series, {
      width: 420,
      height: 220,
      logX: true,
      logY: true,
      title: `${entry.label}: expected loss`,
      xLabel: 'step',
      yLabel: 'loss',
      ...(target !== undefined && { referenceY: { value: target, label: `target ${formatNumber(target)}` } }),
    });
    md.appendMarkdown(`**${escapeMarkdown(entry.label)}** — latest loss curves (${curves.length} batch size${curves.length === 1 ? '' : 's'}${curves.length > shown.length ? `, ${shown.length} shown` : ''})\n\n`);
    md.appendMarkdown(`![loss curves of ${escapeMarkdown(entry.label)}](${svgDataUri(svg)})\n\n`);
    md.appendMarkdown('| B | steps to target | learning rate |\n|--:|--:|--:|\n');
    for (const { run } of spread(curves, MAX_TABLE_ROWS)) {
      const steps = run.summary.stepsToTarget;
      const lr = run.hyperparameters.learningRate;
      md.appendMarkdown(`| ${run.batchSize ?? '?'} | ${typeof steps === 'number' ? formatCount(steps) : 'not reached'} | ${typeof lr === 'number' ? formatNumber(lr) : '—'} |\n`);
    }
    const report = insight.reports.find((r) => r.optimizer === entry.label);
    if (report?.bCrit != null && report.sMin != null) {
      md.appendMarkdown(`\nB_crit ≈ ${formatNumber(report.bCrit)}, S_min ≈ ${formatNumber(report.sMin)} steps${report.status === 'partial' ? ' (partial fit)' : ''}\n`);
    }
    return new vscode.Hover(md, toRange(entry.range));
  }
}
