// Min-max decimation of a curve for drawing: per bucket of x, the first, lowest, highest and last
// points survive, so spikes stay visible however many points are dropped.

export interface Point {
  x: number;
  y: number;
}

/** At most about 4 x `buckets` points; the input order (by x) is kept. Non-finite points are dropped. */
export function decimateMinMax(points: readonly Point[], buckets: number): Point[] {
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (buckets < 1 || finite.length <= buckets * 4) return finite;
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  for (const p of finite) {
    if (p.x < xMin) xMin = p.x;
    if (p.x > xMax) xMax = p.x;
  }
  if (xMax === xMin) return [finite[0], finite[finite.length - 1]];
  const out: Point[] = [];
  let current = -1;
  let group: number[] = [];
  const emit = () => {
    if (!group.length) return;
    const first = group[0];
    const last = group[group.length - 1];
    let lo = first;
    let hi = first;
    for (const i of group) {
      if (finite[i].y < finite[lo].y) lo = i;
      if (finite[i].y > finite[hi].y) hi = i;
    }
    for (const i of [...new Set([first, lo, hi, last])].sort((a, b) => a - b)) out.push(finite[i]);
    group = [];
  };
  for (let i = 0; i < finite.length; i++) {
    const b = Math.min(buckets - 1, Math.floor(((finite[i].x - xMin) / (xMax - xMin)) * buckets));
    if (b !== current) {
      emit();
      current = b;
    }
    group.push(i);
  }
  emit();
  return out;
}
