// Numeric ranges of options, checked and described the same way everywhere.

export interface NumericRange {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

export function inRange(x: number, r: NumericRange): boolean {
  if (r.integer && !Number.isInteger(x)) return false;
  if (r.min !== undefined && !(r.minExclusive ? x > r.min : x >= r.min)) return false;
  if (r.max !== undefined && !(r.maxExclusive ? x < r.max : x <= r.max)) return false;
  return true;
}

/** 'must be > 0', 'must be >= 0', 'must be in [0, 1)', 'must be <= 1'. */
export function describeRange(r: NumericRange): string {
  const { min, max } = r;
  if (min !== undefined && max !== undefined) return `must be in ${r.minExclusive ? '(' : '['}${min}, ${max}${r.maxExclusive ? ')' : ']'}`;
  if (min !== undefined) return `must be ${r.minExclusive ? '>' : '>='} ${min}`;
  if (max !== undefined) return `must be ${r.maxExclusive ? '<' : '<='} ${max}`;
  return 'must be a number';
}
