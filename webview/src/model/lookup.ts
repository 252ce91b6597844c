// Values of every run at a hovered x, read from the full-resolution store (not the decimated
// drawing), for the tooltip that lists every run at a step. Pure: no DOM.
import { lowerBound } from './decimate';

/**
 * Index of the row whose x is nearest to `x` among rows with a finite x and finite y
 * (-1 when none). Sorted columns use binary search; others a scan.
 */
export function nearestIndex(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, x: number, sorted: boolean): number {
  const ok = (i: number) => {
    const a = xs[i];
    const b = ys[i];
    return a - a === 0 && b - b === 0;
  };
  if (sorted) {
    const k = lowerBound(xs, n, x);
    // Walk outwards to the nearest row whose y is finite too.
    let left = k - 1;
    let right = k;
    while (left >= 0 && !ok(left)) left--;
    while (right < n && !ok(right)) right++;
    if (left < 0) return right < n ? right : -1;
    if (right >= n) return left;
    return x - xs[left] <= xs[right] - x ? left : right;
  }
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < n; i++) {
    if (!ok(i)) continue;
    const d = Math.abs(xs[i] - x);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}
