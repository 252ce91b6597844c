// The run store: one folder per run under <root>/runs/, holding run.json and metrics.jsonl.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from './atomic-write.js';
import { AmbiguousRunIdError, RunNotFoundError, StoreError, errnoCode, errorText } from './errors.js';
import { type StoreFs, resolveStoreFs } from './fs-ops.js';
import { isSafeRunId, makeRunId, randomSuffix } from './ids.js';
import { readMetricsFile, tailMetricsFile } from './metrics-reader.js';
import { newRunRecord, parseRunRecord, serializeRunRecord } from './run-record.js';
import { METRICS_JSONL, RUN_JSON, RunWriter, checkTransition } from './run-writer.js';
import { readExperimentResult, writeExperimentResult, type ExperimentKey, type ExperimentLookup, type ExperimentResultRecord } from './experiment-results.js';
import { OWNERLESS_STALE_MS, currentOwner, ownerState, startHeartbeat, type OwnerState, type RunOwner } from './owner.js';
import { isTerminalStatus, type MetricsReadResult, type MetricsTailResult, type RunInit, type RunRecord } from './types.js';
import { makeDirs } from '../util/make-dirs.js';

export interface RunStoreOptions {
  /** How often buffered metric rows are written. Default 250 ms; 0 writes on every append. */
  flushIntervalMs?: number;
  /** fsync metrics.jsonl on every flush, not only on close. Default false. */
  fsyncOnFlush?: boolean;
  /** Flush early once this many rows are buffered. Default 10000. */
  maxBufferedRows?: number;
  /** Receives metric write failures hit by a background flush; otherwise the next append/flush/close throws them. */
  onWriteError?: (error: StoreError, runId: string) => void;
  /** For tests: replace write-side fs calls (e.g. to simulate ENOSPC). */
  fs?: Partial<StoreFs>;
  /** For tests: the clock used for ids and timestamps. */
  now?: () => Date;
  /** For tests: the random part of run ids. */
  randomSuffix?: () => string;
  /** For tests: the owner recorded in the runs this store creates (default: this process). */
  owner?: RunOwner;
  /** For tests: whether a run's owner is alive (default: process id on this host, heartbeat elsewhere). */
  ownerState?: (owner: RunOwner) => OwnerState;
}

export interface StoreProblem {
  /** The run folder name. */
  id: string;
  message: string;
}

const MAX_ID_ATTEMPTS = 16;

export class RunStore {
  readonly root: string;
  readonly runsDir: string;
  private readonly options: RunStoreOptions;
  private readonly fs: StoreFs;

  constructor(root: string, options: RunStoreOptions = {}) {
    this.root = path.resolve(root);
    this.runsDir = path.join(this.root, 'runs');
    this.options = options;
    this.fs = resolveStoreFs(options.fs);
  }

  static defaultRoot(cwd: string): string {
    return path.join(cwd, '.optlab');
  }

