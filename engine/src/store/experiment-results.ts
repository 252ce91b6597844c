// Experiment-level results beside the runs: <root>/experiments/<name>-<hash>.json holds what the
// engine concluded from an experiment's latest session (critical-batch fits, the NQM prediction of a
// neural sweep, the findings), so that readers (the editor, the CLI) show the engine's numbers
// instead of recomputing them. One file per experiment (its file path, else its name), replaced
// atomically by each finished session.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from './atomic-write.js';
import { StoreError, errnoCode, errorText } from './errors.js';
import type { StoreFs } from './fs-ops.js';
import { slugify } from './ids.js';
import { decodeDeep, stringifyJson } from './json-codec.js';
import { makeDirs } from '../util/make-dirs.js';

export const EXPERIMENTS_DIR = 'experiments';

export interface ExperimentKey {
  name: string;
  /** The experiment file (absolute, as runs record it); identifies the experiment when known. */
  file?: string;
}

/** How a reader finds an experiment's result: its file, else its name. */
export type ExperimentLookup = Partial<ExperimentKey>;

export interface ExperimentResultRecord<R = Record<string, unknown>> {
  schemaVersion: 1;
  experiment: ExperimentKey;
  /** When the session that produced it finished. */
  finishedAt: string;
  /** The runs of that session, in creation order. */
  runIds: string[];
  /** What the engine concluded (criticalBatchSize, prediction, findings, ...). */
  result: R;
}

/**
 * The file of an experiment's result: a readable name (the experiment file's, else the
 * experiment's) and a hash of what identifies it (the resolved file path, else the name), so a
 * reader that knows only the file finds it.
 */
export function experimentResultPath(root: string, key: ExperimentLookup): string {
  const file = key.file === undefined ? undefined : path.resolve(key.file);
  if (file === undefined && key.name === undefined) throw new TypeError('an experiment is known by its file or its name');
  const id = file ?? `name:${key.name}`;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 12);
  const readable = file !== undefined ? path.basename(file).replace(/\.optlab\.json$|\.json$/, '') : key.name!;
  return path.join(root, EXPERIMENTS_DIR, `${slugify(readable) || 'experiment'}-${hash}.json`);
}

export function writeExperimentResult(sfs: StoreFs, root: string, record: ExperimentResultRecord<unknown>): string {
  const file = experimentResultPath(root, record.experiment);
  try {
    makeDirs(path.dirname(file));
  } catch (err) {
    throw new StoreError(`cannot create ${path.dirname(file)}: ${errorText(err)}`, { path: path.dirname(file), cause: err });
  }
  writeFileAtomicSync(sfs, file, stringifyJson(record, 2) + '\n');
  return file;
}

/** The experiment's latest result; undefined when none was written. A damaged file is an error naming it. */
export function readExperimentResult(root: string, key: ExperimentLookup): ExperimentResultRecord | undefined {
  const file = experimentResultPath(root, key);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new StoreError(`cannot read ${file}: ${errorText(err)}`, { path: file, cause: err });
  }
  let value: unknown;
  try {
    value = decodeDeep(JSON.parse(text));
  } catch (err) {
    throw new StoreError(`${file} is not valid JSON: ${errorText(err)}`, { path: file, cause: err });
  }
  const r = value as ExperimentResultRecord;
  const ok = typeof r === 'object' && r !== null && r.schemaVersion === 1 && typeof r.experiment?.name === 'string' && Array.isArray(r.runIds) && typeof r.result === 'object' && r.result !== null;
  if (!ok) throw new StoreError(`${file} is not an experiment result (schemaVersion 1 with experiment, runIds and result)`, { path: file });
  return r;
}
