// exportPng: every chart canvas of the panel composed into one PNG on the editor background, laid
// out as on screen, with the run legend underneath.
import { compositeLayout } from '../model/export-layout';

export interface LegendEntry {
  label: string;
  color: string;
}

export function composePng(canvases: readonly HTMLCanvasElement[], background: string, foreground: string, fontFamily: string, legend: readonly LegendEntry[] = []): string | null {
  const shown = canvases.filter((c) => c.isConnected && c.width > 0 && c.height > 0);
  if (shown.length === 0) return null;
  const rects = shown.map((c) => c.getBoundingClientRect());
  const scale = Math.max(1, ...shown.map((c, i) => (rects[i].width > 0 ? c.width / rects[i].width : 1)));
  const layout = compositeLayout(rects, scale, legend.length);
  if (layout === null) return null;
  const out = document.createElement('canvas');
  out.width = layout.width;
  out.height = layout.height;
  const ctx = out.getContext('2d');
  if (ctx === null) return null;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  shown.forEach((c, i) => {
    const d = layout.charts[i];
    if (d.width > 0 && d.height > 0) ctx.drawImage(c, d.left, d.top, d.width, d.height);
  });
  const rowH = layout.legendRowHeight;
  ctx.font = `${Math.round(rowH * 0.65)}px ${fontFamily}`;
  ctx.textBaseline = 'middle';
  legend.forEach((entry, i) => {
    const { x, y } = layout.legend[i];
    ctx.fillStyle = entry.color;
    ctx.fillRect(x, y + rowH * 0.3, rowH * 0.8, rowH * 0.4);
    ctx.fillStyle = foreground;
    ctx.fillText(entry.label, x + rowH, y + rowH / 2, Math.max(10, layout.legendColumnWidth - rowH * 1.5));
  });
  return out.toDataURL('image/png');
}
