// Neural problems in experiment files (problem.type classification | regression | autoencoder):
// the checks the JSON Schema cannot make, and resolution into the ResolvedExperiment the sweep
// consumes. Kept free of TensorFlow.js (the extension validates files with it): model specs are
// checked by the engine when it builds the model (engine/src/sweep), dataset specs here.
import { DatasetSpecError, validateDatasetSpec } from '../data';
import { batchSizeCount, expandBatchSizes, expandGrid, gridSize, gridValueIssues, isGridSpec } from './grid';
import { DESCRIPTORS, gridOptions, optimizerDescriptor, rangeRule } from '../optim/registry';
import type { ExperimentFile, GridSpec, NeuralOptimizerType, NeuralProblemSpec, OptimizerEntry, ResolvedExperiment, ResolvedOptimizer } from './types';
import { NEURAL_PROBLEM_TYPES } from './types';
import { MAX_GRID_POINTS, MAX_NEURAL_TRIALS } from '../spec/limits';

export const DEFAULT_EVAL_EVERY = 10;
export const DEFAULT_EVAL_SIZE = 1000;

/** Top-level keys that only neural problems take, and those only the NQM takes. */
export const NEURAL_ONLY_KEYS = ['budget', 'backend', 'logEvery', 'checkpointEvery', 'seeds'] as const;
export const NQM_ONLY_KEYS = ['logPoints'] as const;

/** The searched options of each neural optimizer type, in grid order (learning rate first): from the registry. */
export const NEURAL_GRID_KEYS = Object.fromEntries(DESCRIPTORS.map((d) => [d.type, gridOptions(d)])) as unknown as Readonly<Record<NeuralOptimizerType, readonly string[]>>;
/** Optimizer types whose learningRate may be left out (K-FAC's adaptive mode chooses its own step). */
export const LEARNING_RATE_OPTIONAL: readonly NeuralOptimizerType[] = DESCRIPTORS.filter((d) => d.learningRate === 'optional').map((d) => d.type);
/** Options passed through to makeOptimizer as written (the schema says which type takes which). */
export const NEURAL_FIXED_KEYS: readonly string[] = [...new Set(DESCRIPTORS.flatMap((d) => Object.keys(d.options).filter((k) => !d.options[k].grid)))];

/** The rule every value of a searched option must meet, from its range in the registry. */
export function neuralGridRule(type: NeuralOptimizerType, key: string): { name: string; rule: string; ok: (v: number) => boolean } {
  const option = optimizerDescriptor(type).options[key];
  return { name: option.noun ?? key, ...rangeRule(option) };
}

/** Most trials (grid points x batch sizes, over all optimizers) one file may ask for. */
export const MAX_TRIALS = MAX_NEURAL_TRIALS;