  create(init: RunInit): RunWriter {
    validateInit(init);
    const now = this.now();
    try {
      makeDirs(this.runsDir);
    } catch (err) {
      throw new StoreError(`cannot create runs folder ${this.runsDir}: ${errorText(err)}`, { path: this.runsDir, cause: err });
    }
    const owner = this.options.owner ?? currentOwner();
    if (!this.options.owner) startHeartbeat(this.root, owner);
    const suffix = this.options.randomSuffix ?? randomSuffix;
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const id = makeRunId(init.label, now, suffix());
      const dir = path.join(this.runsDir, id);
      // The folder is filled under a dot-name (list() skips those) and renamed into place, so a
      // process killed at any moment leaves either a complete run or nothing a reader sees.
      const staging = path.join(this.runsDir, `.creating-${id}`);
      if (fs.existsSync(dir)) continue;
      try {
        fs.mkdirSync(staging);
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') continue;
        throw new StoreError(`cannot create run folder ${staging}: ${errorText(err)}`, { path: staging, cause: err });
      }
      const record = newRunRecord(id, init, now, owner);
      try {
        writeFileAtomicSync(this.fs, path.join(staging, RUN_JSON), serializeRunRecord(record));
        fs.renameSync(staging, dir);
      } catch (err) {
        removeQuietly(staging);
        // Another process took the id between the check and the rename (its folder is not empty).
        if (errnoCode(err) === 'ENOTEMPTY' || errnoCode(err) === 'EEXIST') continue;
        if (err instanceof StoreError) throw err;
        throw new StoreError(`cannot create run folder ${dir}: ${errorText(err)}`, { path: dir, cause: err });
      }
      return this.writerFor(dir, record);
    }
    throw new StoreError(`could not allocate a unique run id in ${this.runsDir} after ${MAX_ID_ATTEMPTS} attempts`, { path: this.runsDir });
  }

  /**
   * A writer for an existing run (full id or unique prefix), as run.json has it: what a resumed
   * sweep uses for a trial it keeps. Its status rules still hold (a finished run stays finished).
   */
  open(id: string): RunWriter {
    const name = this.resolveId(id);
    return this.writerFor(path.join(this.runsDir, name), this.readStoredRecord(name));
  }

  private writerFor(dir: string, record: RunRecord): RunWriter {
    const onWriteError = this.options.onWriteError;
    return new RunWriter(dir, record, {
      fs: this.fs,
      now: () => this.now(),
      flushIntervalMs: this.options.flushIntervalMs ?? 250,
      fsyncOnFlush: this.options.fsyncOnFlush ?? false,
      maxBufferedRows: this.options.maxBufferedRows ?? 10_000,
      onError: onWriteError ? (error) => onWriteError(error, record.id) : undefined,
    });
  }

  list(): RunRecord[] {
    return this.listWithProblems().runs;
  }

  /** Every readable run, sorted by createdAt then id, plus one problem per folder that could not be read. */
  listWithProblems(): { runs: RunRecord[]; problems: StoreProblem[] } {
    const runs: RunRecord[] = [];
    const problems: StoreProblem[] = [];
    const owners = new Map<string, OwnerState>();
    for (const name of this.runFolderNames()) {
      try {
        runs.push(this.readRecord(name, owners));
      } catch (err) {
        problems.push({ id: name, message: errorText(err) });
      }
    }
    runs.sort((a, b) => compareIso(a.createdAt, b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { runs, problems };
  }

  /** Records what the engine concluded from an experiment's session (replaces the previous one); returns the file. */
  writeExperimentResult(experiment: ExperimentKey, runIds: readonly string[], result: unknown): string {
    return writeExperimentResult(this.fs, this.root, { schemaVersion: 1, experiment: { ...experiment }, finishedAt: this.now().toISOString(), runIds: [...runIds], result });
  }

  /** The experiment's latest recorded result, if any. */
  readExperimentResult(experiment: ExperimentLookup): ExperimentResultRecord | undefined {
    return readExperimentResult(this.root, experiment);
  }

  /** Accepts a full id or a unique prefix of one. */
  get(id: string): RunRecord {
    return this.readRecord(this.resolveId(id));
  }

  /** The folder of a run (full id or unique prefix). */
  runDir(id: string): string {
    return path.join(this.runsDir, this.resolveId(id));
  }

  readMetrics(id: string): MetricsReadResult {
    return readMetricsFile(path.join(this.runDir(id), METRICS_JSONL));
  }

  /** Complete lines after fromByteOffset; call again with nextOffset to follow a live run. */
  tailMetrics(id: string, fromByteOffset: number): MetricsTailResult {
    return tailMetricsFile(path.join(this.runDir(id), METRICS_JSONL), fromByteOffset);
  }

  delete(id: string): void {
    const dir = this.runDir(id);
    // Rename first so readers never see a half-deleted run; dot-folders are ignored by list().
    const trash = path.join(this.runsDir, `.deleting-${path.basename(dir)}-${randomBytes(4).toString('hex')}`);
    try {
      fs.renameSync(dir, trash);
    } catch (err) {
      throw new StoreError(`cannot delete run folder ${dir}: ${errorText(err)}`, { path: dir, cause: err });
    }
    try {
      fs.rmSync(trash, { recursive: true, force: true });
    } catch (err) {
      throw new StoreError(`run ${path.basename(dir)} was removed from the store but ${trash} could not be deleted: ${errorText(err)}`, { path: trash, cause: err });
    }
  }

  /**
   * Records a run that was left 'queued'/'running' by a process that died (readers already report it
   * as crashed; this writes it down). Throws if run.json says the run already ended.
   */
  markCrashed(id: string, message: string): void {
    const name = this.resolveId(id);
    const record = this.readStoredRecord(name);
    checkTransition(record.id, record.status, 'crashed');
    const next: RunRecord = { ...record, status: 'crashed', endedAt: this.now().toISOString(), error: { message } };
    writeFileAtomicSync(this.fs, path.join(this.runsDir, name, RUN_JSON), serializeRunRecord(next));
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  private runFolderNames(): string[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.runsDir, { withFileTypes: true });
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw new StoreError(`cannot list runs in ${this.runsDir}: ${errorText(err)}`, { path: this.runsDir, cause: err });
    }
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  }

  private resolveId(id: string): string {
    if (!isSafeRunId(id)) throw new RunNotFoundError(id, this.root, this.runsDir);
    // Exact id first: cheap, and what a follower polling tailMetrics uses.
    if (isDirectory(path.join(this.runsDir, id))) return id;
    const matches = this.runFolderNames().filter((name) => name.startsWith(id)).sort();
    if (matches.length === 1) return matches[0];
    if (matches.length === 0) throw new RunNotFoundError(id, this.root, this.runsDir);
    throw new AmbiguousRunIdError(id, this.root, matches);
  }

  /** run.json as written, with a queued/running run whose owner is gone reported as 'crashed'. */
  private readRecord(name: string, owners?: Map<string, OwnerState>): RunRecord {
    const record = this.readStoredRecord(name);
    if (isTerminalStatus(record.status)) return record;
    const gone = this.ownerGone(record, owners);
    if (gone === undefined) return record;
    return { ...record, status: 'crashed', error: { message: gone }, orphan: { recordedStatus: record.status, reason: gone } };
  }

  /** Why an unfinished run's owner is gone, or undefined while it is alive. */
  private ownerGone(record: RunRecord, owners?: Map<string, OwnerState>): string | undefined {
    const now = this.now().getTime();
    if (!record.owner) {
      // Written by an engine that did not record owners: only a long-untouched run is taken as crashed.
      let mtime: number;
      try {
        mtime = fs.statSync(path.join(this.runsDir, record.id, RUN_JSON)).mtimeMs;
      } catch {
        return undefined;
      }
      const minutes = Math.round((now - mtime) / 60_000);
      return now - mtime > OWNERLESS_STALE_MS ? `it records no owner process and has not changed for ${minutes} min` : undefined;
    }
    const state = this.options.ownerState ? this.options.ownerState(record.owner) : ownerState(this.root, record.owner, now, owners);
    return state.alive ? undefined : state.reason;
  }

  private readStoredRecord(name: string): RunRecord {
    const file = path.join(this.runsDir, name, RUN_JSON);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') {
        throw new StoreError(`${file} is missing (the run is still being created, or the folder is a leftover)`, { path: file, cause: err });
      }
      throw new StoreError(`cannot read ${file}: ${errorText(err)}`, { path: file, cause: err });
    }
    let record: RunRecord;
    try {
      record = parseRunRecord(text);
    } catch (err) {
      throw new StoreError(`cannot read ${file}: ${errorText(err)}`, { path: file, cause: err });
    }
    if (record.id !== name) throw new StoreError(`${file} has id "${record.id}" but lives in folder "${name}"`, { path: file });
    return record;
  }
}

function validateInit(init: RunInit): void {
  const bad = (what: string) => new TypeError(`RunStore.create: ${what}`);
  if (typeof init !== 'object' || init === null) throw bad('init must be an object');
  if (typeof init.experiment?.name !== 'string') throw bad('experiment.name must be a string');
  if (typeof init.label !== 'string') throw bad('label must be a string');
  if (typeof init.optimizer !== 'string') throw bad('optimizer must be a string');
  if (typeof init.engine?.version !== 'string' || typeof init.engine?.backend !== 'string') throw bad('engine.version and engine.backend must be strings');
  if (init.batchSize !== undefined && (!Number.isFinite(init.batchSize) || init.batchSize <= 0)) throw bad(`batchSize must be a positive number, got ${init.batchSize}`);
}

function compareIso(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a < b ? -1 : a > b ? 1 : 0;
  return ta - tb;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function removeQuietly(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // a leftover dot-folder is invisible to readers; the original error matters more
  }
}
