// The API the extension's activate() returns: what the integration tests (and other extensions)
// may drive. Keep it small and stable; everything else is internal.
import type { PanelKind, RunStatus } from '../../engine/src/protocol';

export type EngineState = 'starting' | 'ready' | 'stopped' | 'crashed';

export interface ExperimentOutcome {
  requestId: string;
  /** How the session ended. */
  result: 'finished' | 'failed' | 'cancelled' | 'crashed';
  /** The engine's message for failures (names file and place for invalid experiment files). */
  message?: string;
  runIds: string[];
}

export interface TreeRunSnapshot {
  id: string;
  label: string;
  status: RunStatus;
  description: string;
}
export interface TreeExperimentSnapshot {
  file: string;
  name: string;
  runs: TreeRunSnapshot[];
}

export interface OptLabApi {
  /** The engine child process. */
  readonly engine: {
    state(): EngineState;
    pid(): number | undefined;
    restart(): Promise<void>;
    /** For tests: kill the engine process as a crash would (default SIGKILL). */
    kill(signal?: NodeJS.Signals): void;
  };
  /** Starts an experiment file; resolves when the engine has accepted it, with a promise of its end. */
  runExperiment(file: string): Promise<{ requestId: string; done: Promise<ExperimentOutcome> }>;
  stopAll(): Promise<void>;
  /** The run store folder of the first workspace folder (per the optlab.storeLocation setting). */
  storeRoot(): string;
  /** The explorer's current content, after a refresh. */
  treeSnapshot(): Promise<TreeExperimentSnapshot[]>;
  /** Open chart panels. */
  panels(): { kind: PanelKind; title: string }[];
}
