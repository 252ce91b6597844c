// The optimizer side of the extras contract: which needs exist, how several transforms' needs
// merge into one request (mergeNeeds), and which field of Extras answers each (requireExtras).
// The training loop's side, how each need is computed, is engine/src/train/inputs/.
import type { Extras, Needs } from './types';

/** The needs the loop answers with a field of Extras of the same name, in the order errors list them. */
export const NEED_NAMES = ['loss', 'lossAt', 'layerStats', 'jvp', 'vjp', 'curvatureProduct', 'outputSpace', 'step'] as const satisfies readonly (keyof Needs & keyof Extras)[];
export type NeedName = (typeof NEED_NAMES)[number];

type MergeRule = (out: Needs, all: Needs[]) => void;

const flag =
  (key: 'loss' | 'lossAt' | 'jvp' | 'vjp' | 'curvatureProduct' | 'outputSpace' | 'step'): MergeRule =>
  (out, all) => {
    if (all.some((n) => n[key])) out[key] = true;
  };

/**
 * How each field of Needs merges over a chain, in order (a field may read fields merged before it).
 * Every field of Needs has a rule: a new need without one does not compile.
 */
export const MERGE_RULES: { readonly [K in keyof Needs]-?: MergeRule } = {
  loss: flag('loss'),
  lossAt: flag('lossAt'),
  jvp: flag('jvp'),
  vjp: flag('vjp'),
  curvatureProduct: flag('curvatureProduct'),
  outputSpace: flag('outputSpace'),
  step: flag('step'),
  // Empirical (true) and sampled targets cannot share one backward pass.
  layerStats: (out, all) => {
    for (const n of all) {
      if (!n.layerStats) continue;
      if (out.layerStats && out.layerStats !== n.layerStats) throw new RangeError('conflicting layerStats needs in one chain: empirical (true) and sampled targets');
      out.layerStats = n.layerStats;
    }
  },
  // Several fractions: the largest subset serves them all.
  layerStatsFraction: (out, all) => {
    for (const n of all) if (n.layerStatsFraction !== undefined) out.layerStatsFraction = Math.max(out.layerStatsFraction ?? 0, n.layerStatsFraction);
  },
  subsetMinRows: (out, all) => {
    for (const n of all) if (n.subsetMinRows !== undefined) out.subsetMinRows = Math.max(out.subsetMinRows ?? 1, n.subsetMinRows);
  },
  // Output space: the largest subset serves every transform (one that gives no fraction wants all).
  outputSpaceFraction: (out, all) => {
    if (out.outputSpace && all.some((n) => n.outputSpace && n.outputSpaceFraction !== undefined)) {
      out.outputSpaceFraction = Math.max(...all.filter((n) => n.outputSpace).map((n) => n.outputSpaceFraction ?? 1));
    }
  },
};
