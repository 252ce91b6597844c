// outputSpace: the network Jacobian's products and the loss's output-space curvature on the
// minibatch, or on its first rows with outputSpaceFraction (K-FAC's tau2; curvature products
// always use the whole minibatch).
import type { OutputSpace } from '../../optim/types';
import { outputSpace as buildOutputSpace } from '../output-space';
import { subsetRows } from './step-tensors';
import type { InputProvider, StepInputs } from './types';

/** The output space of the whole minibatch, built once per step (curvatureProduct shares it). */
export function wholeBatchOutputSpace(s: StepInputs): OutputSpace {
  return s.shared('outputSpace:whole', () => {
    const space = buildOutputSpace(s.model, s.params, s.x, s.target, s.output);
    s.own(space.lossGrad);
    return space;
  });
}

export const outputSpace: InputProvider<'outputSpace'> = {
  provide(s) {
    const { needs, rows: batch } = s;
    const rows = subsetRows(batch, needs.outputSpaceFraction, needs.subsetMinRows);
    if (rows === batch) return wholeBatchOutputSpace(s);
    const [xs, ts, os] = [s.own(s.x.slice(0, rows)), s.own(s.target.slice(0, rows)), s.own(s.output.slice(0, rows))];
    const sub = buildOutputSpace(s.model, s.params, xs, ts, os);
    s.own(sub.lossGrad);
    return sub;
  },
};
