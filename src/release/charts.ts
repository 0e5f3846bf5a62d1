// Small SVG charts for dataset cards (histograms, horizontal bars, log-log scatter), rasterised to PNG
// with sharp. Every chart is 800×400 SVG units; PNGs are rendered at 2× (1600×800 pixels).
import sharp from 'sharp';
import type { HistogramBin } from './distribution.js';

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;
export const PNG_SCALE = 2;
const FONT = 'font-family="DejaVu Sans, Verdana, Arial, sans-serif"';
const BAR = '#4c78a8';
const M = { left: 78, right: 24, top: 48, bottom: 58 };
const PLOT_W = CHART_WIDTH - M.left - M.right;
const PLOT_H = CHART_HEIGHT - M.top - M.bottom;

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Short number labels: 1234 → 1.2k, 0.00012 → 1.2e-4. */
export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return `${Math.round(v)}`;
  if (a >= 0.01) return `${+v.toFixed(2)}`;
  return v.toExponential(1);
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  return ticks;
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const decades = Math.log10(hi) - Math.log10(lo);
  const mults = decades < 1.5 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of mults) {
      const t = m * 10 ** e;
      if (t >= lo * 0.999 && t <= hi * 1.001) ticks.push(t);
    }
  // Less than a decade: plain evenly spaced values read better than the two ends.
  return ticks.length >= 3 ? ticks : niceTicks(lo, hi).filter((t) => t > 0);
}

function frame(title: string, body: string, xLabel = '', yLabel = ''): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${CHART_WIDTH / 2}" y="28" text-anchor="middle" font-size="18" font-weight="bold" ${FONT} fill="#222">${esc(title)}</text>
${body}
<text x="${M.left + PLOT_W / 2}" y="${CHART_HEIGHT - 12}" text-anchor="middle" font-size="13" ${FONT} fill="#333">${esc(xLabel)}</text>
<text transform="translate(16 ${M.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle" font-size="13" ${FONT} fill="#333">${esc(yLabel)}</text>
</svg>`;
}

interface Axis {
  at(v: number): number;
  ticks: number[];
}

function linearAxis(lo: number, hi: number, from: number, to: number): Axis {
  const span = hi > lo ? hi - lo : 1;
  return { at: (v) => from + ((v - lo) / span) * (to - from), ticks: niceTicks(lo, hi) };
}

function logAxis(lo: number, hi: number, from: number, to: number): Axis {
  const l = Math.log10(lo);
  const span = Math.log10(hi) - l || 1;
  return { at: (v) => from + ((Math.log10(v) - l) / span) * (to - from), ticks: logTicks(lo, hi) };
}

function axes(x: Axis, y: Axis): string {
  const parts: string[] = [];
  const bottom = M.top + PLOT_H;
  for (const t of y.ticks) {
    const py = y.at(t);
    parts.push(
      `<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${py}" y2="${py}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 8}" y="${py + 4}" text-anchor="end" font-size="12" ${FONT} fill="#444">${formatNumber(t)}</text>`,
    );
  }
  for (const t of x.ticks) {
    const px = x.at(t);
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${bottom}" y2="${bottom + 5}" stroke="#666"/>`,
      `<text x="${px}" y="${bottom + 20}" text-anchor="middle" font-size="12" ${FONT} fill="#444">${formatNumber(t)}</text>`,
    );
  }
  parts.push(
    `<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${bottom}" y2="${bottom}" stroke="#666"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${bottom}" stroke="#666"/>`,
  );
  return parts.join('\n');
}

export function histogramSvg(spec: {
  title: string;
  xLabel: string;
  bins: HistogramBin[];
  log?: boolean;
}): string {
  const { bins } = spec;
  if (bins.length === 0) return frame(spec.title, noData(), spec.xLabel, 'records');
  const lo = bins[0]!.x0;
  const hi = bins[bins.length - 1]!.x1;
  const x = spec.log ? logAxis(lo, hi, M.left, M.left + PLOT_W) : linearAxis(lo, hi, M.left, M.left + PLOT_W);
  const maxCount = Math.max(...bins.map((b) => b.count));
  // The axis ends on a tick at or above the tallest bar, so every bar can be read against the grid.
  const ticks = niceTicks(0, maxCount).filter((t) => Number.isInteger(t));
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  const top = Math.max(1, ticks[ticks.length - 1]! < maxCount ? ticks[ticks.length - 1]! + step : maxCount);
  if (top > ticks[ticks.length - 1]!) ticks.push(top);
  const y = linearAxis(0, top, M.top + PLOT_H, M.top);
  y.ticks = ticks;
  const bars = bins.map((b) => {
    const x0 = x.at(b.x0);
    const x1 = hi > lo ? x.at(b.x1) : M.left + PLOT_W;
    const top = y.at(b.count);
    return `<rect x="${x0 + 0.5}" y="${top}" width="${Math.max(0.5, x1 - x0 - 1)}" height="${M.top + PLOT_H - top}" fill="${BAR}"/>`;
  });
  return frame(spec.title, `${axes(x, y)}\n${bars.join('\n')}`, spec.xLabel, 'count');
}

