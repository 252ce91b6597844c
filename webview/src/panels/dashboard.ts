// Run dashboard: live curves of every metric of the panel's runs.
import { sanitizeBoardState } from '../model/view-state';
import { MetricBoard } from '../ui/metric-board';
import { startPanel } from '../ui/panel';
import { errorText } from '../ui/vscode';

startPanel('dashboard', ({ host, app, theme, saved }) => {
  const state = sanitizeBoardState(saved.board);
  const persist = () => host.setState({ board: state });
  const board = new MetricBoard(state, theme, { persist, report: (err) => host.error(errorText(err)) });
  app.append(board.element);
  return {
    handle(msg) {
      switch (msg.type) {
        case 'runs':
          board.setRuns(msg.runs);
          break;
        case 'metrics':
          board.ingest(msg);
          break;
        case 'metricsBatch':
          board.ingestBatch(msg.batches);
          break;
        case 'runStatus':
          board.setRunStatus(msg.runId, msg.status, msg.summary);
          break;
        default:
          // criticalBatch: not this panel's business.
          break;
      }
    },
    setTheme: (t) => board.setTheme(t),
    canvases: () => board.canvases(),
    legend: () => board.legendEntries(),
    flush: () => board.flush(),
    charts: () => board.chartList(),
    stats: () => ({ ...board.stats, pending: board.pending() ? 1 : 0 }),
  };
});
