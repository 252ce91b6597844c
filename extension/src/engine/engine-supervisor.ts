// Supervises the engine process (`bin/optlab.js serve`, forked with an IPC channel): one process
// serves every experiment session. Every message from it is validated (parseEngineEvent) before
// anyone sees it. If it dies unexpectedly, the runs it was computing are marked crashed in the run
// store (what they recorded stays) and their sessions end as 'crashed'. No VS Code in here: the
// host wires logs and notifications to it.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  parseEngineEvent,
  PROTOCOL_VERSION,
  type DataAccess,
  type EngineEvent,
  type EngineRequest,
  type ReadyEvent,
  type SetupIssue,
} from '../../../engine/src/protocol/engine-messages';
import { RunStore } from '../../../engine/src';
import type { EngineState } from '../api';
import { samePath } from '../model/experiment-runs';
import { Emitter } from '../util/emitter';
import { errorMessage } from '../util/timing';
import { RecentRows } from './recent-rows';
import { SessionBook, type Session, type SessionOutcome } from './session-book';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SupervisorOptions {
  /** bin/optlab.js of the extension. */
  enginePath: string;
  /** Working folder of the engine process. */
  cwd?: string;
  log: (level: LogLevel, message: string) => void;
  /** How long the process may take to report ready. */
  readyTimeoutMs?: number;
  /** How long a graceful shutdown may take before the process is killed. */
  shutdownTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Where dataset files may be read from (the settings), sent with every run and setup check. */
  dataAccess?: () => DataAccess;
}

export interface RunRequest {
  file: string;
  store: string;
  workers?: number;
  /** The optlab.computeBackend setting: the default for neural problems. */
  backend?: 'auto' | 'cuda' | 'tensorflow' | 'wasm' | 'cpu';
}

export interface CrashedRun {
  id: string;
  label: string;
  batchSize?: number;
}

export interface CrashReport {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the process wrote to stderr. */
  stderrTail: string[];
  sessions: { requestId: string; file: string; experiment?: string; crashed: CrashedRun[]; finishedRuns: number }[];
  /** Runs that could not be marked (named with the reason). */
  markErrors: string[];
}

const STDERR_TAIL = 20;

export class EngineSupervisor {
  private child: ChildProcess | undefined;
  private currentState: EngineState = 'stopped';
  private startPromise: Promise<void> | undefined;
  private stopping = false;
  private readyInfo: ReadyEvent | undefined;
  /** The current process has reported ready at least once. */
  private wasReady = false;
  private stderrTail: string[] = [];
  private counter = 0;
  private readonly book = new SessionBook();
  private readonly waiters = new Map<string, { accepted: (() => void)[]; done: (o: SessionOutcome) => void }>();
  private readonly donePromises = new Map<string, Promise<SessionOutcome>>();
  /** checkSetup requests waiting for their setupChecked. */
  private readonly checks = new Map<string, { resolve: (issues: SetupIssue[]) => void; reject: (err: Error) => void }>();
  readonly recent = new RecentRows();

  private readonly eventEmitter = new Emitter<EngineEvent>();
  private readonly stateEmitter = new Emitter<EngineState>();
  private readonly crashEmitter = new Emitter<CrashReport>();
  private readonly endedEmitter = new Emitter<{ session: Session; outcome: SessionOutcome }>();
  /**
   * Every validated engine event, after the session book has been updated (except the answers to
   * checkSetup, which go to its caller).
   */
  readonly onEvent = this.eventEmitter.event;
  readonly onStateChange = this.stateEmitter.event;
  /** The process died unexpectedly; its runs have been marked crashed. */
  readonly onCrash = this.crashEmitter.event;
  readonly onSessionEnded = this.endedEmitter.event;

  private readonly now: () => number;

  constructor(private readonly options: SupervisorOptions) {
    this.now = options.now ?? Date.now;
  }

  state(): EngineState {
    return this.currentState;
  }

  pid(): number | undefined {
    return this.child?.pid;
  }

  /** What the engine said about itself when it became ready. */
  info(): ReadyEvent | undefined {
    return this.readyInfo;
  }

  sessions(): Session[] {
    return this.book.active();
  }

  session(requestId: string): Session | undefined {
    return this.book.get(requestId);
  }

  sessionOfRun(runId: string): Session | undefined {
    return this.book.sessionOfRun(runId);
  }

  liveState(runId: string) {
    return this.book.liveState(runId);
  }

  /** Starts the process if it is not running; resolves once it has reported ready. */
  start(): Promise<void> {
    if (this.currentState === 'ready' && this.child) return Promise.resolve();
    if (this.startPromise) return this.startPromise;
    this.startPromise = this.spawn().finally(() => {
      this.startPromise = undefined;
    });
    return this.startPromise;
  }