function noData(): string {
  return `<text x="${CHART_WIDTH / 2}" y="${CHART_HEIGHT / 2}" text-anchor="middle" font-size="16" ${FONT} fill="#888">no data</text>`;
}

export interface BarItem {
  label: string;
  value: number;
  /** Text after the value, e.g. "−12 image_too_small". */
  note?: string;
}

/** Horizontal bars, one per item, top to bottom (at most 16 items are drawn). */
export function barsSvg(spec: {
  title: string;
  xLabel: string;
  items: BarItem[];
  percent?: boolean;
}): string {
  const items = spec.items.slice(0, 16);
  if (items.length === 0) return frame(spec.title, noData(), spec.xLabel);
  const left = 190;
  const width = CHART_WIDTH - left - 330;
  const rowH = PLOT_H / items.length;
  const max = Math.max(...items.map((i) => i.value), 1e-12);
  const total = items.reduce((n, i) => n + i.value, 0);
  const parts = items.map((item, i) => {
    const y = M.top + i * rowH;
    const w = (item.value / max) * width;
    const value = spec.percent
      ? `${((100 * item.value) / (total || 1)).toFixed(1)}%`
      : formatNumber(item.value);
    const label = item.label.length > 26 ? `${item.label.slice(0, 25)}…` : item.label;
    const note = item.note ? `  ${item.note.length > 48 ? `${item.note.slice(0, 47)}…` : item.note}` : '';
    return [
      `<text x="${left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end" font-size="12" ${FONT} fill="#333">${esc(label)}</text>`,
      `<rect x="${left}" y="${y + rowH * 0.15}" width="${Math.max(w, 0.5)}" height="${rowH * 0.7}" fill="${BAR}"/>`,
      `<text x="${left + w + 6}" y="${y + rowH / 2 + 4}" font-size="12" ${FONT} fill="#333">${esc(value + note)}</text>`,
    ].join('\n');
  });
  return frame(spec.title, parts.join('\n'), spec.xLabel);
}

/** Log-log scatter of (x, y) points (subsampled to at most 4000 points). */
export function scatterSvg(spec: {
  title: string;
  xLabel: string;
  yLabel: string;
  points: [number, number][];
}): string {
  const pts = spec.points.filter(([a, b]) => a > 0 && b > 0);
  if (pts.length === 0) return frame(spec.title, noData(), spec.xLabel, spec.yLabel);
  const step = Math.max(1, Math.ceil(pts.length / 4000));
  const shown = pts.filter((_, i) => i % step === 0);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const pad = (lo: number, hi: number): [number, number] =>
    hi > lo ? [lo / 1.1, hi * 1.1] : [lo / 2, hi * 2];
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const x = logAxis(x0, x1, M.left, M.left + PLOT_W);
  const y = logAxis(y0, y1, M.top + PLOT_H, M.top);
  const dots = shown.map(
    ([a, b]) =>
      `<circle cx="${x.at(a).toFixed(1)}" cy="${y.at(b).toFixed(1)}" r="2.5" fill="${BAR}" fill-opacity="0.45"/>`,
  );
  return frame(spec.title, `${axes(x, y)}\n${dots.join('\n')}`, spec.xLabel, spec.yLabel);
}

/** Rasterises an SVG to PNG at PNG_SCALE× its size. Text needs a font that fontconfig can find. */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * PNG_SCALE })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

let fontCheck: Promise<boolean> | undefined;

/**
 * True when librsvg finds a real font. Without one, every glyph becomes the same-width "missing glyph"
 * box, so a run of narrow letters is as wide as a run of wide ones.
 */
export function fontsAvailable(): Promise<boolean> {
  fontCheck ??= (async () => {
    const inkWidth = async (text: string) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="60"><rect width="100%" height="100%" fill="#fff"/><text x="10" y="40" font-size="24" ${FONT}>${text}</text></svg>`;
      try {
        const { info } = await sharp(Buffer.from(svg)).trim().toBuffer({ resolveWithObject: true });
        return info.width;
      } catch {
        return 0;
      }
    };
    const narrow = await inkWidth('iiiiiiii');
    const wide = await inkWidth('MMMMMMMM');
    return narrow > 0 && wide > narrow * 1.5;
  })();
  return fontCheck;
}
