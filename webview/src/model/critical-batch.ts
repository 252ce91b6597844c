// What the Critical batch size panel draws, computed from the engine's reports: measured points,
// points that missed the target, perfect-scaling references, the fitted curve
// S(B) = S_min (1 + B_crit / B), best learning rates. Pure: no DOM.
import { type CriticalBatchReport, geomspace, predictSteps, type ScalingRow } from '../../../engine/src/protocol';

export interface CbPoint {
  x: number;
  y: number;
  /** The run behind a measured point (from the message's runIds), if known. */
  runId?: string;
}

/** S(B) = S_min (1 + B_crit / B): the engine's fit model. */
export function fittedSteps(sMin: number, bCrit: number, batchSize: number): number {
  return predictSteps({ sMin, bCrit }, batchSize);
}

/** n log-spaced batch sizes over [from, to] (inclusive), from > 0; nothing for an empty range. */
export function logSpace(from: number, to: number, n: number): number[] {
  if (!(from > 0) || !(to > 0) || n < 1) return [];
  if (n === 1 || from === to) return [from];
  return geomspace(from, to, n);
}

/** The fitted curve over [from, to], n points, log-spaced in B. */
export function fitCurve(sMin: number, bCrit: number, from: number, to: number, n = 64): CbPoint[] {
  if (!(sMin > 0) || !(bCrit > 0)) return [];
  return logSpace(from, to, n).map((b) => ({ x: b, y: fittedSteps(sMin, bCrit, b) }));
}

/** Perfect scaling through a point: S = S0 B0 / B (slope -1 on log-log), from B0 to `to`. */
export function perfectScaling(first: { x: number; y: number }, to: number): CbPoint[] {
  if (!(first.x > 0) || !(first.y > 0) || !(to > first.x)) return [];
  return [
    { x: first.x, y: first.y },
    { x: to, y: (first.y * first.x) / to },
  ];
}

const reached = (p: ScalingRow): p is ScalingRow & { steps: number } => typeof p.steps === 'number' && Number.isFinite(p.steps) && p.steps > 0;

/** The run id of a point, when the message names it. */
export function runIdOf(runIds: Record<string, Record<string, string>>, label: string, batchSize: number): string | undefined {
  const byBatch = runIds[label];
  if (byBatch === undefined || byBatch === null || typeof byBatch !== 'object') return undefined;
  const id = byBatch[String(batchSize)];
  return typeof id === 'string' ? id : undefined;
}

export interface OptimizerSeries {
  label: string;
  /** Measured steps to target, ascending batch size. */
  points: CbPoint[];
  /** Batch sizes that did not reach the target. */
  omitted: number[];
  /** Slope -1 through the first measured point, to the largest batch size of the chart. */
  perfect: CbPoint[];
  /** The fit S_min (1 + B_crit / B), when the report has one. */
  fit: CbPoint[];
  sMin: number | null;
  bCrit: number | null;
  /** (B_crit, 2 S_min): where the fit bends, the curve is twice its asymptote. */
  knee: CbPoint | null;
  /** B_crit's confidence interval; a null end is unbounded on that side (drawn to the chart's edge). */
  interval: { low: number | null; high: number | null; text: string } | null;
  /** Batch sizes whose trials failed (incomplete cells): not drawn, not fitted. */
  incomplete: number[];
  /** Best learning rate per batch size (points with a positive learning rate). */
  learningRates: CbPoint[];
}

export interface CriticalBatchView {
  series: OptimizerSeries[];
  /** NQM prediction overlays (fit curves only), labelled. */
  predictions: { label: string; fit: CbPoint[]; points: CbPoint[]; scale: number }[];
  /** Batch-size range of the chart. */
  bRange: [number, number] | null;
}

/** Batch sizes over every report (measured or not). */
function batchRange(reports: readonly CriticalBatchReport[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of reports)
    for (const p of r.points) {
      if (p.batchSize > 0 && p.batchSize < lo) lo = p.batchSize;
      if (p.batchSize > hi) hi = p.batchSize;
    }
  return lo <= hi ? [lo, hi] : null;
}

