// The providers of what optimizers need beyond the gradient (optim/types.ts Needs), one per need,
// in the order the loop computes them. A new need: its field in Needs and Extras, its merge rule
// (optim/needs.ts), one provider file here and one line below (the mapped type makes a missing
// provider a compile error).
import type { NeedName } from '../../optim/needs';
import type { Extras } from '../../optim/types';
import { curvatureProduct } from './curvature-product';
import { jvp, vjp } from './hessian-product';
import { layerStats } from './layer-stats';
import { loss } from './loss';
import { lossAt } from './loss-at';
import { outputSpace } from './output-space';
import { step } from './step';
import type { InputProvider, StepInputs } from './types';

export const PROVIDERS: { readonly [K in NeedName]: InputProvider<K> } = {
  layerStats,
  loss,
  step,
  lossAt,
  outputSpace,
  curvatureProduct,
  jvp,
  vjp,
};

/** Fills `extras` with every input the step's merged needs ask for. */
export function provideInputs(s: StepInputs, extras: Extras): void {
  for (const need of Object.keys(PROVIDERS) as NeedName[]) {
    if (s.needs[need]) (extras as Record<NeedName, unknown>)[need] = PROVIDERS[need].provide(s as never);
  }
}

export { tapsInMainPass } from './layer-stats';
export { ownResult, stepMemo, stepSeed, subsetRows } from './step-tensors';
export type { InputProvider, StepInputs } from './types';
