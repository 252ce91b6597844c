// Helpers the providers share: statistics subsets, per-step seeds, and disposal of pass results.
import type { GradientsResult } from '../../models/taps';
import type { StepInputs } from './types';

/** The first rows a statistics subset covers: ceil(fraction * batch), at least minRows, at most the batch. */
export function subsetRows(batch: number, fraction = 1, minRows = 1): number {
  return Math.min(batch, Math.max(Math.ceil(fraction * batch), minRows));
}

/** A per-(seed, step) seed for sampled targets: deterministic, and the same after a resume. */
export function stepSeed(seed: number, step: number): number {
  let x = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
  return x % 2147483647;
}

/** Registers every tensor of a GradientsResult for disposal with the step's other tensors. */
export function ownResult(s: Pick<StepInputs, 'own'>, r: GradientsResult): GradientsResult {
  s.own(r.loss, ...Object.values(r.grads));
  for (const t of Object.values(r.layerStats ?? {})) s.own(t.inputs, t.outputGrads);
  return r;
}

/** A fresh per-step memo for StepInputs.shared. */
export function stepMemo(): StepInputs['shared'] {
  const done = new Map<string, unknown>();
  return <T>(key: string, make: () => T): T => {
    if (!done.has(key)) done.set(key, make());
    return done.get(key) as T;
  };
}
