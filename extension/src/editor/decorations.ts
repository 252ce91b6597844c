// After each optimizer entry's first line: a sparkline of its latest loss curve and its
// steps-to-target at the largest batch size, in the CodeLens colour. Updated at most twice a second.
import * as vscode from 'vscode';
import { outlineExperiment } from './experiment-outline';
import type { ExperimentInsights } from './experiment-insights';
import { isExperimentDocument } from './selector';
import { throttle } from '../util/timing';

export class ResultDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'normal' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly disposables: vscode.Disposable[] = [];
  private readonly update = throttle(() => void this.renderAll(), 500);

  constructor(private readonly insights: ExperimentInsights) {
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.update()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isExperimentDocument(e.document)) this.update();
      }),
    );
    this.update();
  }

  /** Schedules a re-render (throttled to 2 Hz). */
  refresh(): void {
    this.update();
  }

  private async renderAll(): Promise<void> {
    for (const editor of vscode.window.visibleTextEditors) {
      if (!isExperimentDocument(editor.document)) continue;
      try {
        await this.render(editor);
      } catch {
        editor.setDecorations(this.type, []);
      }
    }
  }

  private async render(editor: vscode.TextEditor): Promise<void> {
    const doc = editor.document;
    const version = doc.version;
    const outline = outlineExperiment(doc.getText());
    if (!outline.entries.length) {
      editor.setDecorations(this.type, []);
      return;
    }
    const insight = await this.insights.get(doc.uri.fsPath, outline.entries.map((e) => e.label));
    if (doc.version !== version) return; // edited meanwhile: the next update renders it
    const options: vscode.DecorationOptions[] = [];
    for (const entry of outline.entries) {
      const text = this.insights.entryText(insight, entry.label);
      if (!text) continue;
      const line = entry.range.start.line - 1;
      const end = doc.lineAt(line).range.end;
      options.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } });
    }
    editor.setDecorations(this.type, options);
  }

  dispose(): void {
    this.update.cancel();
    for (const d of this.disposables) d.dispose();
    this.type.dispose();
  }
}
