// CodeLens over an experiment: Run · Sweep N runs · Open dashboard · Critical batch size · the last
// result ("last run: 60 runs · B_crit SGD 800 · 3 min ago") or the live progress.
import * as vscode from 'vscode';
import { formatCount } from '../model/format';
import { outlineExperiment } from './experiment-outline';
import type { ExperimentInsights } from './experiment-insights';
import { toRange } from './selector';

export class ExperimentCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly insights: ExperimentInsights) {}

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const outline = outlineExperiment(document.getText());
    const anchor = outline.nameRange ? toRange(outline.nameRange) : new vscode.Range(0, 0, 0, 0);
    const at = new vscode.Range(anchor.start.line, 0, anchor.start.line, 0);
    const uri = document.uri;
    const lenses: vscode.CodeLens[] = [];
    lenses.push(new vscode.CodeLens(at, { title: '$(play) Run', command: 'optlab.runExperiment', arguments: [uri], tooltip: 'Run every optimizer at every batch size (OptLab: Run Experiment)' }));
    if (outline.runCount !== undefined) {
      const optimizers = outline.runCount / Math.max(1, outline.batchSizes.length);
      lenses.push(
        new vscode.CodeLens(at, {
          title: `Sweep ${formatCount(outline.runCount)} runs`,
          command: 'optlab.runExperiment',
          arguments: [uri],
          tooltip: `${optimizers} optimizer${optimizers === 1 ? '' : 's'} × ${outline.batchSizes.length} batch size${outline.batchSizes.length === 1 ? '' : 's'}, each a grid search for the fewest steps to the target`,
        }),
      );
    }
    lenses.push(new vscode.CodeLens(at, { title: '$(graph-line) Open dashboard', command: 'optlab.openDashboard', arguments: [{ experimentFile: uri.fsPath }], tooltip: 'Loss curves of the latest runs (live while running)' }));
    lenses.push(new vscode.CodeLens(at, { title: '$(graph-scatter) Critical batch size', command: 'optlab.showCriticalBatchSize', arguments: [uri], tooltip: 'Steps to target against batch size, with the fitted S_min and B_crit' }));
    try {
      const insight = await this.insights.get(uri.fsPath, outline.entries.map((e) => e.label));
      if (insight.active) {
        lenses.push(new vscode.CodeLens(at, { title: `$(sync~spin) running: ${insight.active.done}/${insight.active.total} runs done`, command: 'optlab.openDashboard', arguments: [{ experimentFile: uri.fsPath }] }));
      } else if (insight.summary) {
        lenses.push(new vscode.CodeLens(at, { title: insight.summary, command: 'optlab.showCriticalBatchSize', arguments: [uri], tooltip: 'Open the critical-batch-size chart of these results' }));
      }
    } catch {
      // the lenses above still work; the store problem shows in the explorer
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
