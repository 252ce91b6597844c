import * as vscode from 'vscode';

/** Experiment files on disk (not untitled buffers: a run needs a file). */
export const EXPERIMENT_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/*.optlab.json' }];

export function isExperimentDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && /\.optlab\.json$/i.test(doc.uri.path);
}

/** 1-based engine range -> VS Code range. */
export function toRange(r: { start: { line: number; column: number }; end: { line: number; column: number } }): vscode.Range {
  return new vscode.Range(r.start.line - 1, r.start.column - 1, r.end.line - 1, r.end.column - 1);
}
