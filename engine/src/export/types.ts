// An export format of a run's data: what the CLI's `optlab export --format <id>` and the editor's
// "Export Run Data" offer. A new format is one file here plus one line in index.ts.
import type { MetricRow, RunRecord } from '../store/types';

export interface Exporter {
  /** What `--format` takes; also the file extension. */
  id: string;
  /** Shown in the editor's format picker. */
  label: string;
  description: string;
  /** The save dialog's filter name. */
  filterName: string;
  render(record: RunRecord, rows: MetricRow[]): string;
}
