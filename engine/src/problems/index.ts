// Every kind of problem an experiment can pose, one line each. A new kind is a folder
// problems/<kind>/ exporting a ProblemKind, plus its line here.
import { nqmProblem } from './nqm';
import { supervisedProblem } from './supervised';
import type { ProblemKind, RunOptions } from './types';

export type { MetricDeclaration, MetricKind, MetricMeta, ReferenceLine } from '../metrics/meta';
export type { ProblemKind, RunOptions } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own plan and options
type AnyProblemKind = ProblemKind<any, any>;

export const PROBLEM_KINDS: readonly AnyProblemKind[] = [
  nqmProblem,
  supervisedProblem,
];

export class UnknownProblemError extends Error {
  override name = 'UnknownProblemError';
}

/** The kind that runs problem.type `type`; throws naming the type and the known ones. */
export function problemKindOf(type: string, kinds: readonly ProblemKind<unknown, RunOptions>[] = PROBLEM_KINDS): AnyProblemKind {
  const kind = kinds.find((k) => k.problemTypes.includes(type));
  if (kind) return kind;
  const known = kinds.map((k) => `${k.kind} (${k.problemTypes.join(', ')})`).join('; ');
  throw new UnknownProblemError(`unknown problem type '${type}': the engine knows ${known}`);
}
