// Markdown helpers for cards: number formatting and tables.
import type { DistributionSummary } from './distribution.js';

/** Integers with thousands separators; other values with two decimals (or none past 100). */
export function fmt(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(2);
}

export function bytesText(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '0.0%';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const NUMERIC = /^[-−]?[\d,.]+%?$|^—$/;

/** A Markdown table; columns whose cells are all numbers are right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const numeric = header.map(
    (_, i) => i > 0 && rows.length > 0 && rows.every((r) => NUMERIC.test(r[i] ?? '')),
  );
  const lines = [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

export const DISTRIBUTION_HEADER = [
  'measure',
  'count',
  'min',
  'p5',
  'p25',
  'median',
  'p75',
  'p95',
  'max',
  'mean',
];

export function distributionRow(label: string, s: DistributionSummary): string[] {
  return [
    label,
    fmt(s.count),
    fmt(s.min),
    fmt(s.p5),
    fmt(s.p25),
    fmt(s.p50),
    fmt(s.p75),
    fmt(s.p95),
    fmt(s.max),
    fmt(s.mean),
  ];
}
