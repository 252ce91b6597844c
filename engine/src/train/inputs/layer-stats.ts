// layerStats: per-layer taps (inputs and pre-activation gradients) for K-FAC and KFC. Empirical
// (true) taps come from the main pass; sampled ones (true Fisher) from a second backward pass with
// targets drawn from the model, on the first rows only with layerStatsFraction (K-FAC's tau1).
import { perExampleLoss } from '../../models/loss';
import { lossAndGradients } from '../../models/taps';
import type { Needs } from '../../optim/types';
import { sampledTarget } from '../loss';
import { ownResult, stepSeed, subsetRows } from './step-tensors';
import type { InputProvider } from './types';

/** Whether the main pass records the taps (empirical Fisher: the training loss's own gradients). */
export const tapsInMainPass = (needs: Needs): boolean => needs.layerStats === true;

export const layerStats: InputProvider<'layerStats'> = {
  provide(s) {
    if (tapsInMainPass(s.needs)) return s.main.layerStats!;
    const { model, params, x, output, rows: batch, needs } = s;
    const rows = subsetRows(batch, needs.layerStatsFraction, needs.subsetMinRows);
    const xs = rows < batch ? s.own(x.slice(0, rows)) : x;
    const outs = rows < batch ? s.own(output.slice(0, rows)) : output;
    const sampled = s.own(sampledTarget(model.loss, outs, stepSeed(s.seed, s.step)));
    const r = ownResult(s, lossAndGradients(model, params, xs, (out) => perExampleLoss(model.loss, out, sampled), { taps: true, paramGrads: false }));
    return r.layerStats!;
  },
};
