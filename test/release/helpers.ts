// Test-side readers for cards and exports, independent of the code under test: Markdown table rows,
// YAML front matter, quantiles, Parquet files read back through parquet-wasm into the Arrow reader.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readArrowFileRows } from '../../src/dataset/dataset-reader.js';
import type { Row } from '../../src/dataset/shard-writer.js';

export async function readCard(dir: string): Promise<{ yaml: Record<string, unknown>; body: string }> {
  const text = await readFile(join(dir, 'README.md'), 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error('README.md has no YAML front matter');
  return { yaml: parse(match[1]!) as Record<string, unknown>, body: match[2]! };
}

/** Cells of the Markdown table row whose first cell is `first`. */
export function tableRow(body: string, first: string): string[] | undefined {
  for (const line of body.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .slice(1, -1)
      .split(' | ')
      .map((c) => c.trim());
    if (cells[0] === first) return cells;
  }
  return undefined;
}

export const num = (cell: string | undefined): number => Number((cell ?? 'NaN').replace(/,/g, ''));

/** Linear-interpolated quantile (numpy's default). */
export function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** The card's formatting of a number (two decimals below 100, integers with separators). */
export function cardNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(2);
}

export async function readParquetRows(
  path: string,
  scratch: string,
): Promise<{ rows: Row[]; rowGroups: number[]; keyValue: Map<string, string> }> {
  const pq = await import('parquet-wasm');
  const bytes = new Uint8Array(await readFile(path));
  const file = await pq.ParquetFile.fromFile(new Blob([bytes]));
  const meta = file.metadata();
  const rowGroups = Array.from({ length: meta.numRowGroups() }, (_, i) => meta.rowGroup(i).numRows());
  const keyValue = meta.fileMetadata().keyValueMetadata() as Map<string, string>;
  const ipc = pq.readParquet(bytes).intoIPCStream();
  const ipcPath = join(scratch, `read-${Math.random().toString(36).slice(2)}.arrow`);
  await writeFile(ipcPath, ipc);
  const rows: Row[] = [];
  for await (const row of readArrowFileRows(ipcPath)) rows.push(row);
  return { rows, rowGroups, keyValue };
}
