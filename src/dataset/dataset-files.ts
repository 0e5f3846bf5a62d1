// The small JSON files that make a directory a Hugging Face dataset (`state.json`, `dataset_info.json`),
// written atomically (temp file, fsync, rename) because their presence is what says "complete".
import { createHash } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { type Features, toHfFeatures } from './features.js';

export const STATE_FILE = 'state.json';
export const INFO_FILE = 'dataset_info.json';
export const STATS_FILE = 'stats.json';

export function shardFileName(index: number, count: number): string {
  return `data-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.arrow`;
}

/** Writes a file so that readers see either the old content or the whole new content, never a part. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

/** JSON with sorted top-level keys and 2-space indent, as `datasets` writes its own files. */
export function datasetsJson(value: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

export interface DatasetState {
  _data_files: { filename: string }[];
  _fingerprint: string | null;
  _format_columns: string[] | null;
  _format_kwargs: Record<string, unknown>;
  _format_type: string | null;
  _output_all_columns: boolean;
  _split: string | null;
}

export function makeState(dataFiles: string[], fingerprintSeed: string): DatasetState {
  return {
    _data_files: dataFiles.map((filename) => ({ filename })),
    _fingerprint: createHash('sha256').update(fingerprintSeed).digest('hex').slice(0, 16),
    _format_columns: null,
    _format_kwargs: {},
    _format_type: null,
    _output_all_columns: false,
    _split: null,
  };
}

export interface InfoOptions {
  features: Features;
  rows: number;
  /** Bytes of the Arrow shards on disk. */
  bytes: number;
  description?: string;
  license?: string;
  homepage?: string;
  citation?: string;
}

export function makeDatasetInfo(options: InfoOptions): Record<string, unknown> {
  return {
    builder_name: null,
    citation: options.citation ?? '',
    config_name: null,
    dataset_name: null,
    dataset_size: options.bytes,
    description: options.description ?? '',
    download_size: null,
    features: toHfFeatures(options.features),
    homepage: options.homepage ?? '',
    license: options.license ?? '',
    size_in_bytes: null,
    splits: {
      train: { name: 'train', num_bytes: options.bytes, num_examples: options.rows, dataset_name: null },
    },
    version: null,
  };
}

export async function readJsonFile<T = unknown>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export async function readState(dir: string): Promise<DatasetState> {
  return readJsonFile<DatasetState>(join(dir, STATE_FILE));
}
