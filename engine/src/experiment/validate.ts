// Validation of experiment files: the JSON Schema (through ajv) for shape, then a semantic pass for
// what the schema cannot say. Every problem is collected, each with a JSON pointer and, when the
// source text is known, a line and column.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../../schemas/optlab-experiment.schema.json';
import { closestName } from '../spec/did-you-mean';
import { escapeSegment } from '../spec/pointer';
import { GRID_RULES, RANGE_KINDS, REFERENCE_GRIDS, gridSize, gridValueIssues, isGridSpec } from './grid';
import { ExperimentError, type ExperimentIssue } from './experiment-error';
import type { JsonDocument } from './json-locate';
import { NEURAL_GRID_KEYS, NEURAL_ONLY_KEYS, NQM_ONLY_KEYS, defaultNeuralLabel, isNeuralDocument, neuralIssues } from './neural';
import type { ExperimentFile, GridSpec, NeuralOptimizerType, NqmOptimizerType, OptimizerEntry } from './types';

export { ExperimentError, formatIssues, type ExperimentIssue } from './experiment-error';

/** Most grid points (the product of an optimizer's grids) one entry may ask for. */
export const MAX_GRID_POINTS = 100_000;

const TYPE_NAMES: Record<NqmOptimizerType, string> = { sgd: 'SGD', momentum: 'Momentum', ema: 'EMA' };

/** The label an entry gets when it has none: "SGD", "SGD p=0.5", "Momentum", "EMA p=1", "Adam". */
export function defaultLabel(type: OptimizerEntry['type'], precondition = 0): string {
  if (!(type in TYPE_NAMES)) return defaultNeuralLabel(type as NeuralOptimizerType);
  const name = TYPE_NAMES[type as NqmOptimizerType];
  return precondition === 0 ? name : `${name} p=${Number(precondition.toPrecision(4))}`;
}

/** Validates parsed JSON; `doc` (from parseJsonWithLocation) adds line and column to issues. */
export function validateExperiment(json: unknown, file?: string, doc?: Pick<JsonDocument, 'locate'>): ExperimentFile {
  const validate = compiledSchema();
  const issues: Issue[] = [];
  if (!validate(json)) for (const e of validate.errors ?? []) issues.push(...translate(e));
  issues.push(...semanticIssues(json));
  if (issues.length === 0) return json as ExperimentFile;

  const seen = new Set<string>();
  const located: ExperimentIssue[] = [];
  for (const { part, ...issue } of issues) {
    const id = `${issue.path}\u0000${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const at = doc?.locate(issue.path, part)?.start;
    located.push(at ? { ...issue, line: at.line, column: at.column } : issue);
  }
  located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
  throw new ExperimentError(located, file);
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
    const path = `${pointer}/${key}`;
    const { name, rule, ok } = GRID_RULES[key];
    issues.push(...gridValueIssues(spec, path, name, rule, ok));
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
