// The run store's exports are the export registry's formats (engine/src/export/).
export { exportCsv, exportJson } from '../export';
