// The nodes of the experiment explorer, as plain data (commands receive them as arguments).
import type { RunRecord, StoreProblem } from '../../../engine/src';

export interface ExperimentNode {
  kind: 'experiment';
  file: string;
  name: string;
  /** False when the file's JSON cannot be read (its name is then the file name). */
  readable: boolean;
  runs: RunRecord[];
}

export interface RunNode {
  kind: 'run';
  run: RunRecord;
  /** The experiment file the run belongs to, when known. */
  file?: string;
}

/** Runs no experiment file of the workspace claims. */
export interface OrphansNode {
  kind: 'orphans';
  runs: RunRecord[];
}

export interface ProblemsNode {
  kind: 'problems';
  problems: StoreProblem[];
  storeRoot: string;
}

export type TreeNode = ExperimentNode | RunNode | OrphansNode | ProblemsNode;
