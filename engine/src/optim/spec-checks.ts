// Checks shared by the optimizer factories (first-order and curvature): typed options with ranges,
// unknown keys with a "did you mean", errors that name the offending option path.
import { closestName } from '../spec/did-you-mean';
import { optionPathToPointer } from '../spec/pointer';
import { SpecError } from '../spec/spec-error';

/**
 * An invalid optimizer spec: a SpecError whose `path` is the offending option as written
 * ('schedule.decaySteps'); its `pointer` is the same place as a JSON pointer within the entry.
 */
export class OptimizerSpecError extends SpecError {
  override name = 'OptimizerSpecError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message, optionPathToPointer(path));
  }
}

function suggestion(key: string, allowed: readonly string[]): string {
  const best = closestName(key, allowed, { ignoreCase: true, prefixes: true });
  return best ? ` Did you mean "${best}"?` : '';
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export type Check = (cond: boolean, path: string, message: string) => asserts cond;
export const check: Check = (cond, path, message) => {
  if (!cond) throw new OptimizerSpecError(message, path);
};

export function num(spec: Record<string, unknown>, key: string, where: string, range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {}, prefix = ''): number | undefined {
  const v = spec[key];
  if (v === undefined) return undefined;
  const path = prefix + key;
  check(typeof v === 'number' && Number.isFinite(v), path, `${where}: ${path} must be a finite number, got ${JSON.stringify(v)}`);
  const x = v as number;
  if (range.integer) check(Number.isInteger(x), path, `${where}: ${path} must be an integer, got ${x}`);
  const { min, max } = range;
  if (min !== undefined) check(range.minExclusive ? x > min : x >= min, path, `${where}: ${path} must be ${range.minExclusive ? '>' : '>='} ${min}, got ${x}`);
  if (max !== undefined) check(range.maxExclusive ? x < max : x <= max, path, `${where}: ${path} must be ${range.maxExclusive ? '<' : '<='} ${max}, got ${x}`);
  return x;
}

export function checkKeys(spec: Record<string, unknown>, allowed: readonly string[], where: string, prefix: string, elsewhere: (key: string) => string | undefined): void {
  for (const key of Object.keys(spec)) {
    if (allowed.includes(key)) continue;
    const other = elsewhere(key);
    const path = prefix + key;
    if (other) throw new OptimizerSpecError(`${where}: option "${path}" does not apply (${other}).`, path);
    throw new OptimizerSpecError(`${where}: unknown option "${path}" (allowed: ${allowed.join(', ')}).${suggestion(key, allowed)}`, path);
  }
}


/** An optional boolean option. */
export function bool(spec: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const v = spec[key];
  if (v === undefined) return undefined;
  check(typeof v === 'boolean', key, `${where}: ${key} must be true or false, got ${JSON.stringify(v)}`);
  return v as boolean;
}

/** An optional string option from a fixed set. */
export function oneOf<T extends string>(spec: Record<string, unknown>, key: string, where: string, allowed: readonly T[]): T | undefined {
  const v = spec[key];
  if (v === undefined) return undefined;
  check(typeof v === 'string' && (allowed as readonly string[]).includes(v), key, `${where}: ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
