// Validation of experiment files: the JSON Schema (through ajv) for shape, then a semantic pass for
// what the schema cannot say. Every problem is collected, each with a JSON pointer and, when the
// source text is known, a line and column.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../../schemas/optlab-experiment.schema.json';
import { closestName } from '../spec/did-you-mean';
import { MAX_BATCH_SIZES, MAX_GRID_POINTS, MAX_OPTIMIZERS, MAX_NQM_DIM, MAX_NQM_EVALUATIONS, MAX_NQM_MODES, MAX_REPORTED_ISSUES } from '../spec/limits';
import { escapeSegment } from '../spec/pointer';
import { GRID_RULES, RANGE_KINDS, REFERENCE_GRIDS, batchSizeCount, gridSize, gridValueIssues, isGridSpec } from './grid';
import { ExperimentError, type ExperimentIssue } from './experiment-error';
import type { JsonDocument } from './json-locate';
import { NEURAL_GRID_KEYS, NEURAL_ONLY_KEYS, NQM_ONLY_KEYS, defaultNeuralLabel, isNeuralDocument, neuralIssues } from './neural';
import { PROBLEM_DEFAULTS, type ExperimentFile, type GridSpec, type NeuralOptimizerType, type NqmOptimizerType, type OptimizerEntry } from './types';

export { ExperimentError, formatIssues, type ExperimentIssue } from './experiment-error';

export { MAX_GRID_POINTS } from '../spec/limits';

const TYPE_NAMES: Record<NqmOptimizerType, string> = { sgd: 'SGD', momentum: 'Momentum', ema: 'EMA' };

/** The label an entry gets when it has none: "SGD", "SGD p=0.5", "Momentum", "EMA p=1", "Adam". */
export function defaultLabel(type: OptimizerEntry['type'], precondition = 0): string {
  if (!Object.hasOwn(TYPE_NAMES, type)) return defaultNeuralLabel(type as NeuralOptimizerType);
  const name = TYPE_NAMES[type as NqmOptimizerType];
  return precondition === 0 ? name : `${name} p=${Number(precondition.toPrecision(4))}`;
}