  /**
   * Starts an experiment file. Resolves once the engine has created its runs (or ended the session
   * at once, e.g. for an invalid file), with a promise of the session's end.
   */
  async run(request: RunRequest): Promise<{ requestId: string; done: Promise<SessionOutcome> }> {
    await this.start();
    const requestId = `s${this.now().toString(36)}-${++this.counter}`;
    const file = path.resolve(request.file);
    this.book.open(requestId, file, request.store, this.now());
    let resolveDone!: (o: SessionOutcome) => void;
    const done = new Promise<SessionOutcome>((r) => (resolveDone = r));
    const accepted = new Promise<void>((resolve) => {
      this.waiters.set(requestId, { accepted: [resolve], done: resolveDone });
    });
    this.donePromises.set(requestId, done);
    const message: EngineRequest = {
      type: 'start',
      requestId,
      file,
      store: request.store,
      ...(request.workers !== undefined && { workers: request.workers }),
      ...(request.backend !== undefined && { backend: request.backend }),
      ...(this.options.dataAccess && { dataAccess: this.options.dataAccess() }),
    };
    this.options.log('info', `session ${requestId}: start ${file} (store ${request.store}${request.workers ? `, ${request.workers} workers` : ''})`);
    this.send(message);
    await Promise.race([accepted, done.then(() => undefined)]);
    return { requestId, done };
  }

  /**
   * The engine's setup check of an experiment's text (optimizer options, model and data of a neural
   * problem): issues at JSON pointers. Rejects when the engine cannot answer (not running, died).
   */
  async checkSetup(text: string, file?: string): Promise<SetupIssue[]> {
    await this.start();
    const requestId = `c${this.now().toString(36)}-${++this.counter}`;
    const answer = new Promise<SetupIssue[]>((resolve, reject) => this.checks.set(requestId, { resolve, reject }));
    this.send({ type: 'checkSetup', requestId, text, ...(file !== undefined && { file }), ...(this.options.dataAccess && { dataAccess: this.options.dataAccess() }) });
    return answer;
  }

  /** The end of a session, if it is known. */
  whenDone(requestId: string): Promise<SessionOutcome> | undefined {
    return this.donePromises.get(requestId);
  }

  /** Cancels one session, or every session. Finished runs stay; the rest are marked cancelled by the engine. */
  cancel(requestId?: string): void {
    if (!this.child || this.currentState !== 'ready') return;
    this.options.log('info', requestId ? `session ${requestId}: cancel requested` : 'cancel requested for every session');
    this.send(requestId === undefined ? { type: 'cancel' } : { type: 'cancel', requestId });
  }

