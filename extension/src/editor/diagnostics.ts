// Diagnostics 'optlab' for experiment files: the engine's own validation of the editor's text, each
// issue on its range, updated (debounced) as the user types.
import * as vscode from 'vscode';
import { experimentDiagnostics } from './diagnostic-ranges';
import { isExperimentDocument } from './selector';

const DEBOUNCE_MS = 300;

export class ExperimentDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('optlab');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.validateNow(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cancel(d.uri.toString());
        this.collection.delete(d.uri);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.validateNow(d);
  }

  /** Validates now and returns the diagnostics (also for commands that must not start an invalid file). */
  validateNow(doc: vscode.TextDocument): vscode.Diagnostic[] {
    if (!isExperimentDocument(doc) || doc.isClosed) return [];
    this.cancel(doc.uri.toString());
    const diagnostics = experimentDiagnostics(doc.getText(), doc.uri.fsPath).map((spec) => {
      const d = new vscode.Diagnostic(
        new vscode.Range(spec.start.line, spec.start.character, spec.end.line, spec.end.character),
        spec.message,
        vscode.DiagnosticSeverity.Error,
      );
      d.source = 'optlab';
      if (spec.path) d.code = spec.path;
      return d;
    });
    this.collection.set(doc.uri, diagnostics);
    return diagnostics;
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isExperimentDocument(doc)) return;
    const key = doc.uri.toString();
    this.cancel(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.validateNow(doc);
      }, DEBOUNCE_MS),
    );
  }

  private cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}
