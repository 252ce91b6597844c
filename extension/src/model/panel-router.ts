// Routes engine events to the open chart panels: which panel gets which rows and statuses, which
// dashboard follows a new session, which critical-batch-size panel must be recomputed. Pure: the
// panel manager applies the actions.
import type { EngineEvent } from '../../../engine/src/protocol/engine-messages';
import { isTerminalStatus, type RunStatus } from '../../../engine/src';
import type { ColumnChunk } from '../../../engine/src/protocol';
import { samePath } from './experiment-runs';
import type { PanelState } from './panel-state';

export interface PanelSubscription {
  id: string;
  state: PanelState;
  /** The runs the panel shows now (for a critical-batch panel: the runs behind its points). */
  runIds: ReadonlySet<string>;
}

export type PanelAction =
  | { panelId: string; type: 'metrics'; runId: string; seq: number; rows: ColumnChunk }
  | { panelId: string; type: 'runStatus'; runId: string; status: RunStatus; summary?: Record<string, unknown> }
  /** The run list's metadata changed (a run ended with its hyperparameters and summary): re-send it. */
  | { panelId: string; type: 'refreshRuns' }
  /** A dashboard following an experiment switches to the runs of its new session. */
  | { panelId: string; type: 'retarget'; runIds: string[] }
  /** The critical-batch-size data of the panel's experiment may have changed. */
  | { panelId: string; type: 'refreshCritical' };

const ENDS_WITH_RESULT: readonly RunStatus[] = ['completed', 'diverged'];

/**
 * @param fileOfSession the experiment file of a session (request id), when known.
 */
export function routeEngineEvent(event: EngineEvent, panels: readonly PanelSubscription[], fileOfSession: (requestId: string) => string | undefined): PanelAction[] {
  const actions: PanelAction[] = [];
  const criticalFor = (file: string | undefined) => {
    if (!file) return;
    for (const p of panels) {
      if (p.state.kind === 'criticalBatch' && samePath(p.state.experimentFile, file)) actions.push({ panelId: p.id, type: 'refreshCritical' });
    }
  };
  switch (event.type) {
    case 'experimentStarted':
      for (const p of panels) {
        if (p.state.kind === 'dashboard' && p.state.experimentFile && samePath(p.state.experimentFile, event.file)) {
          actions.push({ panelId: p.id, type: 'retarget', runIds: event.runs.map((r) => r.id) });
        }
      }
      break;
    case 'metrics':
      for (const p of panels) {
        if (p.state.kind !== 'criticalBatch' && p.runIds.has(event.runId)) actions.push({ panelId: p.id, type: 'metrics', runId: event.runId, seq: event.seq, rows: { columns: event.columns, length: event.length } });
      }
      break;
    case 'runStatus':
      for (const p of panels) {
        if (p.state.kind === 'criticalBatch' || !p.runIds.has(event.runId)) continue;
        actions.push({ panelId: p.id, type: 'runStatus', runId: event.runId, status: event.status, ...(event.summary && { summary: event.summary }) });
        if (isTerminalStatus(event.status)) actions.push({ panelId: p.id, type: 'refreshRuns' });
      }
      if (ENDS_WITH_RESULT.includes(event.status)) criticalFor(fileOfSession(event.requestId));
      break;
    case 'experimentFinished':
    case 'experimentFailed':
      criticalFor(fileOfSession(event.requestId));
      break;
    default:
      break;
  }
  return actions;
}
