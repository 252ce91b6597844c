// Run dashboard: live curves of every metric of the panel's runs.
import { sanitizeBoardState } from '../../model/view-state';
import { boardPanel, MetricBoard } from '../../ui/metric-board';
import { startPanel } from '../../ui/panel';
import { errorText } from '../../ui/vscode';

startPanel('dashboard', ({ host, app, theme, saved }) => {
  const state = sanitizeBoardState(saved.board);
  const persist = () => host.setState({ board: state });
  const board = new MetricBoard(state, theme, { persist, report: (err) => host.error(errorText(err)) });
  app.append(board.element);
  return boardPanel(board);
});
