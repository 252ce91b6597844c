// Seeded fuzz cases of experiment files (no fast-check in the project: this is its own generator),
// and the check every case must pass: parseExperiment either returns a resolved experiment that
// keeps every limit and can be planned, or throws a SpecError with a path and a one-paragraph
// message; never another error. Shared by the fuzz worker and the test that drives it.
import fs from 'node:fs';
import path from 'node:path';
import { parseExperiment } from '../../engine/src/experiment/load';
import { isNeuralProblem, type ResolvedExperiment, type ResolvedNqmProblem } from '../../engine/src/experiment/types';
import { planNqm } from '../../engine/src/problems/nqm/plan';
import { MAX_BATCH_SIZES, MAX_NQM_DIM, MAX_NQM_MODES, MAX_REPORTED_ISSUES } from '../../engine/src/spec/limits';
import { SpecError } from '../../engine/src/spec/spec-error';
import { planSweep } from '../../engine/src/sweep/plan';
import { rng } from '../support/rng';

export const FUZZ_FILE = 'fuzz.optlab.json';
const ROOT = path.resolve(__dirname, '../..');

export const EXAMPLES: unknown[] = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.optlab.json'))
  .sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8')) as unknown);


type Rand = () => number;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const NUMBERS = [0, -0, 1, -1, 2, 0.5, 1e-300, 1e9, 1e10, 1e300, -1e300, 2 ** 53, 2 ** 31, 3.7, 40, 41, 64, 65, 100, 1e6, 1e7, 1e7 + 1, 123456789];
const STRINGS = ['', 'nqm', 'sgd', 'adam', 'kfac', 'momentum', 'ema', 'loss', 'classification', 'idx', 'mnist', 'clusters', '__proto__', 'constructor', '../../etc/passwd', '/etc/passwd', '\u0000', 'x'.repeat(300), 'é✓', 'logspace', 'powersOf2'];
const KEYS = ['type', 'dim', 'bins', 'learningRate', 'momentum', 'decay', 'batchSizes', 'optimizers', 'problem', 'target', 'budget', 'data', 'model', 'logspace', 'linspace', 'oneMinusLogspace', 'powersOf2', 'from', 'to', 'step', 'label', 'precondition', 'images', 'labels', 'trainSize', '__proto__', 'toString', 'hasOwnProperty', 'seed', 'logPoints', 'maxSteps', 'value', 'metric'];

/** A random JSON value, biased to the shapes experiment files have. */
export function randomJson(r: Rand, depth = 0): Json {
  const k = r();
  if (depth > 4 || k < 0.35) {
    const s = r();
    if (s < 0.45) return pick(r, NUMBERS) * (r() < 0.1 ? -1 : 1);
    if (s < 0.75) return pick(r, STRINGS);
    if (s < 0.85) return r() < 0.5;
    if (s < 0.9) return null;
    return Math.floor(r() * 1000) / (r() < 0.5 ? 1 : 7);
  }
  if (k < 0.6) {
    const range = pick(r, ['logspace', 'linspace', 'oneMinusLogspace']);
    if (r() < 0.5) return { [range]: [Math.round(r() * 20 - 10), Math.round(r() * 20 - 10), pick(r, [0, 1, 3, 10, 1e6, 1e9, -2, 2.5])] };
    return Array.from({ length: Math.floor(r() * 5) }, () => randomJson(r, depth + 1));
  }
  const o: { [k: string]: Json } = {};
  for (let i = Math.floor(r() * 4); i > 0; i--) o[pick(r, KEYS)] = randomJson(r, depth + 1);
  return o;
}

/** Every (container, key) pair of a document, for picking where to mutate. */
function slots(doc: Json, out: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = []): typeof out {
  const children: [string | number, Json][] = Array.isArray(doc) ? doc.map((v, i) => [i, v]) : doc !== null && typeof doc === 'object' ? Object.entries(doc) : [];
  for (const [key, v] of children) {
    out.push({ parent: doc as Json[] | { [k: string]: Json }, key });
    slots(v, out);
  }
  return out;
}

/** One structural mutation, in place (returns the new root when the root itself is replaced). */
function mutate(r: Rand, doc: Json): Json {
  const all = slots(doc);
  if (all.length === 0 || r() < 0.02) return randomJson(r);
  const { parent, key } = pick(r, all);
  const get = () => (parent as Record<string | number, Json>)[key];
  const set = (v: Json) => ((parent as Record<string | number, Json>)[key] = v);
  const m = r();
  if (m < 0.2) set(randomJson(r));
  else if (m < 0.3) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (m < 0.4) {
    if (Array.isArray(parent)) parent.push(structuredClone(get()));
    else parent[pick(r, KEYS)] = randomJson(r);
  } else if (m < 0.55) {
    const v = get();
    set(typeof v === 'number' ? pick(r, [v * 1e6, -v, v + 0.5, 0, Math.round(v * 1000) * 1000, 1e9]) : typeof v === 'string' ? pick(r, STRINGS) : pick(r, NUMBERS));
  } else if (m < 0.62) {
    let v: Json = get();
    for (let i = pick(r, [2, 10, 70]); i > 0; i--) v = [v]; // deep nesting
    set(v);
  } else if (m < 0.7) set(pick(r, [[], {}, null, [get()], { value: get() }]));
  else if (m < 0.8) {
    // A value from another example at the same key: plausible but mismatched.
    const other = slots(structuredClone(pick(r, EXAMPLES)) as Json).filter((s) => s.key === key);
    if (other.length) set((pick(r, other).parent as Record<string | number, Json>)[key]);
    else set(randomJson(r));
  } else if (m < 0.9) {
    // Large lists where lists are taken.
    const n = pick(r, [65, 1000, 20_000]);
    set(Array.from({ length: n }, (_, i) => (r() < 0.5 ? i + 1 : pick(r, NUMBERS))));
  } else set(pick(r, [{ powersOf2: { from: 0, to: pick(r, [40, 41, 1e9, -1]), step: pick(r, [1, 0, 0.5]) } }, { logspace: [-5, 0, pick(r, [1e5, 1e9, 3])] }]));
  return doc;
}

