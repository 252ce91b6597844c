// Diagnostics of an experiment file's text: the engine's own validation (parseExperiment, the same
// the engine runs), each issue placed on the right range: the property name for a misplaced key
// ("optimizer 'sgd' has no option 'momentum'"), the value for a bad value (an empty grid), the
// token at the position for a JSON syntax error. Ranges here are 0-based, as in VS Code.
import { ExperimentError, type ExperimentIssue, type JsonDocument, parseExperiment, parseJsonWithLocation, type SourceRange } from '../../../engine/src';
import { errorMessage } from '../util/timing';

export interface Pos {
  line: number;
  character: number;
}

export interface DiagnosticSpec {
  message: string;
  /** JSON pointer of the issue ('' for the whole file). */
  path: string;
  start: Pos;
  end: Pos;
}

export function experimentDiagnostics(text: string, file?: string): DiagnosticSpec[] {
  try {
    parseExperiment(text, file);
    return [];
  } catch (err) {
    if (err instanceof ExperimentError) return placeIssues(text, err.issues);
    // Anything else is a bug of the validator, but the user must still see it.
    return [{ message: `cannot validate this experiment: ${errorMessage(err)}`, path: '', start: { line: 0, character: 0 }, end: lineEnd(text, 0) }];
  }
}

export function placeIssues(text: string, issues: readonly ExperimentIssue[]): DiagnosticSpec[] {
  let doc: JsonDocument | undefined;
  try {
    doc = parseJsonWithLocation(text);
  } catch {
    doc = undefined; // a syntax error: issues only have a position
  }
  return issues.map((issue) => ({ message: issue.message, path: issue.path, ...rangeOf(text, issue, doc) }));
}

function rangeOf(text: string, issue: ExperimentIssue, doc: JsonDocument | undefined): { start: Pos; end: Pos } {
  const at = issue.line !== undefined ? { line: issue.line - 1, character: (issue.column ?? 1) - 1 } : undefined;
  if (doc) {
    const key = issue.path ? doc.locate(issue.path, 'key') : undefined;
    const value = doc.locate(issue.path, 'value');
    for (const r of [key, value]) {
      if (r && (!at || (r.start.line - 1 === at.line && r.start.column - 1 === at.character))) return firstLineOf(text, r);
    }
    if (!at && value) return firstLineOf(text, value);
  }
  if (at) return tokenAt(text, at);
  return { start: { line: 0, character: 0 }, end: lineEnd(text, 0) };
}

/** A range, cut at the end of its first line: a whole multi-line object would be a wall of squiggles. */
function firstLineOf(text: string, r: SourceRange): { start: Pos; end: Pos } {
  const start = { line: r.start.line - 1, character: r.start.column - 1 };
  if (r.end.line === r.start.line) return { start, end: { line: r.end.line - 1, character: r.end.column - 1 } };
  const end = lineEnd(text, start.line);
  return { start, end: end.character > start.character ? end : { line: start.line, character: start.character + 1 } };
}

const lines = (text: string) => text.split(/\r\n|\r|\n/);

function lineEnd(text: string, line: number): Pos {
  const l = lines(text)[line] ?? '';
  return { line, character: l.length };
}

/** The word or single character at a position (a syntax error's token); at the end of input, the last character. */
function tokenAt(text: string, at: Pos): { start: Pos; end: Pos } {
  const all = lines(text);
  let line = at.line;
  const character = at.character;
  if (line >= all.length) line = all.length - 1;
  const content = all[line] ?? '';
  if (character >= content.length) {
    // End of a line or of the input: mark the last character of the line, or the line start.
    return content.length ? { start: { line, character: content.length - 1 }, end: { line, character: content.length } } : { start: { line, character: 0 }, end: { line, character: 0 } };
  }
  const word = /[A-Za-z0-9_$.+-]/;
  if (!word.test(content[character])) return { start: { line, character }, end: { line, character: character + 1 } };
  let end = character;
  while (end < content.length && word.test(content[end])) end += 1;
  return { start: { line, character }, end: { line, character: end } };
}
