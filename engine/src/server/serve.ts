// `optlab serve`: the engine as a child process of the VS Code extension (or any host), speaking
// the typed protocol of protocol/engine-messages.ts over the Node IPC channel. One engine serves
// many experiment sessions at once; each can be cancelled; results stay in the run store. It also
// answers the editor's setup checks of neural experiment files (sweep/setup-check.ts), so that the
// extension host never loads TensorFlow.js.
import path from 'node:path';
import { loadExperiment } from '../experiment/load';
import { ExperimentError } from '../experiment/validate';
import { NqmSpecError } from '../nqm/model';
import {
  parseEngineRequest,
  PROTOCOL_VERSION,
  ProtocolError,
  type CheckSetupRequest,
  type EngineEvent,
  type StartRequest,
} from '../protocol/engine-messages';
import { findingsFor, runExperiment } from '../runner';
import { NQM_BACKEND } from '../problems/nqm/run';
import { SetupInvalid } from '../sweep/pool';
import { SetupCheck } from '../sweep/setup-check';
import { RunStore } from '../store';
import { ENGINE_VERSION } from '../version';
import { MetricsBatcher } from './metrics-batcher';
import { rowsToColumns } from '../protocol/metric-columns';

export interface EngineChannel {
  send(event: EngineEvent): void;
  onRequest(handler: (message: unknown) => void): void;
}

export interface EngineServerOptions {
  /** Answers checkSetup requests (tests inject one that counts what it loads). */
  setupCheck?: SetupCheck;
}

export class EngineServer {
  private readonly sessions = new Map<string, AbortController>();
  /** Every start() still in progress, so that shutdown can await them instead of polling. */
  private readonly running = new Set<Promise<void>>();
  private readonly done: Promise<void>;
  private resolveDone!: () => void;
  private readonly setupCheck: SetupCheck;

  constructor(
    private readonly channel: EngineChannel,
    options: EngineServerOptions = {},
  ) {
    this.setupCheck = options.setupCheck ?? new SetupCheck();
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    channel.onRequest((message) => this.handle(message));
    channel.send({ type: 'ready', protocol: PROTOCOL_VERSION, engineVersion: ENGINE_VERSION, backend: NQM_BACKEND, pid: process.pid });
  }

  /** Resolves after a shutdown request, once every session has stopped. */
  whenShutDown(): Promise<void> {
    return this.done;
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.channel.send({ type: 'log', level, message });
  }

  private handle(message: unknown): void {
    let request;
    try {
      request = parseEngineRequest(message);
    } catch (err) {
      this.log('error', `rejected a malformed request: ${err instanceof ProtocolError ? err.message : String(err)}`);
      return;
    }
    switch (request.type) {
      case 'start': {
        const session = this.start(request);
        this.running.add(session);
        void session.finally(() => this.running.delete(session));
        break;
      }
      case 'cancel':
        for (const [id, controller] of this.sessions) if (request.requestId === undefined || request.requestId === id) controller.abort();
        break;
      case 'checkSetup':
        void this.checkSetup(request);
        break;
      case 'shutdown':
        for (const controller of this.sessions.values()) controller.abort();
        void this.waitForSessions().then(() => this.resolveDone());
        break;
    }
  }

  private async waitForSessions(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private async checkSetup(req: CheckSetupRequest): Promise<void> {
    try {
      const issues = await this.setupCheck.issues(req.text, req.file === undefined ? undefined : path.resolve(req.file), req.dataAccess);
      this.channel.send({ type: 'setupChecked', requestId: req.requestId, issues: issues.map((i) => ({ path: i.path, message: i.message })) });
    } catch (err) {
      this.log('error', `checkSetup ${req.requestId}: ${err instanceof Error && err.stack ? err.stack : String(err)}`);
      this.channel.send({ type: 'setupChecked', requestId: req.requestId, issues: [], error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async start(req: StartRequest): Promise<void> {
    const { requestId } = req;
    if (this.sessions.has(requestId)) {
      this.channel.send({ type: 'experimentFailed', requestId, reason: 'error', message: `a session '${requestId}' is already running` });
      return;
    }
    const controller = new AbortController();
    this.sessions.set(requestId, controller);
    // As columns, NaN and infinities as the store's markers (Node's IPC channel is JSON, which
    // would turn them into null): the shape the rows keep up to the chart panels.
    const batcher = new MetricsBatcher((runId, rows, seq) => this.channel.send({ type: 'metrics', requestId, runId, seq, ...rowsToColumns(rows) }));
    try {
      const experiment = loadExperiment(path.resolve(req.file));
      const store = new RunStore(req.store);
      this.log('info', `${requestId}: running ${experiment.name} from ${experiment.file} into ${store.root}`);
      // A backend the experiment names wins over the host's default (the VS Code setting); 'auto'
      // (also what a file without one resolves to) defers to that default.
      const chosen = [experiment.backend, req.backend].find((b) => b !== undefined && b !== 'auto');
      const result = await runExperiment(experiment, store, {
        workers: req.workers,
        ...(req.dataAccess && { dataAccess: req.dataAccess }),
        ...(chosen !== undefined && { backend: chosen }),
        onLog: (line) => this.log('info', `${requestId}: worker: ${line}`),
        signal: controller.signal,
        onRunsCreated: (runs) =>
          this.channel.send({ type: 'experimentStarted', requestId, experiment: experiment.name, file: experiment.file ?? req.file, store: store.root, runs }),
        onRunStatus: (runId, status, patch) => {
          // Rows before the status that ends them.
          batcher.flush();
          this.channel.send({ type: 'runStatus', requestId, runId, status, ...patch });
        },
        onMetrics: (runId, rows, seq) => batcher.add(runId, rows, seq),
        onProgress: (done, total, run) =>
          // Neural trials' labels already name the batch size, and their detail says why they ended.
          this.channel.send({ type: 'progress', requestId, done, total, message: run.detail !== undefined ? `${run.label}: ${run.detail}` : `${run.label} B=${run.batchSize}: ${run.stepsToTarget === null ? 'target not reached' : `${run.stepsToTarget} steps`}` }),
      });
      batcher.flush();
      this.channel.send({
        type: 'experimentFinished',
        requestId,
        experiment: result.experiment,
        runs: result.runs,
        criticalBatchSize: result.criticalBatchSize,
        findings: findingsFor(experiment, result),
        ...(result.prediction && { prediction: result.prediction }),
      });
    } catch (err) {
      batcher.flush();
      const reason = err instanceof ExperimentError || err instanceof NqmSpecError || err instanceof SetupInvalid ? 'invalid' : controller.signal.aborted ? 'cancelled' : 'error';
      const message = err instanceof Error ? err.message : String(err);
      this.channel.send({ type: 'experimentFailed', requestId, reason, message });
      if (reason === 'error') this.log('error', `${requestId}: ${err instanceof Error && err.stack ? err.stack : message}`);
    } finally {
      this.sessions.delete(requestId);
    }
  }
}

/** The engine over this process's IPC channel (the process was forked with an IPC channel). */
export function ipcChannel(): EngineChannel {
  if (!process.send) throw new Error('optlab serve needs an IPC channel: start it with child_process.fork');
  return {
    send: (event) => {
      if (process.connected) process.send!(event);
    },
    onRequest: (handler) => process.on('message', handler),
  };
}