export function buildCriticalBatchView(
  reports: readonly CriticalBatchReport[],
  runIds: Record<string, Record<string, string>>,
  prediction: readonly CriticalBatchReport[] = [],
): CriticalBatchView {
  const bRange = batchRange([...reports, ...prediction]);
  const to = bRange?.[1] ?? 1;
  const from = bRange?.[0] ?? 1;
  const series = reports.map((r): OptimizerSeries => {
    const sorted = [...r.points].sort((a, b) => a.batchSize - b.batchSize);
    const complete = sorted.filter((p) => p.incomplete === undefined);
    const points = complete.filter(reached).map((p) => {
      const runId = runIdOf(runIds, r.optimizer, p.batchSize);
      return runId === undefined ? { x: p.batchSize, y: p.steps } : { x: p.batchSize, y: p.steps, runId };
    });
    const omitted = complete.filter((p) => !reached(p)).map((p) => p.batchSize);
    const hasFit = typeof r.sMin === 'number' && typeof r.bCrit === 'number' && r.sMin > 0 && r.bCrit > 0;
    const learningRates = sorted
      .filter((p) => typeof p.learningRate === 'number' && p.learningRate > 0 && Number.isFinite(p.learningRate))
      .map((p) => {
        const runId = runIdOf(runIds, r.optimizer, p.batchSize);
        const pt: CbPoint = { x: p.batchSize, y: p.learningRate as number };
        if (runId !== undefined) pt.runId = runId;
        return pt;
      });
    return {
      label: r.optimizer,
      points,
      omitted,
      perfect: points.length > 0 ? perfectScaling(points[0], Math.max(to, points[points.length - 1].x)) : [],
      fit: hasFit ? fitCurve(r.sMin as number, r.bCrit as number, from, to) : [],
      sMin: hasFit ? r.sMin : null,
      bCrit: hasFit ? r.bCrit : null,
      knee: hasFit ? { x: r.bCrit as number, y: 2 * (r.sMin as number) } : null,
      interval: hasFit && r.bCritInterval ? { low: r.bCritInterval[0], high: r.bCritInterval[1], text: intervalLabel(r) } : null,
      incomplete: sorted.filter((p) => p.incomplete !== undefined).map((p) => p.batchSize),
      learningRates,
    };
  });
  const predictions = prediction.map((r) => {
    const hasFit = typeof r.sMin === 'number' && typeof r.bCrit === 'number' && r.sMin > 0 && r.bCrit > 0;
    const fit = hasFit ? fitCurve(r.sMin as number, r.bCrit as number, from, to) : [];
    const points = r.points.filter(reached).map((p) => ({ x: p.batchSize, y: p.steps }));
    // The NQM's step counts are its own (compare shapes, not numbers): scale the curve to the
    // measured steps of the same optimizer at its smallest measured batch size.
    const measured = series.find((s) => r.optimizer === s.label || r.optimizer.startsWith(`${s.label} (NQM:`))?.points[0];
    const at = measured ? (hasFit ? fittedSteps(r.sMin as number, r.bCrit as number, measured.x) : points.find((p) => p.x === measured.x)?.y) : undefined;
    const k = measured && at && at > 0 ? measured.y / at : 1;
    const scale = (pts: CbPoint[]) => pts.map((p) => ({ x: p.x, y: p.y * k }));
    return {
      label: `NQM prediction: ${r.optimizer}${k !== 1 ? `, scaled to the measured steps at B=${measured!.x}` : ''}`,
      fit: scale(fit),
      points: scale(points),
      scale: k,
    };
  });
  return { series, predictions, bRange };
}

/** "95% [227, 513], bootstrap over 3 seeds" (open ends: 0 and infinity). */
export function intervalLabel(r: Pick<CriticalBatchReport, 'bCritInterval' | 'bCritIntervalMethod'>): string {
  if (!r.bCritInterval) return 'no interval';
  const end = (v: number | null, open: string) => (v === null ? open : String(Number(v.toPrecision(3))));
  const m = r.bCritIntervalMethod;
  const how = m ? `${Math.round(m.level * 100)}% ` : '';
  const method = m?.method === 'bootstrap-seeds' ? `, bootstrap over ${m.seeds ?? '?'} seeds` : m?.method === 'profile-likelihood' ? ', profile likelihood' : '';
  return `${how}[${end(r.bCritInterval[0], '0')}, ${end(r.bCritInterval[1], '∞')}]${method}`;
}

/** An interval as recorded: [low|null, high|null] with low <= high, else null (older records have none). */
function checkInterval(v: unknown): [number | null, number | null] | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const ok = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x) && x > 0);
  if (!ok(v[0]) || !ok(v[1])) return null;
  if (v[0] !== null && v[1] !== null && v[0] > v[1]) return null;
  return [v[0] as number | null, v[1] as number | null];
}

function checkMethod(v: unknown): CriticalBatchReport['bCritIntervalMethod'] {
  const o = v as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object') return null;
  if ((o.method !== 'profile-likelihood' && o.method !== 'bootstrap-seeds') || typeof o.level !== 'number' || !(o.level > 0 && o.level < 1)) return null;
  return { method: o.method, level: o.level, ...(typeof o.seeds === 'number' && { seeds: o.seeds }), ...(typeof o.resamples === 'number' && { resamples: o.resamples }) };
}

/** Checks the reports of a message (the protocol validator checks only that they are an array). */
export function validateReports(raw: unknown, where: string): { reports: CriticalBatchReport[]; problems: string[] } {
  const reports: CriticalBatchReport[] = [];
  const problems: string[] = [];
  if (raw === undefined) return { reports, problems };
  if (!Array.isArray(raw)) return { reports, problems: [`${where}: expected an array`] };
  raw.forEach((r: unknown, i) => {
    const o = r as Record<string, unknown> | null;
    if (o === null || typeof o !== 'object' || typeof o.optimizer !== 'string' || !Array.isArray(o.points)) {
      problems.push(`${where}[${i}]: expected a report with optimizer and points`);
      return;
    }
    const bad = (o.points as unknown[]).findIndex((p) => {
      const q = p as Record<string, unknown> | null;
      return q === null || typeof q !== 'object' || typeof q.batchSize !== 'number' || !(q.batchSize > 0) || !(q.steps === null || typeof q.steps === 'number');
    });
    if (bad >= 0) {
      problems.push(`${where}[${i}].points[${bad}]: expected {batchSize > 0, steps: number | null}`);
      return;
    }
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    reports.push({
      ...(o as unknown as CriticalBatchReport),
      sMin: num(o.sMin),
      eMin: num(o.eMin),
      bCrit: num(o.bCrit),
      bCritInterval: checkInterval(o.bCritInterval),
      bCritIntervalMethod: checkMethod(o.bCritIntervalMethod),
      extrapolated: o.extrapolated === true,
      incompleteBatchSizes: Array.isArray(o.incompleteBatchSizes) ? o.incompleteBatchSizes.filter((b): b is number => typeof b === 'number') : [],
      status: o.status === 'ok' || o.status === 'partial' || o.status === 'error' ? o.status : 'error',
      warnings: Array.isArray(o.warnings) ? o.warnings.filter((w): w is string => typeof w === 'string') : [],
      slopes: Array.isArray(o.slopes) ? (o.slopes as CriticalBatchReport['slopes']) : [],
    });
  });
  return { reports, problems };
}
