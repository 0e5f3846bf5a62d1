// Test inputs for the SFT tests: distinct pictures made from seeded low-frequency noise (their pHashes
// are far apart, unlike flat synthetic shapes), config files, and runs of the sft job.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { stringify } from 'yaml';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { seededRandom } from '../../src/demo/synthetic-images.js';
import { runJob } from '../../src/run/run-job.js';
import type { SftOptionsInput } from '../../src/sft/config.js';

/** A smooth random picture: an 8×8 grid of random colours scaled up, so every seed looks different. */
export async function noisePicture(
  seed: number,
  options: { widthPx?: number; heightPx?: number; format?: 'jpeg' | 'png'; compressionLevel?: number } = {},
): Promise<Buffer> {
  const random = seededRandom(seed * 7919 + 17);
  const grid = Buffer.alloc(8 * 8 * 3);
  for (let i = 0; i < grid.length; i++) grid[i] = Math.floor(random() * 256);
  const image = sharp(grid, { raw: { width: 8, height: 8, channels: 3 } }).resize(
    options.widthPx ?? 160,
    options.heightPx ?? 120,
    { kernel: 'cubic' },
  );
  if ((options.format ?? 'jpeg') === 'png')
    return image.png({ compressionLevel: options.compressionLevel ?? 6 }).toBuffer();
  return image.jpeg({ quality: 90 }).toBuffer();
}

export async function writeFileIn(dir: string, name: string, data: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
  return path;
}

export async function writeJsonl(dir: string, name: string, rows: unknown[]): Promise<string> {
  return writeFileIn(dir, name, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

export async function writeConfig(dir: string, config: SftOptionsInput, name = 'sft.yaml'): Promise<string> {
  return writeFileIn(dir, name, stringify(config));
}

export interface SftRow {
  images: { bytes: Uint8Array; path: string | null }[];
  texts: { user: string; assistant: string; source: string }[];
  text?: string | null;
}

/** Runs the sft job in this process (workers: 1) or in worker processes, and reads the rows back. */
export async function buildSft(
  config: SftOptionsInput,
  outDir: string,
  workers = 1,
): Promise<{ rows: SftRow[]; summary: Awaited<ReturnType<typeof runJob>> }> {
  const summary = await runJob('sft', config, { outDir, workers, durable: false });
  const rows: SftRow[] = [];
  for await (const row of readDatasetRows(outDir)) rows.push(row as unknown as SftRow);
  return { rows, summary };
}

/** Sums a counter over every stage of the main pipeline and of the phases. */
export function counter(summary: Awaited<ReturnType<typeof runJob>>, key: string): number {
  const stages = [...(summary.stats?.stages ?? []), ...Object.values(summary.stats?.phases ?? {}).flat()];
  return stages.reduce((n, s) => n + (s.counters[key] ?? 0), 0);
}

/** Sums a drop reason over every stage of the main pipeline and of the phases. */
export function dropped(summary: Awaited<ReturnType<typeof runJob>>, reason: string): number {
  const stages = [...(summary.stats?.stages ?? []), ...Object.values(summary.stats?.phases ?? {}).flat()];
  return stages.reduce((n, s) => n + (s.dropped[reason] ?? 0), 0);
}
