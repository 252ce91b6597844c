// Loading an experiment file: read, parse with locations, validate, then fill defaults and
// expand grids into the ResolvedExperiment the runner consumes.
import { readFileSync, statSync } from 'node:fs';
import { REFERENCE_GRIDS, expandBatchSizes, expandGrid } from './grid';
import { checkExperimentSize, parseJsonWithLocation } from './json-locate';
import { resolveNeuralExperiment } from './neural';
import type { ExperimentFile, NqmOptimizerType, ResolvedExperiment, ResolvedOptimizer } from './types';
import { PROBLEM_DEFAULTS, isNeuralProblem } from './types';
import { ExperimentError, defaultLabel, validateExperiment } from './validate';

export { PROBLEM_DEFAULTS };
export const DEFAULT_LOG_POINTS = 200;
export const DEFAULT_SEED = 0;

export function loadExperiment(file: string): ResolvedExperiment {
  let text: string;
  try {
    // The size first: a huge file (or /dev/zero) is refused without reading it.
    const stat = statSync(file);
    if (stat.isFile()) checkExperimentSize(stat.size, file);
    else if (!stat.isDirectory()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof ExperimentError) throw err;
    const message = code === 'ENOENT' ? `file not found: ${file}` : code === 'ENOTFILE' ? `not a regular file: ${file}` : `cannot read ${file}: ${(err as Error).message}`;
    throw new ExperimentError([{ path: '', message }], file, 'cannot load experiment file');
  }
  return parseExperiment(text, file);
}

/** Parses, validates and resolves experiment text (e.g. an unsaved editor buffer). */
export function parseExperiment(text: string, file?: string): ResolvedExperiment {
  const doc = parseJsonWithLocation(text, file);
  return resolveExperiment(validateExperiment(doc.value, file, doc), file);
}

/** Fills defaults and expands grids; `json` must already be valid. */
export function resolveExperiment(json: ExperimentFile, file?: string): ResolvedExperiment {
  const p = json.problem;
  if (isNeuralProblem(p)) return resolveNeuralExperiment(json, file);
  if (p.type !== 'nqm') throw new Error(`unknown problem type '${String((p as { type: unknown }).type)}'`);
  const optimizers = json.optimizers.map((entry, index): ResolvedOptimizer => {
    const reference = REFERENCE_GRIDS[entry.type as NqmOptimizerType];
    const precondition = entry.precondition ?? 0;
    const resolved: ResolvedOptimizer = {
      label: entry.label ?? defaultLabel(entry.type, precondition),
      type: entry.type,
      precondition,
      learningRates: expandGrid(entry.learningRate ?? reference.learningRate),
      pointer: `/optimizers/${index}`,
    };
    if (entry.type === 'momentum') resolved.momenta = expandGrid(entry.momentum ?? reference.momentum!);
    if (entry.type === 'ema') resolved.decays = expandGrid(entry.decay ?? reference.decay!);
    return resolved;
  });
  return {
    name: json.name,
    ...(json.description !== undefined && { description: json.description }),
    ...(file !== undefined && { file }),
    problem: {
      type: p.type,
      dim: p.dim ?? PROBLEM_DEFAULTS.dim,
      exponent: p.exponent ?? PROBLEM_DEFAULTS.exponent,
      bins: p.bins ?? PROBLEM_DEFAULTS.bins,
      noise: {
        power: p.noise?.power ?? PROBLEM_DEFAULTS.noise.power,
        scale: p.noise?.scale ?? PROBLEM_DEFAULTS.noise.scale,
      },
      initVariance: p.initVariance ?? PROBLEM_DEFAULTS.initVariance,
    },
    target: { metric: json.target.metric, value: json.target.value },
    batchSizes: expandBatchSizes(json.batchSizes),
    optimizers,
    logPoints: json.logPoints ?? DEFAULT_LOG_POINTS,
    seed: json.seed ?? DEFAULT_SEED,
    raw: json,
  };
}
