// Where things are in an experiment file's text: the experiment object, each optimizer entry (by
// the engine's own locating parser), the label each entry's runs carry, and how many runs a sweep
// makes. Tolerant: a file that does not parse as JSON has no outline.
import { type BatchSizesSpec, defaultLabel, expandBatchSizes, type OptimizerEntry, parseJsonWithLocation, type SourceRange } from '../../../engine/src';

export interface OptimizerEntryLocation {
  index: number;
  /** JSON pointer, e.g. /optimizers/2. */
  pointer: string;
  /** The label its runs carry: "label", or the default label built from type and precondition. */
  label: string;
  type?: string;
  /** The entry object's range (1-based lines and columns). */
  range: SourceRange;
}

export interface ExperimentOutline {
  name?: string;
  /** The whole document's value range. */
  range?: SourceRange;
  /** Where the "name" property is, for the CodeLens. */
  nameRange?: SourceRange;
  entries: OptimizerEntryLocation[];
  batchSizes: number[];
  /** optimizers x batch sizes, when both are known. */
  runCount?: number;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const OPTIMIZER_TYPES = ['sgd', 'momentum', 'ema'];

export function labelOfEntry(entry: unknown): string | undefined {
  if (!isObj(entry)) return undefined;
  if (typeof entry.label === 'string' && entry.label !== '') return entry.label;
  if (typeof entry.type !== 'string' || !OPTIMIZER_TYPES.includes(entry.type)) return undefined;
  const p = typeof entry.precondition === 'number' && Number.isFinite(entry.precondition) ? entry.precondition : 0;
  return defaultLabel(entry.type as OptimizerEntry['type'], p);
}

export function outlineExperiment(text: string): ExperimentOutline {
  let doc;
  try {
    doc = parseJsonWithLocation(text);
  } catch {
    return { entries: [], batchSizes: [] };
  }
  const value = doc.value;
  if (!isObj(value)) return { entries: [], batchSizes: [] };
  const outline: ExperimentOutline = { entries: [], batchSizes: [], range: doc.locate('') };
  if (typeof value.name === 'string') {
    outline.name = value.name;
    outline.nameRange = doc.locate('/name', 'key');
  }
  if (Array.isArray(value.optimizers)) {
    value.optimizers.forEach((entry, index) => {
      const pointer = `/optimizers/${index}`;
      const range = doc.locate(pointer);
      const label = labelOfEntry(entry);
      if (!range || label === undefined) return;
      outline.entries.push({ index, pointer, label, ...(isObj(entry) && typeof entry.type === 'string' && { type: entry.type }), range });
    });
  }
  outline.batchSizes = batchSizesOf(value.batchSizes);
  if (outline.batchSizes.length && Array.isArray(value.optimizers) && value.optimizers.length) {
    outline.runCount = outline.batchSizes.length * value.optimizers.length;
  }
  return outline;
}

/** The entry whose range contains a (1-based) position. */
export function entryAt(outline: ExperimentOutline, line: number, column: number): OptimizerEntryLocation | undefined {
  return outline.entries.find((e) => {
    const { start, end } = e.range;
    const afterStart = line > start.line || (line === start.line && column >= start.column);
    const beforeEnd = line < end.line || (line === end.line && column <= end.column);
    return afterStart && beforeEnd;
  });
}

/** The entry a run came from: by its recorded JSON pointer when that entry still has the run's label, else by label. */
export function entryOfRun(outline: ExperimentOutline, run: { label: string; config?: unknown }): OptimizerEntryLocation | undefined {
  const pointer = (run.config as { optimizer?: { pointer?: unknown } } | null | undefined)?.optimizer?.pointer;
  if (typeof pointer === 'string') {
    const byPointer = outline.entries.find((e) => e.pointer === pointer && e.label === run.label);
    if (byPointer) return byPointer;
  }
  return outline.entries.find((e) => e.label === run.label);
}

/** The batch sizes a (possibly invalid, half-typed) batchSizes value expands to; [] when it cannot be known. */
export function batchSizesOf(spec: unknown): number[] {
  if (Array.isArray(spec)) return spec.filter((b): b is number => typeof b === 'number' && Number.isFinite(b));
  if (!isObj(spec) || !isObj(spec.powersOf2)) return [];
  const { from, to, step = 1 } = spec.powersOf2;
  if (typeof from !== 'number' || typeof to !== 'number' || typeof step !== 'number' || !(step >= 1)) return [];
  // A half-typed "to": 1e9 must not hang the editor.
  if (!Number.isFinite(from) || !Number.isFinite(to) || (to - from) / step > 64) return [];
  return expandBatchSizes({ powersOf2: { from, to, step } } as BatchSizesSpec);
}
