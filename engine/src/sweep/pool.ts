// A pool of trial worker PROCESSES (child_process.fork of the bundled dist/engine/trial-worker.js,
// or of worker.ts through tsx when running from source). Each worker is set up once (backend,
// data, model), then runs one trial at a time. A worker that dies mid-trial fails that trial and
// is replaced. stop() kills every worker.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MetricRow } from '../store/types';
import type { TrainResult } from '../train/types';
import { SetupInvalid, type BackendInfo, type ParentMessage, type WorkerMessage, type WorkerSetup } from './messages';

export { SetupInvalid } from './messages';

/** What runs a trial: the process pool, or a fake in tests. */
export interface TrialRunner {
  /** Sets the workers up; resolves with the backend they computed on. Rejects with SetupInvalid/Error. */
  start(setup: WorkerSetup): Promise<BackendInfo>;
  /** How many trials may run at once. */
  readonly capacity: number;
  run(request: TrialRequest, hooks: TrialHooks): Promise<TrialResultOrFailure>;
  /** Lowers (or raises) the step limit of a running trial. */
  setLimit(trial: number, stepLimit: number): void;
  /** Stops everything (running trials end as cancelled); idempotent. */
  stop(): Promise<void>;
}

export interface TrialRequest {
  trial: number;
  optimizerSpec: Record<string, unknown>;
  batchSize: number;
  runDir: string;
  stepLimit: number;
  /** Continue from the checkpoint.json in this folder (a resumed sweep). */
  resumeFrom?: string;
  /** The trial's seed (several seeds per experiment); absent: the setup's. */
  seed?: number;
}

export interface TrialHooks {
  onMetrics(rows: MetricRow[]): void;
}

export type TrialResultOrFailure = { ok: true; result: TrainResult } | { ok: false; message: string; store?: { path?: string; code?: string } };


export interface PoolOptions {
  workers: number;
  /** Lines the workers print (stderr/stdout), minus TensorFlow.js's banner. */
  onLog?: (line: string) => void;
  /** For tests: the script to fork. */
  script?: { file: string; execArgv: string[] };
}

/** The worker entry: the bundled file next to the CLI, or the TypeScript source under tsx. */
export function workerScript(): { file: string; execArgv: string[] } {
  const bundled = path.join(__dirname, 'trial-worker.js');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  const source = path.join(__dirname, 'worker.ts');
  if (existsSync(source)) return { file: source, execArgv: ['--import', 'tsx'] };
  throw new Error(`the trial worker is missing: neither ${bundled} nor ${source} exists (run 'npm run build')`);
}

const BANNER = /looks like you are running TensorFlow\.js in Node\.js|^=+$|^\s*$/;

interface Slot {
  child: ChildProcess;
  busy: { trial: number; hooks: TrialHooks; resolve: (r: TrialResultOrFailure) => void } | null;
  ready: boolean;
}

export class ProcessPool implements TrialRunner {
  readonly capacity: number;
  private readonly slots: Slot[] = [];
  private setup: WorkerSetup | undefined;
  private stopped = false;
  private readonly waiting: (() => void)[] = [];
  private info: BackendInfo | undefined;

  constructor(private readonly options: PoolOptions) {
    this.capacity = Math.max(1, options.workers);
  }

  async start(setup: WorkerSetup): Promise<BackendInfo> {
    this.setup = setup;
    const first = await Promise.allSettled(Array.from({ length: this.capacity }, () => this.spawn()));
    const failure = first.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failure) {
      await this.stop();
      throw failure.reason;
    }
    return this.info!;
  }

  private spawn(): Promise<Slot> {
    const script = this.options.script ?? workerScript();
    const child = fork(script.file, [], {
      execArgv: script.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, OPTLAB_TRIAL_WORKER: '1' },
    });
    const slot: Slot = { child, busy: null, ready: false };
    this.slots.push(slot);
    const log = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (!BANNER.test(line)) this.options.onLog?.(line);
    };
    child.stdout?.on('data', log);
    child.stderr?.on('data', log);
    return new Promise<Slot>((resolve, reject) => {
      child.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            slot.ready = true;
            this.info ??= m.info;
            resolve(slot);
            this.release();
            break;
          case 'invalid':
            reject(new SetupInvalid(m.path, m.message));
            break;
          case 'setupFailed':
            reject(new Error(m.message));
            break;
          case 'metrics':
            if (slot.busy?.trial === m.trial) {
              try {
                slot.busy.hooks.onMetrics(m.rows);
              } catch (err) {
                // Thrown in this listener it would be an uncaught exception: the trial fails instead,
                // and its worker (still training it) is replaced.
                const busy = slot.busy;
                slot.busy = null;
                busy.resolve({ ok: false, message: err instanceof Error ? err.message : String(err) });
                slot.child.kill('SIGKILL');
              }
            }
            break;
          case 'trialDone':
          case 'trialFailed': {
            const busy = slot.busy;
            if (!busy || busy.trial !== m.trial) break;
            slot.busy = null;
            busy.resolve(m.type === 'trialDone' ? { ok: true, result: m.result } : { ok: false, message: m.message, ...(m.store && { store: m.store }) });
            this.release();
            break;
          }
        }
      });
      child.on('exit', (code, signal) => {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        if (!slot.ready) reject(new Error(`a trial worker exited before it was ready (${why})`));
        if (slot.busy) {
          const busy = slot.busy;
          slot.busy = null;
          busy.resolve({ ok: false, message: this.stopped ? 'cancelled' : `the trial worker process died (${why})` });
        }
        // Replace a worker lost mid-sweep, so the remaining trials still run.
        if (!this.stopped && slot.ready) {
          this.spawn().catch((err: unknown) => this.options.onLog?.(`could not replace a trial worker: ${err instanceof Error ? err.message : String(err)}`));
        }
        this.release();
      });
      child.on('error', (err) => reject(err));
      this.send(child, { type: 'setup', setup: this.setup! });
    });
  }

  private send(child: ChildProcess, m: ParentMessage): void {
    if (child.connected) child.send(m);
  }

  private release(): void {
    const w = this.waiting.shift();
    if (w) w();
  }

  /** A ready, idle worker, reserved for `trial` before this returns (so two callers never share one). */
  private async reserveSlot(trial: number, hooks: TrialHooks): Promise<{ slot: Slot; done: Promise<TrialResultOrFailure> }> {
    for (;;) {
      if (this.stopped) throw new Error('cancelled');
      const free = this.slots.find((s) => s.ready && !s.busy);
      if (free) {
        let resolve!: (r: TrialResultOrFailure) => void;
        const done = new Promise<TrialResultOrFailure>((r) => (resolve = r));
        free.busy = { trial, hooks, resolve };
        return { slot: free, done };
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  async run(request: TrialRequest, hooks: TrialHooks): Promise<TrialResultOrFailure> {
    let reserved: { slot: Slot; done: Promise<TrialResultOrFailure> };
    try {
      reserved = await this.reserveSlot(request.trial, hooks);
    } catch {
      return { ok: false, message: 'cancelled' };
    }
    this.send(reserved.slot.child, { type: 'trial', ...request });
    return reserved.done;
  }

  setLimit(trial: number, stepLimit: number): void {
    for (const s of this.slots) if (s.busy?.trial === trial) this.send(s.child, { type: 'limit', trial, stepLimit });
  }

  async stop(): Promise<void> {
    if (this.stopped && this.slots.length === 0) return;
    this.stopped = true;
    const exits = this.slots.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
          s.child.once('exit', () => resolve());
          s.child.kill('SIGKILL');
        }),
    );
    while (this.waiting.length) this.release();
    await Promise.all(exits);
  }
}
