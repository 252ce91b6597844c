// The extension's settings, resolved to what the engine and the store need (no VS Code here: the
// caller reads the configuration and passes the raw values).
import path from 'node:path';

export const COMPUTE_BACKENDS = [
  { id: 'auto', description: 'The fastest available: CUDA, then TensorFlow native, then wasm, then cpu' },
  { id: 'cuda', description: '@tensorflow/tfjs-node-gpu (needs CUDA)' },
  { id: 'tensorflow', description: '@tensorflow/tfjs-node' },
  { id: 'wasm', description: '@tensorflow/tfjs-backend-wasm (installs everywhere)' },
  { id: 'cpu', description: 'Pure JavaScript (slowest)' },
] as const;

export type ComputeBackend = (typeof COMPUTE_BACKENDS)[number]['id'];

export interface OptLabSettings {
  computeBackend: ComputeBackend;
  /** Worker threads per experiment; undefined lets the engine use one per core. */
  workers: number | undefined;
  /** Absolute path of the run store. */
  storeRoot: string;
}

export const DEFAULT_STORE_LOCATION = '.optlab';

/**
 * The store folder: `setting` relative to the first workspace folder, or absolute, or `~/...`.
 * Without a workspace folder a relative setting is taken relative to the home folder.
 */
export function resolveStoreRoot(setting: unknown, workspaceFolder: string | undefined, home: string): string {
  const raw = typeof setting === 'string' && setting.trim() !== '' ? setting.trim() : DEFAULT_STORE_LOCATION;
  if (raw === '~') return path.resolve(home);
  if (raw.startsWith('~/') || raw.startsWith('~\\')) return path.resolve(home, raw.slice(2));
  if (path.isAbsolute(raw)) return path.resolve(raw);
  return path.resolve(workspaceFolder ?? home, raw);
}

/** optlab.maxParallelTrials -> the engine's `workers`: 0, missing or invalid means "one per core". */
export function workersFromSetting(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) return undefined;
  return Math.floor(value);
}

export function computeBackendFromSetting(value: unknown): ComputeBackend {
  return COMPUTE_BACKENDS.some((b) => b.id === value) ? (value as ComputeBackend) : 'auto';
}

/**
 * Where the engine may read dataset files: the workspace folders (and the experiment file's folder,
 * which the engine adds), or anywhere when optlab.allowDataOutsideWorkspace is true.
 */
export function dataAccessFromSettings(allowOutside: unknown, workspaceFolders: readonly string[]): { roots: string[]; allowOutside: boolean } {
  return { roots: [...workspaceFolders], allowOutside: allowOutside === true };
}

export function resolveSettings(raw: { computeBackend?: unknown; maxParallelTrials?: unknown; storeLocation?: unknown }, workspaceFolder: string | undefined, home: string): OptLabSettings {
  return {
    computeBackend: computeBackendFromSetting(raw.computeBackend),
    workers: workersFromSetting(raw.maxParallelTrials),
    storeRoot: resolveStoreRoot(raw.storeLocation, workspaceFolder, home),
  };
}