  /** Cancels every session and waits for them to end (their runs are then 'cancelled' in the store). */
  async cancelAll(timeoutMs = 10_000): Promise<void> {
    const pending = this.book.active().map((s) => this.donePromises.get(s.requestId)).filter((p): p is Promise<SessionOutcome> => !!p);
    if (!pending.length) return;
    this.cancel();
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Asks the engine to shut down (sessions are cancelled first); kills it after the timeout. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) {
      this.setState('stopped');
      return;
    }
    this.stopping = true;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    if (child.connected) this.send({ type: 'shutdown' });
    const timeout = this.options.shutdownTimeoutMs ?? 8000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeout)))]);
    if (timer) clearTimeout(timer);
    if (timedOut) {
      this.options.log('warn', `the engine (pid ${child.pid}) did not shut down within ${timeout} ms; killing it`);
      child.kill('SIGKILL');
      await exited;
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Kills the process as a crash would (for tests and for a hung engine). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.eventEmitter.dispose();
    this.stateEmitter.dispose();
    this.crashEmitter.dispose();
    this.endedEmitter.dispose();
  }

  // ---- process ------------------------------------------------------------------------------

  private setState(state: EngineState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateEmitter.fire(state);
  }

  private spawn(): Promise<void> {
    this.setState('starting');
    this.stopping = false;
    this.readyInfo = undefined;
    this.wasReady = false;
    this.stderrTail = [];
    const { enginePath } = this.options;
    this.options.log('info', `starting the engine: ${process.execPath} ${enginePath} serve`);
    let child: ChildProcess;
    try {
      child = fork(enginePath, ['serve'], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        cwd: this.options.cwd ?? path.dirname(path.dirname(enginePath)),
        env: this.options.env ?? process.env,
        // The extension host's own flags (an inspector port, for one) must not be inherited.
        execArgv: [],
        serialization: 'json',
      });
    } catch (err) {
      this.setState('stopped');
      return Promise.reject(new Error(`cannot start the OptLab engine (${enginePath}): ${errorMessage(err)}`));
    }
    this.child = child;
    this.pipeLines(child.stdout, (line) => this.options.log('info', `[engine stdout] ${line}`));
    this.pipeLines(child.stderr, (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
      this.options.log('warn', `[engine stderr] ${line}`);
    });

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        settle(new Error(`the OptLab engine (pid ${child.pid}) did not report ready within ${timeoutMs / 1000} s; see the "OptLab Engine" output`));
        child.kill('SIGKILL');
      }, timeoutMs);

      child.on('message', (raw: unknown) => {
        let event: EngineEvent;
        try {
          event = parseEngineEvent(raw);
        } catch (err) {
          this.options.log('error', `rejected a malformed message from the engine: ${errorMessage(err)} (${preview(raw)})`);
          return;
        }
        if (event.type === 'ready') {
          if (event.protocol !== PROTOCOL_VERSION) {
            settle(new Error(`the OptLab engine speaks protocol ${event.protocol}, this extension speaks ${PROTOCOL_VERSION}: rebuild the extension (npm run build)`));
            child.kill('SIGKILL');
            return;
          }
          this.readyInfo = event;
          this.wasReady = true;
          this.options.log('info', `engine ready: version ${event.engineVersion}, backend ${event.backend}, pid ${event.pid}`);
          this.setState('ready');
          settle();
          return;
        }
        this.handleEvent(event);
      });
      child.on('error', (err) => {
        this.options.log('error', `engine process error: ${err.message}`);
        settle(new Error(`cannot start the OptLab engine (${enginePath}): ${err.message}`));
      });
      child.on('exit', (code, signal) => {
        const tail = this.stderrTail.length ? `: ${this.stderrTail.slice(-3).join(' | ')}` : '';
        settle(new Error(`the OptLab engine exited before it was ready (${describeExit(code, signal)})${tail}`));
        this.handleExit(child, code, signal);
      });
    });
  }

  private pipeLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
    if (!stream) return;
    let buffer = '';
    stream.setEncoding?.('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (line.trim()) onLine(line);
      }
    });
    stream.on('end', () => {
      if (buffer.trim()) onLine(buffer);
      buffer = '';
    });
  }

  private send(message: EngineRequest): void {
    const child = this.child;
    if (!child || !child.connected) {
      this.options.log('error', `cannot send '${message.type}' to the engine: it is not running`);
      if (message.type === 'start') this.failSession(message.requestId, 'the OptLab engine is not running');
      if (message.type === 'checkSetup') this.failCheck(message.requestId, 'the OptLab engine is not running');
      return;
    }
    child.send(message, (err) => {
      if (!err) return;
      this.options.log('error', `sending '${message.type}' to the engine failed: ${err.message}`);
      if (message.type === 'start') this.failSession(message.requestId, `could not send the experiment to the engine: ${err.message}`);
      if (message.type === 'checkSetup') this.failCheck(message.requestId, `could not send the check to the engine: ${err.message}`);
    });
  }

  private failCheck(requestId: string, message: string): void {
    this.checks.get(requestId)?.reject(new Error(message));
    this.checks.delete(requestId);
  }

  private failSession(requestId: string, message: string): void {
    const session = this.book.get(requestId);
    if (!session || session.outcome) return;
    this.finish(session, this.book.endAbnormally(session, 'failed', message, [], this.now()));
  }

  private handleEvent(event: EngineEvent): void {
    if (event.type === 'log') {
      this.options.log(event.level, event.message);
      this.eventEmitter.fire(event);
      return;
    }
    if (event.type === 'setupChecked') {
      const check = this.checks.get(event.requestId);
      this.checks.delete(event.requestId);
      if (event.error !== undefined) check?.reject(new Error(event.error));
      else check?.resolve(event.issues);
      return;
    }
    const { session, ended } = this.book.apply(event, this.now());
    if (event.type === 'metrics') this.recent.add(event.runId, event, event.seq);
    if (event.type === 'experimentFailed') this.options.log(event.reason === 'cancelled' ? 'info' : 'error', `session ${event.requestId}: ${event.reason}: ${event.message}`);
    if (event.type === 'experimentFinished') this.options.log('info', `session ${event.requestId}: ${event.experiment} finished (${event.runs.length} runs)`);
    if (session && event.type === 'experimentStarted') {
      this.options.log('info', `session ${event.requestId}: ${event.experiment} created ${event.runs.length} runs in ${event.store}`);
      const waiter = this.waiters.get(event.requestId);
      waiter?.accepted.forEach((f) => f());
    }
    this.eventEmitter.fire(event, (err) => this.options.log('error', `an event listener failed on '${event.type}': ${errorMessage(err)}`));
    if (session && ended) this.finish(session, ended);
  }

  private finish(session: Session, outcome: SessionOutcome): void {
    const waiter = this.waiters.get(session.requestId);
    this.waiters.delete(session.requestId);
    waiter?.done(outcome);
    this.endedEmitter.fire({ session, outcome }, (err) => this.options.log('error', `a session listener failed: ${errorMessage(err)}`));
    for (const runId of session.runs.keys()) this.recent.forget(runId);
    // Keep the last few ended sessions for the tree's live state; forget older ones.
    const ended = this.book.all().filter((s) => s.outcome);
    if (ended.length > 20) {
      const keep = new Set(ended.slice(-20).map((s) => s.requestId));
      this.book.prune((s) => keep.has(s.requestId));
    }
  }

  private handleExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    const expected = this.stopping;
    this.stopping = false;
    const how = describeExit(code, signal);
    this.options.log(expected ? 'info' : 'error', `the engine (pid ${child.pid}) ${expected ? 'stopped' : 'exited unexpectedly'} (${how})`);
    for (const requestId of [...this.checks.keys()]) this.failCheck(requestId, `the OptLab engine ${expected ? 'was stopped' : 'exited unexpectedly'} (${how}) before it answered`);
    const open = this.book.active();
    const report: CrashReport = { pid: child.pid, code, signal, stderrTail: [...this.stderrTail], sessions: [], markErrors: [] };
    for (const session of open) {
      const message = expected
        ? `the OptLab engine (pid ${child.pid}) was stopped (${how}) while this run was unfinished; the metrics recorded until then are kept`
        : `the OptLab engine (pid ${child.pid}) exited unexpectedly (${how}) while this run was unfinished; the metrics recorded until then are kept`;
      const crashed = this.markUnfinishedRuns(session, message, report.markErrors);
      const finishedRuns = [...session.runs.values()].filter((r) => r.status !== 'queued' && r.status !== 'running' && !crashed.some((c) => c.id === r.ref.id)).length;
      report.sessions.push({ requestId: session.requestId, file: session.file, ...(session.experiment && { experiment: session.experiment }), crashed, finishedRuns });
      const outcome = this.book.endAbnormally(
        session,
        expected ? 'cancelled' : 'crashed',
        `${expected ? 'the engine was stopped' : `the engine exited unexpectedly (${how})`}: ${crashed.length} unfinished run${crashed.length === 1 ? '' : 's'} marked crashed, ${finishedRuns} finished run${finishedRuns === 1 ? '' : 's'} kept`,
        crashed.map((c) => c.id),
        this.now(),
      );
      this.finish(session, outcome);
    }
    for (const e of report.markErrors) this.options.log('error', e);
    this.setState(expected ? 'stopped' : 'crashed');
    // A process that never became ready has failed to start: start() reports that, not a crash.
    if (!expected && (this.wasReady || report.sessions.length)) this.crashEmitter.fire(report, (err) => this.options.log('error', `a crash listener failed: ${errorMessage(err)}`));
  }

  /**
   * Marks the runs of a session that the store still has as queued or running. The store decides:
   * a run the engine finished just before dying keeps its status. When the engine died before
   * naming the session's runs, the runs it had created for that file since the session began are
   * found in the store.
   */
  private markUnfinishedRuns(session: Session, message: string, errors: string[]): CrashedRun[] {
    const store = new RunStore(session.store);
    const crashed: CrashedRun[] = [];
    let candidates: CrashedRun[];
    if (session.accepted) {
      candidates = [...session.runs.values()].map((r) => ({ id: r.ref.id, label: r.ref.label, ...(r.ref.batchSize !== undefined && { batchSize: r.ref.batchSize }) }));
    } else {
      try {
        candidates = store
          .list()
          .filter((r) => r.experiment.file !== undefined && samePath(r.experiment.file, session.file) && Date.parse(r.createdAt) >= session.startedAt - 1000)
          .map((r) => ({ id: r.id, label: r.label, ...(r.batchSize !== undefined && { batchSize: r.batchSize }) }));
      } catch (err) {
        errors.push(`cannot list the runs of ${session.file} in ${store.root} to mark them crashed: ${errorMessage(err)}`);
        candidates = [];
      }
    }
    for (const run of candidates) {
      try {
        const record = store.get(run.id);
        // An orphan (run.json still says queued/running; readers say crashed) is what this marks.
        if (record.status !== 'queued' && record.status !== 'running' && !record.orphan) {
          const live = session.runs.get(run.id);
          if (live) live.status = record.status;
          continue;
        }
        store.markCrashed(run.id, message);
        crashed.push(run);
      } catch (err) {
        errors.push(`cannot mark run ${run.id} (${run.label}) crashed in ${store.root}: ${errorMessage(err)}`);
      }
    }
    return crashed;
  }
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}

function preview(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
