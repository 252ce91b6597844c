// Diagnostics 'optlab' for experiment files: the engine's own validation of the editor's text, each
// issue on its range, updated (debounced) as the user types. A neural experiment that passes it is
// then checked by the engine's factories in the engine process (optimizer, model, dataset: see
// neural-setup-check.ts), asynchronously, and their problems are added when the text has not
// changed meanwhile.
import * as vscode from 'vscode';
import { errorMessage } from '../util/timing';
import { experimentDiagnostics, placeIssues, type DiagnosticSpec } from './diagnostic-ranges';
import { NeuralSetupCheck, type AskEngine } from './neural-setup-check';
import { isExperimentDocument } from './selector';

const DEBOUNCE_MS = 300;

export class ExperimentDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('optlab');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly setupCheck: NeuralSetupCheck;
  /** The engine's answer may arrive after dispose (it is stopped on deactivation). */
  private disposed = false;

  constructor(askEngine: AskEngine) {
    this.setupCheck = new NeuralSetupCheck(askEngine);
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
    const text = doc.getText();
    const diagnostics = experimentDiagnostics(text, doc.uri.fsPath).map(toDiagnostic);
    this.collection.set(doc.uri, diagnostics);
    if (diagnostics.length === 0) void this.checkSetup(doc, text);
    return diagnostics;
  }

  /** The engine factories' problems of a schema-valid file, unless it changed while they were found. */
  private async checkSetup(doc: vscode.TextDocument, text: string): Promise<void> {
    const version = doc.version;
    let specs: DiagnosticSpec[];
    try {
      specs = placeIssues(text, await this.setupCheck.issues(text, doc.uri.fsPath));
    } catch (err) {
      specs = placeIssues(text, [{ path: '', message: `cannot check this experiment's optimizers, model and data: ${errorMessage(err)}` }]);
    }
    if (this.disposed || specs.length === 0 || doc.isClosed || doc.version !== version || (this.collection.get(doc.uri)?.length ?? 0) > 0) return;
    this.collection.set(doc.uri, specs.map(toDiagnostic));
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
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}

function toDiagnostic(spec: DiagnosticSpec): vscode.Diagnostic {
  const d = new vscode.Diagnostic(new vscode.Range(spec.start.line, spec.start.character, spec.end.line, spec.end.character), spec.message, vscode.DiagnosticSeverity.Error);
  d.source = 'optlab';
  if (spec.path) d.code = spec.path;
  return d;
}
