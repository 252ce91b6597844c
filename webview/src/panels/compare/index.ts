// Compare: the selected runs overlaid (the dashboard's chart machinery), the config keys whose
// values differ between them, and best (minimum) / last / step-of-minimum per metric and run.
import type { RunInfo } from '../../../../engine/src/protocol/view-messages';
import { runsDiff } from '../../model/config-diff';
import { formatInteger, formatNumber } from '../../model/format';
import { bestRuns, summarizeRun, type MetricSummary } from '../../model/summaries';
import { sanitizeBoardState } from '../../model/view-state';
import { el, swatch } from '../../ui/dom';
import { boardPanel, MetricBoard } from '../../ui/metric-board';
import { startPanel } from '../../ui/panel';
import { errorText } from '../../ui/vscode';

/** Tables are rebuilt at most this often while runs stream. */
const TABLE_INTERVAL_MS = 500;

startPanel('compare', ({ host, app, theme, saved }) => {
  const state = sanitizeBoardState(saved.board);
  const persist = () => host.setState({ board: state });
  let tablesDue = true;
  let lastTables = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const board = new MetricBoard(
    state,
    theme,
    { persist, report: (err) => host.error(errorText(err)), openRun: (runId) => host.post({ type: 'openRun', runId }) },
    {
      openRunFromLegend: true,
      onFrame: (changed) => {
        if (changed.size > 0) tablesDue = true;
        scheduleTables();
      },
    },
  );
  const diffSection = el('section', { class: 'config-diff' });
  const summarySection = el('section', { class: 'metric-summaries' });
  app.append(board.element, diffSection, summarySection);

  // Runs the host described (a run known only from its metrics has no config to compare).
  const runs = (): RunInfo[] => board.runOrder().flatMap((id) => board.runInfo(id) ?? []);

  function runCell(id: string): HTMLTableCellElement {
    const b = el('button', { class: 'link', text: board.labelOf(id), title: `Open run ${id}` });
    b.addEventListener('click', () => host.post({ type: 'openRun', runId: id }));
    return el('th', { attrs: { scope: 'row' } }, [swatch(board.colorOf(id)), b]);
  }

  function renderDiff(): void {
    const list = runs();
    const rows = runsDiff(list);
    const title = el('h2', { text: 'Configuration: what differs' });
    if (list.length < 2) {
      diffSection.replaceChildren(title, el('p', { class: 'muted', text: 'Select two or more runs to compare their configurations.' }));
      return;
    }
    if (rows.length === 0) {
      diffSection.replaceChildren(title, el('p', { class: 'muted', text: `The ${list.length} runs have identical configurations.` }));
      return;
    }
    const head = el('tr', {}, [el('th', { text: 'run' }), ...rows.map((r) => el('th', { text: r.key, attrs: { scope: 'col' } }))]);
    const body = list.map((run, i) =>
      el('tr', {}, [
        runCell(run.id),
        ...rows.map((r) => {
          const v = r.values[i];
          return el('td', { class: v === undefined ? 'missing' : typeof v === 'number' ? 'num' : '', text: v === undefined ? '\u2014' : typeof v === 'number' ? formatNumber(v) : String(v), title: v === undefined ? 'not set' : String(v) });
        }),
      ]),
    );
    diffSection.replaceChildren(
      title,
      el('p', { class: 'muted', text: `${rows.length} of the keys differ between the ${list.length} runs; equal ones are hidden.` }),
      el('div', { class: 'table-scroll' }, [el('table', { class: 'data-table' }, [el('thead', {}, [head]), el('tbody', {}, body)])]),
    );
  }

  function renderSummaries(): void {
    const ids = board.runOrder().filter((id) => board.store.get(id) !== undefined);
    const metrics = board.store.metricKeys();
    const title = el('h2', { text: 'Per metric: best (minimum), step of the minimum, last' });
    if (metrics.length === 0) {
      summarySection.replaceChildren(title, el('p', { class: 'muted', text: 'No metrics yet.' }));
      return;
    }
    const tables = metrics.map((metric) => {
      const sums = new Map<string, MetricSummary | undefined>(ids.map((id) => [id, summarizeRun(board.store.get(id)!, metric)]));
      const best = new Set(bestRuns(sums));
      const head = el('tr', {}, ['run', 'min', 'at step', 'last', 'last step', 'points'].map((h) => el('th', { text: h, attrs: { scope: 'col' } })));
      const body = ids
        .filter((id) => sums.get(id) !== undefined)
        .map((id) => {
          const s = sums.get(id)!;
          const minCell = el('td', { class: best.has(id) ? 'num best' : 'num', text: formatNumber(s.count > 0 ? s.min : null), title: best.has(id) ? 'lowest minimum of these runs' : '' });
          const lastText = formatNumber(s.count > 0 ? s.last : null) + (s.nonFinite > 0 ? ` (${s.nonFinite} non-finite)` : '');
          return el('tr', {}, [
            runCell(id),
            minCell,
            el('td', { class: 'num', text: formatInteger(s.count > 0 ? s.minStep : null) }),
            el('td', { class: 'num', text: lastText }),
            el('td', { class: 'num', text: formatInteger(s.count > 0 ? s.lastStep : null) }),
            el('td', { class: 'num', text: formatInteger(s.count) }),
          ]);
        });
      return el('div', { class: 'metric-summary' }, [
        el('h3', { text: metric }),
        el('div', { class: 'table-scroll' }, [el('table', { class: 'data-table' }, [el('thead', {}, [head]), el('tbody', {}, body)])]),
      ]);
    });
    summarySection.replaceChildren(title, ...tables);
  }

  function scheduleTables(): void {
    if (!tablesDue || timer !== undefined) return;
    const wait = Math.max(0, lastTables + TABLE_INTERVAL_MS - performance.now());
    timer = setTimeout(() => {
      timer = undefined;
      tablesDue = false;
      lastTables = performance.now();
      try {
        renderDiff();
        renderSummaries();
      } catch (err) {
        host.error(`compare tables: ${errorText(err)}`);
      }
    }, wait);
  }

  const base = boardPanel(board);
  return {
    ...base,
    handle(msg) {
      board.receive(msg);
      if (msg.type === 'runs') tablesDue = true;
    },
    setTheme: (t) => {
      board.setTheme(t);
      tablesDue = true;
    },
  };
});
