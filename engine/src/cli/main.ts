// The optlab command line. Exit codes: 0 success, 2 invalid input (the message names what and
// where), 1 failure, 3 (optlab run) finished but some trials failed (the result is incomplete).
import { CriticalBatchError } from '../analysis/critical-batch';
import { ExperimentError } from '../experiment/validate';
import { NqmSpecError } from '../nqm/model';
import { AmbiguousRunIdError, RunNotFoundError } from '../store';
import { ENGINE_VERSION } from '../version';
import { UsageError } from './args';
import { DOCTOR_USAGE, doctorCommand } from './commands/doctor';
import { NQM_USAGE, nqmCommand } from './commands/nqm';
import { RUN_USAGE, runCommand } from './commands/run';
import { RM_USAGE, exportCommand, lsCommand, rmCommand, showCommand } from './commands/runs';
import { serveCommand } from './commands/serve';
import { handleStdoutErrors } from './stdout-errors';

const USAGE = `optlab ${ENGINE_VERSION}: run, track and compare optimizer experiments

usage:
  ${RUN_USAGE}
      run every optimizer x batch size of an experiment; progress on stderr, tables on stdout;
      --resume continues an interrupted run of the same file in the same store (finished trials
      are kept, the others run again, from their checkpoints where usable)
  optlab ls [--store DIR] [--json]                      list recorded runs
  optlab show <run-id> [--store DIR] [--json]           one run's record and summary (an id prefix works)
  optlab export <run-id> --format csv|json [--store DIR]  a run's metrics
  ${RM_USAGE}     delete runs (refused while a run's owner process is alive, unless --force)
  ${NQM_USAGE}
      one noisy-quadratic-model study from flags
  optlab serve                                          the engine process of the VS Code extension (IPC)
  ${DOCTOR_USAGE}                                compute backends: which are available, why not, the default
  optlab help | --version

The store defaults to ./.optlab (runs in .optlab/runs/<run-id>/). A queued or running run whose
owner process is gone is listed as crashed.
Exit codes: 0 done; 1 failed; 2 invalid input (what and where); 3 optlab run finished but some
trials failed for a reason other than divergence (their cells are marked incomplete and left out of the fits).`;

const COMMANDS = {
  run: runCommand,
  ls: lsCommand,
  show: showCommand,
  export: exportCommand,
  rm: rmCommand,
  nqm: nqmCommand,
  serve: serveCommand,
  doctor: doctorCommand,
} satisfies Record<string, (argv: string[]) => Promise<number>>;

/** What `optlab <command> --help` prints: one entry per command (a missing one does not compile). */
const COMMAND_USAGE: Record<keyof typeof COMMANDS, string> = {
  run: `usage: ${RUN_USAGE}\n  Runs every optimizer x batch size of an experiment file; progress on stderr, tables (or --json) on stdout.`,
  ls: 'usage: optlab ls [--store DIR] [--json]\n  Lists recorded runs.',
  show: 'usage: optlab show <run-id> [--store DIR] [--json]\n  One run\'s record and summary (an id prefix works).',
  export: 'usage: optlab export <run-id> --format csv|json [--store DIR]\n  A run\'s metrics.',
  rm: `usage: ${RM_USAGE}\n  Deletes runs' folders; a run whose owner process is still alive is refused unless --force.`,
  nqm: `usage: ${NQM_USAGE}\n  One noisy-quadratic-model study from flags.`,
  serve: 'usage: optlab serve\n  The engine process of the VS Code extension (started by it over an IPC channel).',
  doctor: `usage: ${DOCTOR_USAGE}\n  Compute backends: which are available, why not, the default.`,
};

export async function main(argv: string[]): Promise<number> {
  handleStdoutErrors();
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(ENGINE_VERSION + '\n');
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    process.stderr.write(`optlab: unknown command '${command}'\n\n${USAGE}\n`);
    return 2;
  }
  const name = command as keyof typeof COMMANDS;
  const handler: (argv: string[]) => Promise<number> = COMMANDS[name];
  // --help or -h anywhere before a '--' asks for the command's usage.
  const flags = rest.indexOf('--') >= 0 ? rest.slice(0, rest.indexOf('--')) : rest;
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(`${COMMAND_USAGE[name]}\n\nThe store defaults to ./.optlab; optlab help lists every command.\n`);
    return 0;
  }
  try {
    return await handler(rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ExperimentError || err instanceof RunNotFoundError || err instanceof AmbiguousRunIdError || err instanceof NqmSpecError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof CriticalBatchError) {
      process.stderr.write(`optlab: ${err.message}\n`);
      return 1;
    }
    if (err instanceof Error && err.message === 'cancelled') {
      process.stderr.write('optlab: cancelled; finished runs are kept in the store\n');
      return 1;
    }
    process.stderr.write(`optlab: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
