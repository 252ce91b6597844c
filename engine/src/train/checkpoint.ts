// Checkpoints of a training run: parameters and optimizer state (optim/state.ts serialization,
// exact for float32), the minibatcher position (its global step: epoch orders depend only on the
// seed and the epoch) and the loop's counters. Written atomically (temporary file, fsync, rename)
// into the run folder as checkpoint.json.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../store/atomic-write';
import { nodeStoreFs } from '../store/fs-ops';
import { deserializeState, serializeState, type SerializedState } from '../optim/state';
import type { Params, State } from '../optim/types';
import { makeDirs } from '../util/make-dirs';

export const CHECKPOINT_FILE = 'checkpoint.json';
export const CHECKPOINT_VERSION = 1;

export interface Checkpoint {
  version: 1;
  /** Steps taken; the minibatcher's next step is warmupDone + step. */
  step: number;
  examples: number;
  /** Warm-up updates done before step 1 (K-FAC's burn-in); absent in checkpoints written before they were counted apart. */
  warmupDone?: number;
  /** Seconds of training so far. */
  wallTime: number;
  seed: number;
  batchSize: number;
  divergeAbove: number | null;
  evaluations: number;
  bestEvaluation: number | null;
  lastEvaluation: number | null;
  lastLoss: number | null;
  params: SerializedState;
  optimizerState: SerializedState;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function checkpointPath(dir: string): string {
  return path.join(dir, CHECKPOINT_FILE);
}

export function writeCheckpoint(dir: string, data: Omit<Checkpoint, 'version' | 'params' | 'optimizerState'>, params: Params, state: State): void {
  const doc: Checkpoint = { version: CHECKPOINT_VERSION, ...data, params: serializeState(params), optimizerState: serializeState(state) };
  makeDirs(dir);
  // The store's atomic write: a crash or a full disk leaves the previous checkpoint whole.
  writeFileAtomicSync(nodeStoreFs, checkpointPath(dir), JSON.stringify(doc));
}

export function readCheckpoint(dir: string): Checkpoint {
  const file = checkpointPath(dir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CheckpointError(`cannot read checkpoint ${file}: ${(err as Error).message}`);
  }
  let doc: Checkpoint;
  try {
    doc = JSON.parse(text) as Checkpoint;
  } catch (err) {
    throw new CheckpointError(`checkpoint ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (doc?.version !== CHECKPOINT_VERSION) throw new CheckpointError(`checkpoint ${file}: unsupported version ${String(doc?.version)}`);
  return doc;
}

/** The checkpoint's parameters and optimizer state as new tensors (owned by the caller). */
export function restoreTensors(doc: Checkpoint): { params: Params; state: State } {
  const params = deserializeState<State>(doc.params) as unknown as Params;
  const state = deserializeState<State>(doc.optimizerState);
  return { params, state };
}
