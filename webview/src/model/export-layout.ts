// Where each chart canvas goes in the exported PNG: the on-screen arrangement of the panel's charts
// (their bounding boxes), scaled to device pixels, with a padding and a legend strip below. Pure.

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface CompositeLayout {
  width: number;
  height: number;
  /** Destination box of each input box, in output pixels (same order). */
  charts: Box[];
  /** Top-left of each legend entry, in output pixels. */
  legend: { x: number; y: number }[];
  legendRowHeight: number;
  legendColumnWidth: number;
}

export function compositeLayout(boxes: readonly Box[], scale: number, legendCount: number, pad = 12, legendColumnWidth = 220, legendRowHeight = 18): CompositeLayout | null {
  const shown = boxes.filter((b) => b.width > 0 && b.height > 0);
  if (shown.length === 0) return null;
  const left = Math.min(...shown.map((b) => b.left));
  const top = Math.min(...shown.map((b) => b.top));
  const right = Math.max(...shown.map((b) => b.left + b.width));
  const bottom = Math.max(...shown.map((b) => b.top + b.height));
  const s = scale > 0 ? scale : 1;
  const p = Math.round(pad * s);
  const chartsWidth = Math.ceil((right - left) * s);
  const width = chartsWidth + 2 * p;
  const colW = Math.round(legendColumnWidth * s);
  const rowH = Math.round(legendRowHeight * s);
  const perRow = Math.max(1, Math.floor(chartsWidth / colW));
  const rows = Math.ceil(legendCount / perRow);
  const chartsBottom = p + Math.ceil((bottom - top) * s);
  const height = chartsBottom + (rows > 0 ? p + rows * rowH : 0) + p;
  const charts = boxes.map((b) => ({
    left: p + Math.round((b.left - left) * s),
    top: p + Math.round((b.top - top) * s),
    width: Math.round(b.width * s),
    height: Math.round(b.height * s),
  }));
  const legend = Array.from({ length: legendCount }, (_, i) => ({
    x: p + (i % perRow) * colW,
    y: chartsBottom + p + Math.floor(i / perRow) * rowH,
  }));
  return { width, height, charts, legend, legendRowHeight: rowH, legendColumnWidth: colW };
}
