// How a run is named in the panels (legend, tooltip, run list, tables): its optimizer label and,
// when known, its batch size — ten SGD runs of a batch-size sweep must not all read "SGD". Pure.

/** "SGD p=0.5 · B=1024"; the label alone when the batch size is unknown or the label already says it. */
export function runDisplayLabel(run: { label: string; batchSize?: number }): string {
  const b = run.batchSize;
  if (typeof b !== 'number' || !Number.isFinite(b)) return run.label;
  if (new RegExp(`(^|[^\\w])B\\s*=\\s*${String(b).replace('.', '\\.')}(?![\\w.])`).test(run.label)) return run.label;
  return `${run.label} \u00b7 B=${b}`;
}
