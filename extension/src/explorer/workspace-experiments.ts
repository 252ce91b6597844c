// The workspace's experiment files (**/*.optlab.json outside node_modules), with the experiment
// name each declares, cached until a watcher says they changed.
import fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunRecord } from '../../../engine/src';
import { experimentNameOf, groupRunsByExperiment, samePath, type ExperimentFileInfo, type GroupedRuns } from '../model/experiment-runs';
import type { RunIndex } from '../store/run-index';
import { Emitter } from '../util/emitter';

export const EXPERIMENT_GLOB = '**/*.optlab.json';
export const EXPERIMENT_EXCLUDE = '**/node_modules/**';

export class WorkspaceExperiments {
  private cached: Promise<ExperimentFileInfo[]> | undefined;
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly runs: RunIndex) {}

  roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  }

  /** Experiment files, sorted by path. */
  files(): Promise<ExperimentFileInfo[]> {
    if (!this.cached) {
      this.cached = this.find().catch((err: unknown) => {
        this.cached = undefined;
        throw err;
      });
    }
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
    this.changed.fire();
  }

  async grouped(): Promise<GroupedRuns & { files: ExperimentFileInfo[] }> {
    const files = await this.files();
    return { files, ...groupRunsByExperiment(files, this.runs.list(), this.roots()) };
  }

  /** The runs of one experiment file (which may be outside the workspace), newest first. */
  async runsOf(file: string): Promise<RunRecord[]> {
    const files = await this.files();
    const known = files.find((f) => samePath(f.file, file));
    const target = known ?? { file, name: readName(file) };
    return groupRunsByExperiment(known ? files : [target, ...files], this.runs.list(), this.roots()).byFile.get(target.file) ?? [];
  }

  /** The file that owns a run, if any. */
  async fileOfRun(run: RunRecord): Promise<string | undefined> {
    const { byFile } = await this.grouped();
    for (const [file, runs] of byFile) if (runs.some((r) => r.id === run.id)) return file;
    return undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async find(): Promise<ExperimentFileInfo[]> {
    if (!vscode.workspace.workspaceFolders?.length) return [];
    const uris = await vscode.workspace.findFiles(EXPERIMENT_GLOB, EXPERIMENT_EXCLUDE);
    const files = uris.filter((u) => u.scheme === 'file').map((u) => ({ file: u.fsPath, name: readName(u.fsPath) }));
    return files.sort((a, b) => a.file.localeCompare(b.file));
  }
}

/** The experiment name: from the open editor's text when the file is open (it may be unsaved), else from disk. */
export function readName(file: string): string | undefined {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && samePath(d.uri.fsPath, file));
  if (open) return experimentNameOf(open.getText());
  try {
    return experimentNameOf(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function isExperimentFile(uri: vscode.Uri): boolean {
  return /\.optlab\.json$/i.test(uri.path);
}
