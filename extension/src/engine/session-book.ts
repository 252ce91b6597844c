// Bookkeeping of the engine's sessions (one per started experiment), driven by validated engine
// events: which runs a session has, their live status, its progress, and how it ended. Pure: the
// supervisor feeds it events and asks it which runs to mark crashed when the process dies.
import { rowAt } from '../../../engine/src/protocol';
import type { ExperimentOutcome } from '../api';
import type { EngineEvent, ExperimentFinishedEvent, RunRef } from '../../../engine/src/protocol/engine-messages';
import type { MetricRow, RunStatus } from '../../../engine/src';
import type { LiveRunState } from '../model/run-view';

export interface SessionOutcome extends ExperimentOutcome {
  file: string;
  experiment?: string;
  /** The engine's report when the session finished. */
  finished?: ExperimentFinishedEvent;
  /** Runs marked crashed in the store when the engine died. */
  crashedRunIds?: string[];
  durationMs: number;
}

export interface SessionRun {
  ref: RunRef;
  status: RunStatus;
  lastRow?: MetricRow;
}

export interface Session {
  requestId: string;
  file: string;
  store: string;
  /** ms since the epoch, when the start request was sent. */
  startedAt: number;
  experiment?: string;
  /** True once the engine has created the runs (experimentStarted). */
  accepted: boolean;
  runs: Map<string, SessionRun>;
  progress?: { done: number; total: number; message: string };
  outcome?: SessionOutcome;
}

const ACTIVE: readonly RunStatus[] = ['queued', 'running'];

export class SessionBook {
  private readonly sessions = new Map<string, Session>();
  private readonly runIndex = new Map<string, string>();

  open(requestId: string, file: string, store: string, now: number): Session {
    if (this.sessions.has(requestId)) throw new Error(`session ${requestId} already exists`);
    const session: Session = { requestId, file, store, startedAt: now, accepted: false, runs: new Map() };
    this.sessions.set(requestId, session);
    return session;
  }

  get(requestId: string): Session | undefined {
    return this.sessions.get(requestId);
  }

  /** Sessions that have not ended, oldest first. */
  active(): Session[] {
    return [...this.sessions.values()].filter((s) => !s.outcome);
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  sessionOfRun(runId: string): Session | undefined {
    const id = this.runIndex.get(runId);
    return id === undefined ? undefined : this.sessions.get(id);
  }

  liveState(runId: string): LiveRunState | undefined {
    const session = this.sessionOfRun(runId);
    const run = session?.runs.get(runId);
    if (!session || !run) return undefined;
    return {
      status: run.status,
      ...(run.lastRow && { lastRow: run.lastRow }),
      ...(session.progress && { session: { done: session.progress.done, total: session.progress.total } }),
    };
  }

  /**
   * Applies one engine event. Returns the session it concerns, and the outcome when the event ended it.
   * Events of unknown sessions (e.g. from before a restart) are ignored.
   */
  apply(event: EngineEvent, now: number): { session?: Session; ended?: SessionOutcome } {
    if (!('requestId' in event)) return {};
    const session = this.sessions.get(event.requestId);
    if (!session || session.outcome) return session ? { session } : {};
    switch (event.type) {
      case 'experimentStarted':
        session.accepted = true;
        session.experiment = event.experiment;
        session.file = event.file || session.file;
        session.store = event.store || session.store;
        for (const ref of event.runs) {
          session.runs.set(ref.id, { ref, status: 'queued' });
          this.runIndex.set(ref.id, session.requestId);
        }
        return { session };
      case 'runStatus': {
        const run = session.runs.get(event.runId);
        if (run) run.status = event.status;
        return { session };
      }
      case 'metrics': {
        const run = session.runs.get(event.runId);
        if (run && event.length) run.lastRow = rowAt(event, event.length - 1);
        return { session };
      }
      case 'progress':
        session.progress = { done: event.done, total: event.total, message: event.message };
        return { session };
      case 'experimentFinished':
        return { session, ended: this.end(session, { result: 'finished', finished: event, experiment: event.experiment }, now) };
      case 'experimentFailed': {
        const result = event.reason === 'cancelled' ? 'cancelled' : 'failed';
        return { session, ended: this.end(session, { result, message: event.message }, now) };
      }
      default:
        return { session };
    }
  }

  /** Runs of a session the engine last reported as queued or running. */
  unfinishedRuns(session: Session): SessionRun[] {
    return [...session.runs.values()].filter((r) => ACTIVE.includes(r.status));
  }

  /** Ends a session that the engine can no longer end (it died, or was stopped). */
  endAbnormally(session: Session, result: 'crashed' | 'cancelled' | 'failed', message: string, crashedRunIds: string[], now: number): SessionOutcome {
    for (const id of crashedRunIds) {
      const run = session.runs.get(id);
      if (run) run.status = 'crashed';
    }
    return this.end(session, { result, message, crashedRunIds }, now);
  }

  /** Drops ended sessions (their runs are in the store). */
  prune(keep: (s: Session) => boolean = () => false): void {
    for (const [id, s] of this.sessions) {
      if (!s.outcome || keep(s)) continue;
      this.sessions.delete(id);
      for (const runId of s.runs.keys()) if (this.runIndex.get(runId) === id) this.runIndex.delete(runId);
    }
  }

  private end(session: Session, o: Omit<SessionOutcome, 'requestId' | 'runIds' | 'file' | 'durationMs'>, now: number): SessionOutcome {
    const outcome: SessionOutcome = {
      requestId: session.requestId,
      runIds: [...session.runs.keys()],
      file: session.file,
      durationMs: now - session.startedAt,
      ...(session.experiment !== undefined && { experiment: session.experiment }),
      ...o,
    };
    session.outcome = outcome;
    return outcome;
  }
}