/** Validates parsed JSON; `doc` (from parseJsonWithLocation) adds line and column to issues. */
export function validateExperiment(json: unknown, file?: string, doc?: Pick<JsonDocument, 'locate'>): ExperimentFile {
  const validate = compiledSchema();
  // Sizes first: a file far over them gets only that, before the schema lists every item's problems.
  const issues: Issue[] = sizeIssues(json);
  if (issues.length === 0) {
    if (!validate(json)) for (const e of validate.errors ?? []) issues.push(...translate(e));
    issues.push(...semanticIssues(json));
  }
  if (issues.length === 0) return json as ExperimentFile;

  const seen = new Set<string>();
  const unique: Issue[] = [];
  for (const issue of issues) {
    const id = `${issue.path}\u0000${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    unique.push(issue);
  }
  // Only the listed issues are located: each locate scans the text, and 20,000 bad values must not
  // make 20,000 scans.
  const listed = capIssues(unique);
  const located = listed.map((entry, i): ExperimentIssue => {
    const { part, ...issue } = entry as Issue;
    if (i >= MAX_REPORTED_ISSUES) return issue; // the "and N more" line
    const at = doc?.locate(issue.path, part)?.start;
    return at ? { ...issue, line: at.line, column: at.column } : issue;
  });
  const body = located.slice(0, MAX_REPORTED_ISSUES).sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
  throw new ExperimentError([...body, ...located.slice(MAX_REPORTED_ISSUES)], file);
}

/** The first MAX_REPORTED_ISSUES issues, and one line saying how many more there are. */
export function capIssues<T extends ExperimentIssue>(issues: T[]): (T | ExperimentIssue)[] {
  if (issues.length <= MAX_REPORTED_ISSUES) return issues;
  const more = issues.length - MAX_REPORTED_ISSUES;
  return [...issues.slice(0, MAX_REPORTED_ISSUES), { path: '', message: `and ${more} more problem${more === 1 ? '' : 's'} (only the first ${MAX_REPORTED_ISSUES} are listed)` }];
}

type Issue = ExperimentIssue & { part?: 'key' | 'value' };
type Obj = Record<string, unknown>;

let cached: ValidateFunction | undefined;

function compiledSchema(): ValidateFunction {
  if (!cached) {
    // verbose: errors carry the data and parent schema, which the messages quote.
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true, verbose: true });
    ajv.addVocabulary(['markdownDescription', 'defaultSnippets']);
    cached = ajv.compile(schema);
  }
  return cached;
}

// ---- ajv errors as messages a person can act on ----

function translate(e: ErrorObject): Issue[] {
  const path = e.instancePath;
  const p = e.params as Obj;
  const data = e.data;
  const parent = (e.parentSchema ?? {}) as Obj;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const at = `${path}/${escapeSegment(key)}`;
      let allowed = Object.keys((parent.properties ?? {}) as Obj);
      if (path === '') {
        const excluded: readonly string[] = isNeuralDocument(data) ? NQM_ONLY_KEYS : NEURAL_ONLY_KEYS;
        allowed = allowed.filter((k) => !excluded.includes(k));
      }
      if (/^\/optimizers\/\d+$/.test(path) && ['momentum', 'decay'].includes(key)) {
        return [{ path: at, part: 'key', message: `optimizer '${String((data as Obj).type)}' has no option '${key}'` }];
      }
      return [{ path: at, part: 'key', message: `unknown key '${key}' (allowed: ${allowed.join(', ')})${didYouMean(key, allowed)}` }];
    }
    case 'required':
      return [{ path, message: `missing required key '${String(p.missingProperty)}'` }];
    case 'type': {
      const expected = ([] as string[]).concat(p.type as string | string[]);
      const got = typeof data === 'number' ? String(data) : jsonType(data);
      return [{ path, message: `expected ${orList(expected)}, got ${got}` }];
    }
    case 'enum':
    case 'const': {
      const allowed = e.keyword === 'enum' ? (p.allowedValues as unknown[]) : [p.allowedValue];
      return [{ path, message: `expected ${oneOf(allowed)}, got ${quote(data)}` }];
    }
    case 'discriminator': {
      const tag = String(p.tag);
      const allowed = ((parent.oneOf ?? []) as Obj[]).flatMap((b) => tagValue(b, tag));
      if ((data as Obj)[tag] === undefined) return [{ path, message: `missing required key '${tag}' (${oneOf(allowed)})` }];
      return [{ path: `${path}/${escapeSegment(tag)}`, message: `expected ${oneOf(allowed)}, got ${quote((data as Obj)[tag])}` }];
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return [{ path, message: `must be ${String(p.comparison)} ${String(p.limit)}, got ${String(data)}` }];
    case 'minLength':
      return [{ path, message: p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} characters` }];
    case 'minItems':
    case 'maxItems': {
      const n = (data as unknown[]).length;
      if (parent.minItems === parent.maxItems) {
        const shape = RANGE_KINDS.some((k) => path.endsWith(`/${k}`)) ? '[start, stop, count]' : `${String(parent.minItems)} items`;
        return [{ path, message: `expected ${shape}, got ${n} item${n === 1 ? '' : 's'}` }];
      }
      if (e.keyword === 'minItems' && p.limit === 1) return [{ path, message: 'must not be empty' }];
      return [{ path, message: `expected ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)} items, got ${n}` }];
    }
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(data as Obj);
      const allowed = Object.keys((parent.properties ?? {}) as Obj);
      return [{ path, message: `expected exactly one of ${allowed.join(', ')}, got ${keys.length ? keys.join(', ') : 'none'}` }];
    }
    case 'if':
      return []; // the failing 'then' reports the actual problem
    default:
      return [{ path, message: e.message ?? `fails '${e.keyword}'` }];
  }
}

function tagValue(branch: Obj, tag: string): unknown[] {
  const ref = branch.$ref;
  let target: unknown = branch;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    target = ref.slice(2).split('/').reduce<unknown>((o, k) => (o as Obj | undefined)?.[k], schema);
  }
  const prop = ((target as Obj | undefined)?.properties as Obj | undefined)?.[tag] as Obj | undefined;
  return prop?.const !== undefined ? [prop.const] : ((prop?.enum as unknown[] | undefined) ?? []);
}

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function quote(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : v !== null && typeof v === 'object' ? jsonType(v) : String(v);
}

