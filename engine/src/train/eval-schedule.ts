// Which steps are evaluated: every k-th, plus (with a relative resolution r) the steps ceil((1+r)^i),
// so that a run needing few steps (a large batch) still learns its steps-to-target to within a
// factor 1 + r. A pure function of the step: a resumed run evaluates exactly where it would have.

export interface EvalSchedule {
  isEvalStep(step: number): boolean;
}

export function evalSchedule(evalEvery: number, relativeResolution?: number, maxSteps = Number.MAX_SAFE_INTEGER): EvalSchedule {
  if (!Number.isInteger(evalEvery) || evalEvery < 1) throw new RangeError(`evalEvery must be a positive integer, got ${evalEvery}`);
  const geometric = new Set<number>();
  if (relativeResolution !== undefined) {
    if (!(relativeResolution > 0)) throw new RangeError(`relativeResolution must be > 0, got ${relativeResolution}`);
    // Geometric points up to where the k-grid is at least as fine.
    const until = Math.min(maxSteps, Math.ceil(evalEvery / relativeResolution) + evalEvery);
    let s = 1;
    while (s <= until) {
      geometric.add(s);
      s = Math.max(s + 1, Math.ceil(s * (1 + relativeResolution)));
    }
  }
  return { isEvalStep: (step) => step > 0 && (step % evalEvery === 0 || geometric.has(step)) };
}
