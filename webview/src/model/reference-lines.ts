// Fixed horizontal guides a metric's chart draws. K-FAC's reduction ratio rho (actual over
// predicted decrease of the quadratic model) drives Levenberg-Marquardt damping: above 3/4 the
// damping shrinks, below 1/4 it grows. Seeing rho against those thresholds explains every move
// of the damping curve. The guides are declared with the metric in the engine. Pure: no DOM.

import { metricMeta, type ReferenceLine } from '../../../engine/src/protocol';

export type { ReferenceLine };
export { LM_THRESHOLDS } from '../../../engine/src/protocol';

/** The guides of a metric, as the engine declares them (K-FAC's rho: the LM thresholds). */
export function referenceLines(metric: string): readonly ReferenceLine[] {
  return metricMeta(metric).referenceLines ?? [];
}

/** A y range stretched to show every guide (guides outside a zoomed range are left out instead). */
export function rangeWithLines(min: number, max: number, lines: readonly ReferenceLine[]): [number, number] {
  let lo = min;
  let hi = max;
  for (const l of lines) {
    if (!(l.value >= lo)) lo = l.value;
    if (!(l.value <= hi)) hi = l.value;
  }
  return [lo, hi];
}