function oneOf(values: unknown[]): string {
  return values.length === 1 ? quote(values[0]) : `one of ${values.map(quote).join(', ')}`;
}

function orList(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function didYouMean(key: string, allowed: string[]): string {
  const best = closestName(key, allowed);
  return best ? ` - did you mean '${best}'?` : '';
}

// ---- what the schema cannot express ----

function semanticIssues(json: unknown): Issue[] {
  if (!isObj(json)) return [];
  const issues: Issue[] = [];
  checkBatchSizes(json.batchSizes, issues);
  const neural = isNeuralDocument(json);
  if (neural) issues.push(...neuralIssues(json));
  else {
    for (const key of NEURAL_ONLY_KEYS) {
      if (key in json) issues.push({ path: `/${key}`, part: 'key', message: `'${key}' applies only to neural problems (classification, regression, autoencoder)` });
    }
    checkNqmSize(json, issues);
  }
  const labels = new Map<string, string>();
  const optimizers = Array.isArray(json.optimizers) ? json.optimizers : [];
  optimizers.forEach((entry: unknown, index) => {
    if (!isObj(entry) || typeof entry.type !== 'string') return;
    if (neural ? !Object.hasOwn(NEURAL_GRID_KEYS, entry.type) : !Object.hasOwn(REFERENCE_GRIDS, entry.type)) return;
    const pointer = `/optimizers/${index}`;
    const type = entry.type as OptimizerEntry['type'];
    if (!neural) checkGrids(entry, type as NqmOptimizerType, pointer, issues);
    const explicit = entry.label !== undefined;
    if (explicit && (typeof entry.label !== 'string' || entry.label === '')) return; // the schema has reported it
    const label = explicit ? (entry.label as string) : defaultLabel(type, typeof entry.precondition === 'number' ? entry.precondition : 0);
    const first = labels.get(label);
    if (first === undefined) labels.set(label, pointer);
    else {
      const hint = explicit ? '' : ' (the default label of this entry: give it a distinct "label")';
      issues.push({ path: explicit ? `${pointer}/label` : pointer, message: `duplicate label '${label}', also used by ${first}${hint}` });
    }
  });
  return issues;
}

/** The counts checked before anything else: batch sizes and optimizer entries. */
function sizeIssues(json: unknown): Issue[] {
  if (!isObj(json)) return [];
  const issues: Issue[] = [];
  const count = batchSizeCount(json.batchSizes);
  if (count > MAX_BATCH_SIZES) issues.push({ path: '/batchSizes', message: `${count} batch sizes, more than the limit of ${MAX_BATCH_SIZES} (MAX_BATCH_SIZES)` });
  if (Array.isArray(json.optimizers) && json.optimizers.length > MAX_OPTIMIZERS) {
    issues.push({ path: '/optimizers', message: `${json.optimizers.length} optimizer entries, more than the limit of ${MAX_OPTIMIZERS} (MAX_OPTIMIZERS)` });
  }
  return issues;
}

function checkBatchSizes(spec: unknown, issues: Issue[]): void {
  if (Array.isArray(spec)) {
    const seen = new Map<unknown, number>();
    spec.forEach((b, i) => {
      const first = seen.get(b);
      if (typeof b === 'number' && first !== undefined) {
        issues.push({ path: `/batchSizes/${i}`, message: `duplicate batch size ${b}, also at /batchSizes/${first}` });
      } else seen.set(b, i);
    });
    return;
  }
  const p2 = isObj(spec) && isObj(spec.powersOf2) ? spec.powersOf2 : undefined;
  if (p2 && Number.isInteger(p2.from) && Number.isInteger(p2.to) && (p2.from as number) > (p2.to as number)) {
    issues.push({
      path: '/batchSizes/powersOf2',
      message: `expands to no batch sizes: from (${String(p2.from)}) is greater than to (${String(p2.to)})`,
    });
  }
}

/** NQM sizes: dim, the modes a worker computes with, and grid evaluations over the whole file. */
function checkNqmSize(json: Obj, issues: Issue[]): void {
  const problem = isObj(json.problem) && json.problem.type === 'nqm' ? json.problem : undefined;
  if (!problem) return;
  const dim = typeof problem.dim === 'number' ? problem.dim : PROBLEM_DEFAULTS.dim;
  const bins = typeof problem.bins === 'number' ? problem.bins : PROBLEM_DEFAULTS.bins;
  if (dim > MAX_NQM_DIM) {
    issues.push({ path: '/problem/dim', message: `dim ${dim} is more than the limit of ${MAX_NQM_DIM} (MAX_NQM_DIM: the spectrum alone takes 8 bytes per dimension)` });
  } else if (Number.isInteger(dim) && Number.isInteger(bins) && bins >= 0) {
    const modes = bins > 0 && bins < dim ? bins : dim;
    if (modes > MAX_NQM_MODES) {
      const path = bins > 0 && bins < dim ? '/problem/bins' : '/problem/dim';
      const why = bins === 0 ? 'unbinned (bins 0), every dimension is a mode' : bins >= dim ? `bins ${bins} >= dim, so the model is unbinned` : `${bins} bins`;
      issues.push({ path, message: `the model has ${modes} modes (${why}), more than the limit of ${MAX_NQM_MODES} (MAX_NQM_MODES: about 75 bytes per mode per worker); use fewer bins or a smaller dim` });
    }
  }
  const batchSizes = batchSizeCount(json.batchSizes);
  const optimizers = Array.isArray(json.optimizers) ? json.optimizers : [];
  let evaluations = 0;
  for (const entry of optimizers) {
    if (!isObj(entry) || typeof entry.type !== 'string' || !Object.hasOwn(REFERENCE_GRIDS, entry.type)) continue;
    const reference = REFERENCE_GRIDS[entry.type as NqmOptimizerType];
    let points = 1;
    for (const key of ['learningRate', 'momentum', 'decay'] as const) {
      if (reference[key] === undefined) continue;
      const spec = entry[key] ?? reference[key];
      if (isGridSpec(spec)) points *= gridSize(spec);
    }
    if (points > MAX_GRID_POINTS) return; // checkGrids reports it
    evaluations += points * batchSizes;
  }
  if (evaluations > MAX_NQM_EVALUATIONS) {
    issues.push({
      path: '/optimizers',
      message: `the study evaluates ${evaluations} grid points (grid points x ${batchSizes} batch sizes, over all optimizers), more than the limit of ${MAX_NQM_EVALUATIONS} (MAX_NQM_EVALUATIONS)`,
    });
  }
}

function checkGrids(entry: Obj, type: NqmOptimizerType, pointer: string, issues: Issue[]): void {
  const keys = (['learningRate', 'momentum', 'decay'] as const).filter((k) => REFERENCE_GRIDS[type][k] !== undefined);
  const sizes: { key: string; size: number }[] = [];
  for (const key of keys) {
    const spec = entry[key] ?? REFERENCE_GRIDS[type][key];
    if (!isGridSpec(spec)) return; // the schema has reported it
    sizes.push({ key, size: gridSize(spec) });
  }
  const total = sizes.reduce((t, s) => t * s.size, 1);
  if (total > MAX_GRID_POINTS) {
    const alone = sizes.find((s) => s.size > MAX_GRID_POINTS);
    const detail = sizes.map((s) => `${s.key} ${s.size}`).join(' × ');
    issues.push({
      path: alone && entry[alone.key] !== undefined ? `${pointer}/${alone.key}` : pointer,
      message: `grid has ${total} points (${detail}), more than the limit of ${MAX_GRID_POINTS} per optimizer`,
    });
    return; // too large to expand
  }
  for (const key of keys) {
    const spec = entry[key] as GridSpec | undefined;
    if (spec === undefined) continue; // reference grids are fine
    if (!isGridSpec(spec)) continue; // e.g. null: the schema has reported it
    const path = `${pointer}/${key}`;
    const { name, rule, ok } = GRID_RULES[key];
    issues.push(...gridValueIssues(spec, path, name, rule, ok));
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