/** One text mutation of serialized JSON: the parser's own paths (truncation, stray characters, BOM). */
function mutateText(r: Rand, text: string): string {
  const at = Math.floor(r() * (text.length + 1));
  const m = r();
  if (m < 0.25) return text.slice(0, at);
  if (m < 0.45) return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 3));
  if (m < 0.7) return text.slice(0, at) + pick(r, ['"', ',', '{', '}', '[', ']', ':', '\\', '\n', '/', "'", 'NaN', '-', 'e', '\u0000', '\ufeff', ' ']) + text.slice(at);
  if (m < 0.8) return '\ufeff' + text;
  if (m < 0.9) return text.slice(0, at) + text.slice(Math.max(0, at - 40), at) + text.slice(at);
  return text.replace(/"(\w+)":/, '"$1": 1, "$1":'); // a duplicate key
}

/** The text of case `index` under `seed`: a mutated example, random JSON, or a broken text. */
export function fuzzCase(seed: number, index: number): string {
  const r = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const kind = r();
  if (kind < 0.1) return JSON.stringify(randomJson(r));
  let doc = structuredClone(pick(r, EXAMPLES)) as Json;
  for (let i = 1 + Math.floor(r() * 3); i > 0; i--) doc = mutate(r, doc);
  const text = JSON.stringify(doc, null, r() < 0.5 ? 2 : undefined);
  return kind < 0.8 ? text : mutateText(r, text);
}

/** Undefined when the case behaved (a clear error or a valid experiment), else what went wrong. */
export function checkCase(text: string): { outcome: 'valid' | 'error'; experiment?: ResolvedExperiment; paths?: string[] } | { violation: string } {
  let exp: ResolvedExperiment;
  try {
    exp = parseExperiment(text, FUZZ_FILE);
  } catch (err) {
    if (!(err instanceof SpecError)) return { violation: `threw ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}` };
    const issues = (err as SpecError & { issues?: { path: unknown; message: unknown }[] }).issues;
    if (!Array.isArray(issues) || issues.length === 0) return { violation: `${err.name} without issues: ${err.message}` };
    if (issues.length > MAX_REPORTED_ISSUES + 1) return { violation: `${issues.length} issues listed (more than MAX_REPORTED_ISSUES)` };
    for (const i of issues) {
      if (typeof i.path !== 'string' || (i.path !== '' && !i.path.startsWith('/'))) return { violation: `an issue without a JSON path: ${JSON.stringify(i)}` };
      if (typeof i.message !== 'string' || i.message === '') return { violation: `an issue without a message: ${JSON.stringify(i)}` };
    }
    if (!err.message.startsWith(`${FUZZ_FILE}`)) return { violation: `the message does not name the file: ${err.message.slice(0, 200)}` };
    if (/\n\s+at .*\(.*:\d+:\d+\)|TypeError|RangeError|undefined is not|Cannot read prop/.test(err.message)) return { violation: `a stack or a JavaScript error in the message: ${err.message.slice(0, 400)}` };
    return { outcome: 'error', paths: issues.map((i) => i.path as string) };
  }
  const bad = invariantProblem(exp);
  if (bad) return { violation: `accepted, but ${bad}` };
  try {
    if (isNeuralProblem(exp.problem)) planSweep(exp);
    else planNqm(exp);
  } catch (err) {
    return { violation: `accepted, but planning threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` };
  }
  return { outcome: 'valid', experiment: exp };
}

function invariantProblem(exp: ResolvedExperiment): string | undefined {
  if (typeof exp.name !== 'string' || exp.name === '') return 'the name is empty';
  const b = exp.batchSizes;
  if (!Array.isArray(b) || b.length === 0 || b.length > MAX_BATCH_SIZES) return `${b?.length} batch sizes`;
  if (!b.every((x) => Number.isInteger(x) && x >= 1)) return `a batch size is not a positive integer: ${b.join(', ')}`;
  if (new Set(b).size !== b.length) return 'duplicate batch sizes';
  if (exp.optimizers.length === 0) return 'no optimizer';
  for (const o of exp.optimizers) {
    // A neural entry may leave its learning rate out (K-FAC's adaptive step): then its grids say what is searched.
    const grids = [...(isNeuralProblem(exp.problem) ? [] : [o.learningRates]), o.momenta, o.decays, ...Object.values(o.grids ?? {})].filter((g): g is number[] => g !== undefined);
    if (grids.some((g) => g.length === 0 || !g.every(Number.isFinite))) return `${o.pointer}: an empty or non-finite grid`;
  }
  if (!isNeuralProblem(exp.problem)) {
    const p = exp.problem as ResolvedNqmProblem;
    if (!Number.isInteger(p.dim) || p.dim < 1 || p.dim > MAX_NQM_DIM) return `dim ${p.dim}`;
    const modes = p.bins > 0 && p.bins < p.dim ? p.bins : p.dim;
    if (modes > MAX_NQM_MODES) return `${modes} modes`;
    if (!exp.optimizers.every((o) => o.learningRates.every((lr) => lr > 0))) return 'a learning rate <= 0';
  }
  return undefined;
}
