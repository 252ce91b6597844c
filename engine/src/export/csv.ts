// CSV for spreadsheets: one row per logged row, the union of keys as header (step first).
import { exportCsv } from '../store/export';
import type { Exporter } from './types';

export { exportCsv };

export const csvExporter: Exporter = {
  id: 'csv',
  label: 'CSV',
  description: 'metrics, one row per logged step',
  filterName: 'CSV',
  render: (_record, rows) => exportCsv(rows),
};
