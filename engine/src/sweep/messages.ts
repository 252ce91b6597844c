// Messages between the sweep (parent) and its trial worker processes, over the Node IPC channel
// with structured-clone serialization (NaN and Infinity survive).
import { SpecError } from '../spec/spec-error';
import type { ResolvedNeuralProblem, ResolvedTarget } from '../experiment/types';
import type { MetricRow } from '../store/types';
import type { TrainResult } from '../train/types';
import type { DatasetAccess } from '../data/dataset-access';

/** What every trial of an experiment shares; sent once per worker. */
export interface WorkerSetup {
  problem: ResolvedNeuralProblem;
  target: ResolvedTarget;
  budget: { maxSteps: number; divergeAbove?: number; relativeToSmallerBatch?: number };
  seed: number;
  backend: 'auto' | 'cuda' | 'tensorflow' | 'wasm' | 'cpu';
  /** Folder relative dataset paths resolve against (the experiment file's). */
  baseDir: string;
  logEvery: number;
  checkpointEvery?: number;
  /** One optimizer spec per entry (its first grid point), checked when the worker starts. */
  probes: { pointer: string; spec: Record<string, unknown>; batchSize: number }[];
  /** Every batch size with its JSON pointer: none may exceed the training set (checked when the data is loaded). */
  batchSizes?: { value: number; pointer: string }[];
  /** Where dataset files may be read from (default: below baseDir). */
  dataAccess?: DatasetAccess;
}

export type ParentMessage =
  | { type: 'setup'; setup: WorkerSetup }
  | { type: 'trial'; trial: number; optimizerSpec: Record<string, unknown>; batchSize: number; runDir: string; stepLimit: number; resumeFrom?: string; seed?: number }
  | { type: 'limit'; trial: number; stepLimit: number }
  | { type: 'cancel' };

export interface BackendInfo {
  backend: string;
  /** describeSelection(): device, threads, versions. */
  description: string;
  device: { kind: string; name: string };
  versions: Record<string, string>;
  dataset: string;
  model: string;
  parameters: number;
  loadMs: number;
}

export type WorkerMessage =
  | { type: 'ready'; info: BackendInfo }
  /** The experiment cannot run as written: `path` is a JSON pointer into the file. */
  | { type: 'invalid'; path: string; message: string }
  | { type: 'setupFailed'; message: string }
  | { type: 'metrics'; trial: number; rows: MetricRow[] }
  | { type: 'trialDone'; trial: number; result: TrainResult }
  /** `store`: the failure was a write into the run's folder (a checkpoint on a full disk, ...). */
  | { type: 'trialFailed'; trial: number; message: string; store?: { path?: string; code?: string } };

/** The experiment cannot run as written (a model or optimizer option the engine rejects); `path` is its JSON pointer in the file. */
export class SetupInvalid extends SpecError {
  override name = 'SetupInvalid';
  constructor(pointer: string, message: string) {
    super(message, pointer);
  }

  get path(): string {
    return this.pointer;
  }
}
