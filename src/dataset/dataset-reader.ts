// Streams rows (and records, through layouts) back from a dataset directory written by weft or by
// `datasets.save_to_disk`, so the output of one command is the input of the next.
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type RecordBatch, RecordBatchReader, type Schema } from 'apache-arrow';
import { WeftError } from '../errors.js';
import { decodeData } from './arrow-decode.js';
import { type DatasetState, INFO_FILE, readJsonFile, STATE_FILE, STATS_FILE } from './dataset-files.js';
import { type Features, fromHfFeature } from './features.js';
import { type DatasetLayout, layoutForDataset } from './layouts/index.js';
import type { Row } from './shard-writer.js';

export interface DatasetHandle {
  dir: string;
  /** Shard files, absolute paths, in order. */
  dataFiles: string[];
  /** Columns, from `dataset_info.json` (authoritative for `datasets`), else from the first shard's schema. */
  features: Features;
  /** Row count, when the dataset says (weft always does). */
  rows: number | undefined;
  /** The weft layout name, when weft wrote it. */
  layoutName: string | undefined;
  /** Split directories for a DatasetDict, else ['']. */
  splits: string[];
}

async function featuresFromInfo(dir: string): Promise<{ features?: Features; rows?: number }> {
  const path = join(dir, INFO_FILE);
  if (!existsSync(path)) return {};
  const info = await readJsonFile<Record<string, unknown>>(path).catch(() => ({}) as Record<string, unknown>);
  const out: { features?: Features; rows?: number } = {};
  if (info.features && typeof info.features === 'object') {
    const features: Record<string, NonNullable<ReturnType<typeof fromHfFeature>>> = {};
    let complete = true;
    for (const [name, json] of Object.entries(info.features as Record<string, unknown>)) {
      const feature = fromHfFeature(json);
      if (feature) features[name] = feature;
      else complete = false;
    }
    if (complete) out.features = features;
  }
  const splits = info.splits as Record<string, { num_examples?: unknown }> | undefined;
  const n = splits?.train?.num_examples;
  if (typeof n === 'number') out.rows = n;
  return out;
}

async function openSplit(dir: string): Promise<{ files: string[]; rows?: number; features?: Features }> {
  if (!existsSync(join(dir, STATE_FILE))) {
    throw new WeftError(
      'E_INPUT',
      `${dir} is not a complete dataset: it has no ${STATE_FILE} (an unfinished run leaves none; re-run it to finish)`,
      { data: { path: dir } },
    );
  }
  const state = await readJsonFile<DatasetState>(join(dir, STATE_FILE));
  const files = (state._data_files ?? []).map((d) => join(dir, d.filename));
  const info = await featuresFromInfo(dir);
  return { files, ...info };
}

/** Opens a dataset directory (or a DatasetDict directory, reading every split in order). */
export async function openDataset(dir: string): Promise<DatasetHandle> {
  if (!existsSync(dir))
    throw new WeftError('E_INPUT', `dataset directory ${dir} does not exist`, { data: { path: dir } });
  let splits = [''];
  const dictPath = join(dir, 'dataset_dict.json');
  if (existsSync(dictPath)) {
    const dict = await readJsonFile<{ splits?: string[] }>(dictPath);
    splits = dict.splits ?? [];
  }
  const dataFiles: string[] = [];
  let rows: number | undefined = 0;
  let features: Features | undefined;
  for (const split of splits) {
    const opened = await openSplit(join(dir, split));
    dataFiles.push(...opened.files);
    rows = rows !== undefined && opened.rows !== undefined ? rows + opened.rows : undefined;
    features ??= opened.features;
  }
  let layoutName: string | undefined;
  const first = dataFiles[0];
  if (first) {
    const schema = await readSchema(first);
    features ??= featuresFromSchema(schema);
    layoutName = readWeftMetadata(schema)?.layout;
  }
  if (!features)
    throw new WeftError('E_INPUT', `${dir}: cannot determine the dataset's features`, {
      data: { path: dir },
    });
  const statsPath = join(dir, STATS_FILE);
  if (!layoutName && existsSync(statsPath)) {
    const stats = await readJsonFile<{ layout?: string }>(statsPath).catch(() => ({}) as { layout?: string });
    layoutName = stats.layout;
  }
  return { dir, dataFiles, features, rows, layoutName, splits };
}

export function readWeftMetadata(schema: Schema): { layout?: string; version?: string } | undefined {
  const raw = schema.metadata.get('weft');
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as { layout?: string; version?: string };
  } catch {
    return undefined;
  }
}

function featuresFromSchema(schema: Schema): Features | undefined {
  const raw = schema.metadata.get('huggingface');
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as { info?: { features?: Record<string, unknown> } };
    const features: Record<string, NonNullable<ReturnType<typeof fromHfFeature>>> = {};
    for (const [name, json] of Object.entries(parsed.info?.features ?? {})) {
      const feature = fromHfFeature(json);
      if (!feature) return undefined;
      features[name] = feature;
    }
    return features;
  } catch {
    return undefined;
  }
}

export async function readSchema(file: string): Promise<Schema> {
  try {
    const reader = await RecordBatchReader.from(createReadStream(file));
    await reader.open();
    const schema = reader.schema;
    await reader.cancel();
    return schema;
  } catch (error) {
    throw new WeftError('E_INPUT', `${file}: not a readable Arrow file (${(error as Error).message})`, {
      data: { path: file },
      cause: error,
    });
  }
}

/**
 * Streams the rows of one Arrow file (stream or file format) as plain objects. `onBatch` sees each
 * record batch before its rows (for byte accounting).
 */
export async function* readArrowFileRows(
  file: string,
  onBatch?: (batch: RecordBatch) => void,
): AsyncGenerator<Row> {
  let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
  try {
    reader = await RecordBatchReader.from(createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }));
  } catch (error) {
    throw new WeftError('E_INPUT', `${file}: not a readable Arrow file`, {
      data: { path: file },
      cause: error,
    });
  }
  for await (const batch of reader) {
    // An empty stream yields a placeholder batch with no columns.
    if (batch.numRows === 0) continue;
    onBatch?.(batch);
    const columns = batch.schema.fields.map(
      (field, i) => [field.name, decodeData(batch.data.children[i]!)] as const,
    );
    for (let r = 0; r < batch.numRows; r++) {
      const row: Row = {};
      for (const [name, values] of columns) row[name] = values[r];
      yield row;
    }
  }
}

export async function* readDatasetRows(dataset: DatasetHandle | string): AsyncGenerator<Row> {
  const handle = typeof dataset === 'string' ? await openDataset(dataset) : dataset;
  for (const file of handle.dataFiles) yield* readArrowFileRows(file);
}

/** The layout that turns this dataset's rows into records; E_INPUT when the columns fit no record kind. */
export function layoutOf(handle: DatasetHandle): DatasetLayout<unknown> {
  const layout = layoutForDataset(handle.features, handle.layoutName);
  if (!layout) {
    throw new WeftError(
      'E_INPUT',
      `${handle.dir}: columns ${Object.keys(handle.features).join(', ')} match no weft record kind (web documents, image-text pairs, PDF pages, SFT samples)`,
      { data: { path: handle.dir } },
    );
  }
  return layout;
}

export async function datasetBytes(handle: DatasetHandle): Promise<number> {
  let total = 0;
  for (const file of handle.dataFiles) total += (await stat(file)).size;
  return total;
}
