// Helpers of the extension-host suites: the OptLab API, the workspace, the run store on disk.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OptLabApi } from '../../../extension/src/api';
import { readMetricsFile } from '../../../engine/src/store/metrics-reader';
import type { MetricsReadResult, RunRecord, RunStatus } from '../../../engine/src/store/types';

export const EXTENSION_ID = 'optlab.optlab';

export function extension(): vscode.Extension<OptLabApi> {
  const ext = vscode.extensions.getExtension<OptLabApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in the extension host`);
  return ext;
}

/** Activates the extension (if needed) and checks that activate() returned the API. */
export async function api(): Promise<OptLabApi> {
  const ext = extension();
  const exports = await ext.activate();
  assert.ok(exports && typeof exports === 'object', `activate() returned ${exports === undefined ? 'undefined' : typeof exports}, not the OptLab API`);
  return exports;
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window has no workspace folder');
  return folder.uri.fsPath;
}

export function workspaceFile(name: string): string {
  return path.join(workspaceDir(), name);
}

/** Writes an experiment file into the workspace (tests make their big or broken ones themselves). */
export function writeExperiment(name: string, content: unknown): string {
  const file = workspaceFile(name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
  return file;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until check() returns a truthy value, or fails with what() after timeoutMs. */
export async function waitFor<T>(check: () => T | Promise<T>, what: () => string, timeoutMs = 30_000, everyMs = 100): Promise<NonNullable<Awaited<T>>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<Awaited<T>>;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what()}${last ? ` (last error: ${last instanceof Error ? last.message : String(last)})` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** Every run.json under <store>/runs that parses (a reader never sees half a record). */
export function storeRuns(storeRoot: string): RunRecord[] {
  const runsDir = path.join(storeRoot, 'runs');
  if (!fs.existsSync(runsDir)) return [];
  const out: RunRecord[] = [];
  for (const name of fs.readdirSync(runsDir)) {
    const file = path.join(runsDir, name, 'run.json');
    if (!fs.existsSync(file)) continue;
    out.push(JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord);
  }
  return out;
}

export function readRun(storeRoot: string, id: string): RunRecord {
  const file = path.join(storeRoot, 'runs', id, 'run.json');
  assert.ok(fs.existsSync(file), `run ${id} has no ${file}`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
}

export function readMetrics(storeRoot: string, id: string): MetricsReadResult {
  return readMetricsFile(path.join(storeRoot, 'runs', id, 'metrics.jsonl'));
}

export function runsOfExperiment(storeRoot: string, name: string): RunRecord[] {
  return storeRuns(storeRoot).filter((r) => r.experiment?.name === name);
}

export function countBy(runs: { status: RunStatus }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of runs) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

export function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}

/** True while the process exists (signal 0 probes without killing). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A big NQM sweep that takes tens of seconds with one worker thread: three 100 x 20 momentum/EMA
 * grids at 19 batch sizes, after a fast SGD family whose runs complete in the first second.
 */
export function slowExperiment(name: string): unknown {
  const grid = { learningRate: { logspace: [-8, 1, 100] } };
  return {
    name,
    description: 'Integration test: a sweep big enough to be stopped or killed mid-run.',
    problem: { type: 'nqm', dim: 10000, exponent: 1, bins: 100 },
    target: { metric: 'loss', value: 0.01 },
    batchSizes: { powersOf2: { from: 2, to: 20, step: 1 } },
    optimizers: [
      { label: 'SGD', type: 'sgd', precondition: 0, learningRate: { logspace: [-5, 0.5, 100] } },
      { label: 'Momentum', type: 'momentum', precondition: 0, ...grid, momentum: { oneMinusLogspace: [-5, 0, 20] } },
      { label: 'Momentum p=0.5', type: 'momentum', precondition: 0.5, ...grid, momentum: { oneMinusLogspace: [-5, 0, 20] } },
      { label: 'EMA', type: 'ema', precondition: 0, ...grid, decay: { oneMinusLogspace: [-5, 0, 20] } },
      { label: 'EMA p=0.5', type: 'ema', precondition: 0.5, ...grid, decay: { oneMinusLogspace: [-5, 0, 20] } },
    ],
    logPoints: 100,
  };
}

export const TERMINAL: readonly RunStatus[] = ['completed', 'failed', 'diverged', 'cancelled', 'crashed'];

/** Rejects with a message naming what was awaited when the promise takes longer than timeoutMs. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
