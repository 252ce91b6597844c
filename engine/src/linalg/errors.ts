/** Thrown when a factorization or solve cannot proceed (not positive definite, singular, bad shape). */
export class LinalgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinalgError';
  }
}

/** Throws unless `a` holds exactly rows x cols numbers. */
export function checkShape(what: string, a: Float64Array, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new LinalgError(`${what}: bad dimensions ${rows} x ${cols}`);
  }
  if (a.length !== rows * cols) {
    throw new LinalgError(`${what}: expected ${rows} x ${cols} = ${rows * cols} entries, got ${a.length}`);
  }
}
