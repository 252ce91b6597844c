// JSON for scripts: the run record and its metrics, non-finite numbers as in metrics.jsonl.
import { exportJson } from '../store/export';
import type { Exporter } from './types';

export { exportJson };

export const jsonExporter: Exporter = {
  id: 'json',
  label: 'JSON',
  description: 'the run record and its metrics',
  filterName: 'JSON',
  render: exportJson,
};
