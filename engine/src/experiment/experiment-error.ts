// An experiment file that cannot be used: every problem found, each with its JSON pointer and,
// when the text is known, its line and column ("file:line:col /pointer: message").
import { SpecError } from '../spec/spec-error';

export interface ExperimentIssue {
  /** JSON pointer of the offending value ('' = the whole file), e.g. /optimizers/2/learningRate. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** Every problem of an experiment file; its `pointer` is the first one's. */
export class ExperimentError extends SpecError {
  override name = 'ExperimentError';
  constructor(
    readonly issues: ExperimentIssue[],
    readonly file?: string,
    what = 'invalid experiment file',
  ) {
    super(formatIssues(issues, file, what), issues[0]?.path ?? '');
  }
}

export function formatIssues(issues: ExperimentIssue[], file = '<experiment>', what = 'invalid experiment file'): string {
  const lines = issues.map((i) => {
    const where = i.line !== undefined ? `${file}:${i.line}:${i.column ?? 1}` : file;
    return i.path ? `${where} ${i.path}: ${i.message}` : `${where}: ${i.message}`;
  });
  const n = issues.length;
  return [`${file}: ${what} (${n} problem${n === 1 ? '' : 's'})`, ...lines].join('\n');
}