export interface NeuralIssue {
  path: string;
  message: string;
  part?: 'key' | 'value';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isNeuralProblemType(t: unknown): boolean {
  return typeof t === 'string' && (NEURAL_PROBLEM_TYPES as readonly string[]).includes(t);
}

/** Whether parsed JSON declares a neural problem. */
export function isNeuralDocument(json: unknown): boolean {
  return isObj(json) && isObj(json.problem) && isNeuralProblemType(json.problem.type);
}

/** Semantic checks of a neural experiment (the schema has checked shapes). */
export function neuralIssues(json: Obj): NeuralIssue[] {
  const issues: NeuralIssue[] = [];
  for (const key of NQM_ONLY_KEYS) {
    if (key in json) issues.push({ path: `/${key}`, part: 'key', message: `'${key}' applies only to the nqm problem (neural runs log every step; see logEvery)` });
  }
  if (!('budget' in json)) issues.push({ path: '', message: "missing required key 'budget' (neural problems: {\"maxSteps\": ...})" });
  const problem = json.problem as Obj;
  if (isObj(problem.data)) {
    try {
      validateDatasetSpec(problem.data, '/problem/data');
    } catch (err) {
      if (!(err instanceof DatasetSpecError)) throw err;
      const path = err.pointer ?? '/problem/data';
      issues.push({ path, part: err.option && !(err.option in (problem.data as Obj)) ? undefined : 'key', message: err.message.replace(/^\/problem\/data(\/\S*)?: /, '') });
    }
  }
  const target = isObj(json.target) ? json.target : undefined;
  if (target && typeof target.metric === 'string' && (target.metric === 'accuracy' || target.metric === 'testAccuracy')) {
    if (problem.type !== 'classification') issues.push({ path: '/target/metric', message: `metric '${target.metric}' needs a classification problem, not ${String(problem.type)}` });
    if (typeof target.value === 'number' && !(target.value > 0 && target.value <= 1)) issues.push({ path: '/target/value', message: `an accuracy target must be in (0, 1], got ${target.value}` });
  }
  if (target && target.relativeToInitial === true && typeof target.metric === 'string' && target.metric !== 'trainLoss' && target.metric !== 'testLoss') {
    issues.push({ path: '/target/relativeToInitial', message: `relativeToInitial applies to loss targets (trainLoss, testLoss), not '${target.metric}'` });
  }
  if (target && typeof target.metric === 'string' && (target.metric === 'trainLoss' || target.metric === 'testLoss') && typeof target.value === 'number' && !(target.value > 0)) {
    issues.push({ path: '/target/value', message: `a loss target must be > 0, got ${target.value}` });
  }
  const optimizers = Array.isArray(json.optimizers) ? json.optimizers : [];
  let trials = 0;
  const batchSizes = json.batchSizes === undefined ? 0 : batchSizeCount(json.batchSizes);
  optimizers.forEach((entry: unknown, index) => {
    // hasOwn, not `in`: a type named 'constructor' or 'toString' is not an optimizer.
    if (!isObj(entry) || typeof entry.type !== 'string' || !Object.hasOwn(NEURAL_GRID_KEYS, entry.type)) return;
    const pointer = `/optimizers/${index}`;
    const type = entry.type as NeuralOptimizerType;
    if (entry.learningRate === undefined && !LEARNING_RATE_OPTIONAL.includes(type)) issues.push({ path: pointer, message: `missing required key 'learningRate' (neural optimizers have no default grid)` });
    let points = 1;
    for (const key of NEURAL_GRID_KEYS[type]) {
      const spec = entry[key];
      if (spec === undefined) continue;
      if (!isGridSpec(spec)) return; // the schema has reported it
      const path = `${pointer}/${key}`;
      const size = gridSize(spec);
      points *= size;
      if (size > MAX_GRID_POINTS) {
        issues.push({ path, message: `grid has ${size} values, more than the limit of ${MAX_GRID_POINTS} (MAX_GRID_POINTS)` });
        continue;
      }
      const { name, rule, ok } = neuralGridRule(type, key);
      issues.push(...gridValueIssues(spec, path, name, rule, ok));
    }
    trials += points * batchSizes;
  });
  const seeds = seedCount(json.seeds);
  if (trials * seeds > MAX_TRIALS) issues.push({ path: '/optimizers', message: `the sweep has ${trials * seeds} trials (grid points x batch sizes${seeds > 1 ? ` x ${seeds} seeds` : ''}), more than the limit of ${MAX_TRIALS} (MAX_NEURAL_TRIALS)` });
  if (Array.isArray(json.seeds) && Object.hasOwn(json, 'seed')) issues.push({ path: '/seed', part: 'key', message: "give either 'seed' or a list of 'seeds', not both (with a count, 'seeds': N runs seed, seed + 1, ...)" });
  return issues;
}

/** How many seeds a (schema-checked) `seeds` value asks for; 1 when absent or malformed. */
function seedCount(spec: unknown): number {
  if (Array.isArray(spec)) return Math.max(1, spec.length);
  return typeof spec === 'number' && Number.isInteger(spec) && spec >= 1 ? spec : 1;
}

/** The seeds of a neural experiment: `seeds` as a list, or a count from `seed`; default [seed]. */
export function resolveSeeds(json: Pick<ExperimentFile, 'seed' | 'seeds'>): number[] {
  const first = json.seed ?? 0;
  if (Array.isArray(json.seeds)) return [...json.seeds];
  return Array.from({ length: json.seeds ?? 1 }, (_, k) => first + k);
}

export function defaultNeuralLabel(type: NeuralOptimizerType): string {
  return optimizerDescriptor(type).label;
}

/** The options of a type passed to makeOptimizer as written, in its descriptor's order. */
function fixedKeys(type: NeuralOptimizerType): string[] {
  const { options } = optimizerDescriptor(type);
  return Object.keys(options).filter((k) => !options[k].grid);
}

/** Fills defaults and expands grids of a valid neural experiment. */
export function resolveNeuralExperiment(json: ExperimentFile, file?: string): ResolvedExperiment {
  const problem = json.problem as NeuralProblemSpec;
  const optimizers = json.optimizers.map((entry: OptimizerEntry, index): ResolvedOptimizer => {
    const type = entry.type as NeuralOptimizerType;
    const grids: Record<string, number[]> = {};
    for (const key of NEURAL_GRID_KEYS[type]) {
      const spec = (entry as unknown as Obj)[key];
      if (spec !== undefined) grids[key] = expandGrid(spec as GridSpec);
    }
    const fixed: Record<string, unknown> = {};
    for (const key of fixedKeys(type)) {
      const v = (entry as unknown as Obj)[key];
      if (v !== undefined) fixed[key] = structuredClone(v);
    }
    const resolved: ResolvedOptimizer = {
      label: entry.label ?? defaultNeuralLabel(type),
      type,
      precondition: 0,
      learningRates: grids.learningRate ?? [],
      grids,
      fixed,
      pointer: `/optimizers/${index}`,
    };
    if (grids.momentum && (type === 'momentum' || type === 'nesterov')) resolved.momenta = grids.momentum;
    return resolved;
  });
  const t = json.target;
  return {
    name: json.name,
    ...(json.description !== undefined && { description: json.description }),
    ...(file !== undefined && { file }),
    problem: { type: problem.type, data: structuredClone(problem.data), model: structuredClone(problem.model) },
    target: {
      metric: t.metric,
      value: t.value,
      evalEvery: t.evalEvery ?? DEFAULT_EVAL_EVERY,
      ...(t.relativeResolution !== undefined && { relativeResolution: t.relativeResolution }),
      ...(t.relativeToInitial && { relativeToInitial: true }),
      evalSize: t.evalSize ?? DEFAULT_EVAL_SIZE,
    },
    batchSizes: expandBatchSizes(json.batchSizes),
    optimizers,
    logPoints: 0,
    seed: resolveSeeds(json)[0],
    seeds: resolveSeeds(json),
    budget: {
      maxSteps: json.budget!.maxSteps,
      ...(json.budget!.divergeAbove !== undefined && { divergeAbove: json.budget!.divergeAbove }),
      ...(json.budget!.relativeToSmallerBatch !== undefined && { relativeToSmallerBatch: json.budget!.relativeToSmallerBatch }),
    },
    backend: json.backend ?? 'auto',
    logEvery: json.logEvery ?? 1,
    ...(json.checkpointEvery !== undefined && { checkpointEvery: json.checkpointEvery }),
    raw: json,
  };
}
