// Which recorded runs belong to which experiment file of the workspace. A run records the file it
// came from (absolute when started by the extension, possibly relative when started from a shell)
// and the experiment's name; the file path decides, the name is the fallback.
import path from 'node:path';
import type { RunRecord } from '../../../engine/src';
import { compareNewestFirst } from './run-view';

export interface ExperimentFileInfo {
  /** Absolute path. */
  file: string;
  /** The experiment's "name", or undefined when the file cannot be parsed. */
  name: string | undefined;
}

export interface GroupedRuns {
  /** Runs per experiment file (absolute path as given), newest first. */
  byFile: Map<string, RunRecord[]>;
  /** Runs no workspace file claims (the file was moved or deleted, or it lives elsewhere), newest first. */
  orphans: RunRecord[];
}

export function samePath(a: string, b: string, platform: NodeJS.Platform = process.platform): boolean {
  return normalizePath(a, platform) === normalizePath(b, platform);
}

export function normalizePath(p: string, platform: NodeJS.Platform = process.platform): string {
  const resolved = path.resolve(p);
  return platform === 'win32' || platform === 'darwin' ? resolved.toLowerCase() : resolved;
}

/**
 * Candidate absolute paths of a run's recorded file: itself when absolute, else resolved against
 * each workspace folder (a CLI run records the path as typed, relative to where it was run).
 */
export function recordedFileCandidates(recorded: string | undefined, roots: string[]): string[] {
  if (!recorded) return [];
  if (path.isAbsolute(recorded)) return [path.resolve(recorded)];
  return roots.map((r) => path.resolve(r, recorded));
}

export function groupRunsByExperiment(files: ExperimentFileInfo[], runs: RunRecord[], roots: string[], platform: NodeJS.Platform = process.platform): GroupedRuns {
  const byFile = new Map<string, RunRecord[]>();
  const byNormalized = new Map<string, string>();
  const byName = new Map<string, string[]>();
  for (const f of files) {
    byFile.set(f.file, []);
    byNormalized.set(normalizePath(f.file, platform), f.file);
    if (f.name !== undefined) byName.set(f.name, [...(byName.get(f.name) ?? []), f.file]);
  }
  const orphans: RunRecord[] = [];
  for (const run of runs) {
    let owner: string | undefined;
    for (const candidate of recordedFileCandidates(run.experiment.file, roots)) {
      owner = byNormalized.get(normalizePath(candidate, platform));
      if (owner) break;
    }
    if (!owner) {
      // By name only when exactly one workspace file has that name: otherwise it is a guess.
      const named = byName.get(run.experiment.name);
      if (named?.length === 1) owner = named[0];
    }
    if (owner) byFile.get(owner)!.push(run);
    else orphans.push(run);
  }
  for (const list of byFile.values()) list.sort(compareNewestFirst);
  orphans.sort(compareNewestFirst);
  return { byFile, orphans };
}

/** The runs of one experiment file (same rules as groupRunsByExperiment, with the other files as context). */
export function runsOfExperiment(target: ExperimentFileInfo, others: ExperimentFileInfo[], runs: RunRecord[], roots: string[], platform: NodeJS.Platform = process.platform): RunRecord[] {
  const files = [target, ...others.filter((f) => !samePath(f.file, target.file, platform))];
  return groupRunsByExperiment(files, runs, roots, platform).byFile.get(target.file) ?? [];
}

/** The experiment name in a file's text, without validating the rest; undefined when it cannot be read. */
export function experimentNameOf(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string') {
      const name = (value as { name: string }).name;
      return name === '' ? undefined : name;
    }
  } catch {
    // not JSON (yet): the caller falls back to the file name
  }
  return undefined;
}

/** "nqm-critical-batch.optlab.json" -> "nqm-critical-batch". */
export function experimentBaseName(file: string): string {
  return path.basename(file).replace(/\.optlab\.json$/i, '');
}
