// Chart.js, tree-shaken: only the controllers, elements, scales and plugins the panels use.
import { Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Title, Tooltip } from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import { FastLineController } from './fast-line';
import type { Theme } from './theme';

Chart.register(LineController, FastLineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Title, Tooltip, Legend, zoomPlugin);

export function applyChartDefaults(theme: Theme): void {
  Chart.defaults.font.family = theme.fontFamily;
  Chart.defaults.font.size = Math.max(10, Math.round(theme.fontSize * 0.9));
  Chart.defaults.color = theme.foreground;
  Chart.defaults.borderColor = theme.grid;
}

export { Chart };
