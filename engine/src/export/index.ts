// The export formats, one line each; the CLI and the editor both list them from here.
import { csvExporter } from './csv';
import { jsonExporter } from './json';
import type { Exporter } from './types';

export type { Exporter } from './types';
export { exportCsv } from './csv';
export { exportJson } from './json';

export const EXPORTERS: readonly Exporter[] = [csvExporter, jsonExporter];

/** The exporter for `--format id`; throws naming the known formats. */
export function exporterFor(id: string): Exporter {
  const e = EXPORTERS.find((x) => x.id === id);
  if (!e) throw new Error(`unknown export format '${id}': expected ${EXPORTERS.map((x) => x.id).join(' or ')}`);
  return e;
}
