// Fixed horizontal guides a metric's chart draws. K-FAC's reduction ratio rho (actual over
// predicted decrease of the quadratic model) drives Levenberg-Marquardt damping: above 3/4 the
// damping shrinks, below 1/4 it grows. Seeing rho against those thresholds explains every move
// of the damping curve. Pure: no DOM.

export interface ReferenceLine {
  value: number;
  label: string;
}

/** Levenberg-Marquardt thresholds of the reduction ratio (Martens & Grosse 2015, section 6.5). */
export const LM_THRESHOLDS: readonly ReferenceLine[] = [
  { value: 0.25, label: 'ρ = 1/4 (damping grows below)' },
  { value: 0.75, label: 'ρ = 3/4 (damping shrinks above)' },
];

/** The guides of a metric: the LM thresholds for any key ending in "rho" ("kfac/rho", "rho"). */
export function referenceLines(metric: string): readonly ReferenceLine[] {
  return /(^|[/_.])rho$/i.test(metric) ? LM_THRESHOLDS : [];
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
