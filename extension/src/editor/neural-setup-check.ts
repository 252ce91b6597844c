// Problems of a neural experiment that only the engine's factories find (an option K-FAC does not
// take, a model option of another architecture, a dataset with the wrong task), found while the
// file is edited instead of when a run starts. The engine process runs those checks (a
// 'checkSetup' request, answered by engine/src/sweep/setup-check.ts): the extension host never
// loads TensorFlow.js. Here only the cheap part: text that is not a valid neural experiment is not
// sent, since schema problems are the synchronous diagnostics' job and NQM studies have no
// factories to run. No VS Code here.
import { parseExperiment, type ExperimentIssue } from '../../../engine/src';

/** Sends an experiment's text to the engine's setup check (EngineSupervisor.checkSetup). */
export type AskEngine = (text: string, file?: string) => Promise<ExperimentIssue[]>;

export class NeuralSetupCheck {
  constructor(private readonly ask: AskEngine) {}

  /** Issues with JSON pointers (for placeIssues); [] when the text is not a valid neural experiment. */
  async issues(text: string, file?: string): Promise<ExperimentIssue[]> {
    try {
      if (parseExperiment(text, file).problem.type === 'nqm') return [];
    } catch {
      return [];
    }
    return this.ask(text, file);
  }
}
