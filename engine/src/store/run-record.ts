// Building, serializing and validating run.json.
import { decodeDeep, stringifyJson } from './json-codec.js';
import { isRunOwner, type RunOwner } from './owner.js';
import { RUN_SCHEMA_VERSION, isRunStatus, type RunInit, type RunRecord } from './types.js';

export function newRunRecord(id: string, init: RunInit, now: Date, owner?: RunOwner): RunRecord {
  const status = init.status ?? 'queued';
  const record: RunRecord = {
    schemaVersion: RUN_SCHEMA_VERSION,
    id,
    experiment: init.experiment.file === undefined ? { name: init.experiment.name } : { name: init.experiment.name, file: init.experiment.file },
    label: init.label,
    optimizer: init.optimizer,
    ...(init.batchSize === undefined ? {} : { batchSize: init.batchSize }),
    // Copies: later mutation of the caller's objects must not leak into the record.
    spec: copyJson(init.spec),
    config: copyJson(init.config),
    hyperparameters: (copyJson(init.hyperparameters ?? {}) as Record<string, unknown>),
    engine: { version: init.engine.version, backend: init.engine.backend, node: init.engine.node ?? process.version },
    status,
    createdAt: now.toISOString(),
    summary: {},
    ...(owner && { owner: { ...owner } }),
  };
  if (status === 'running') record.startedAt = record.createdAt;
  return record;
}

export function serializeRunRecord(record: RunRecord): string {
  const { orphan: _derived, ...stored } = record;
  return stringifyJson(stored, 2) + '\n';
}

/** Parses run.json text; throws an Error saying what is wrong (the caller adds the path). */
export function parseRunRecord(text: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isObject(value)) throw new Error('not a JSON object');
  if (value.schemaVersion !== RUN_SCHEMA_VERSION) throw new Error(`unsupported schemaVersion ${JSON.stringify(value.schemaVersion)} (expected ${RUN_SCHEMA_VERSION})`);
  requireString(value, 'id');
  requireString(value, 'label');
  requireString(value, 'optimizer');
  requireString(value, 'createdAt');
  if (!isObject(value.experiment) || typeof value.experiment.name !== 'string') throw new Error('experiment.name is missing');
  if (!isObject(value.engine) || typeof value.engine.version !== 'string' || typeof value.engine.backend !== 'string') throw new Error('engine.version/engine.backend are missing');
  if (!isRunStatus(value.status)) throw new Error(`unknown status ${JSON.stringify(value.status)}`);
  if (value.summary !== undefined && !isObject(value.summary)) throw new Error('summary is not an object');
  if (value.hyperparameters !== undefined && !isObject(value.hyperparameters)) throw new Error('hyperparameters is not an object');
  const record = value as unknown as RunRecord;
  // Readers derive 'orphan' themselves; a damaged owner is treated as none.
  delete record.orphan;
  if (record.owner !== undefined && !isRunOwner(record.owner)) delete record.owner;
  record.summary = decodeDeep(value.summary ?? {}) as Record<string, unknown>;
  record.hyperparameters = decodeDeep(value.hyperparameters ?? {}) as Record<string, unknown>;
  return record;
}

function copyJson(value: unknown): unknown {
  return value === undefined ? undefined : structuredClone(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(obj: Record<string, unknown>, key: string): void {
  if (typeof obj[key] !== 'string') throw new Error(`${key} is missing or not a string`);
}
