// `weft verify DIR`: reads a dataset back in full and checks that its files agree with each other:
// every shard state.json lists is there and is a readable Arrow stream with the columns
// dataset_info.json declares, the rows add up to what dataset_info.json and stats.json say, no stray
// shard lies beside them, and (after `weft card` or `weft export`) every file manifest.json lists has
// its recorded size and sha256. A `weft export` folder (Parquet or tars, no state.json) is checked
// against its manifest. For datasets copied between machines or read from a shared disk.
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { RecordBatchReader } from 'apache-arrow';
import { readJsonFile, STATE_FILE, STATS_FILE } from '../dataset/dataset-files.js';
import { openDataset } from '../dataset/dataset-reader.js';
import { MANIFEST_FILE, type Manifest, sha256File } from './manifest.js';

export interface VerifyProblem {
  /** The file concerned, relative to the dataset directory. */
  file: string;
  problem: string;
}

export interface VerifyReport {
  dir: string;
  rows: number;
  shards: number;
  bytes: number;
  /** Files of manifest.json checked (0 when there is none). */
  manifestFiles: number;
  problems: VerifyProblem[];
}

/** Rows and column names of one Arrow stream, read to its end (a torn file fails here). */
async function readShard(file: string): Promise<{ rows: number; columns: string[] }> {
  const reader = await RecordBatchReader.from(createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }));
  await reader.open();
  const columns = reader.schema.fields.map((f) => f.name);
  let rows = 0;
  for await (const batch of reader) rows += batch.numRows;
  return { rows, columns };
}

/** Checks every file manifest.json lists; the manifest read (undefined when absent or unreadable). */
async function checkManifest(dir: string, problems: VerifyProblem[]): Promise<Manifest | undefined> {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  let manifest: Manifest;
  try {
    manifest = await readJsonFile<Manifest>(path);
  } catch (error) {
    problems.push({ file: MANIFEST_FILE, problem: `not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
  for (const entry of manifest.files ?? []) {
    const file = join(dir, entry.path);
    if (!existsSync(file)) {
      problems.push({ file: entry.path, problem: 'listed in manifest.json but missing' });
      continue;
    }
    const size = (await stat(file)).size;
    if (size !== entry.bytes) {
      problems.push({ file: entry.path, problem: `${size} bytes, manifest.json says ${entry.bytes}` });
      continue;
    }
    const sha256 = await sha256File(file);
    if (sha256 !== entry.sha256)
      problems.push({
        file: entry.path,
        problem: `sha256 ${sha256} differs from manifest.json's ${entry.sha256}`,
      });
  }
  return manifest;
}

/** A `weft export` release (Parquet or webdataset files and manifest.json, no Arrow dataset). */
async function verifyRelease(dir: string): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const manifest = await checkManifest(dir, problems);
  const splits = Object.values(manifest?.splits ?? {});
  const rows = splits.reduce((n, s) => n + (s.rows ?? 0), 0);
  const shards = splits.reduce((n, s) => n + (s.files?.length ?? 0), 0);
  const files = manifest?.files ?? [];
  const bytes = files.reduce((n, f) => n + f.bytes, 0);
  return { dir, rows, shards, bytes, manifestFiles: files.length, problems };
}

export async function verifyDataset(dir: string): Promise<VerifyReport> {
  if (!existsSync(join(dir, STATE_FILE)) && existsSync(join(dir, MANIFEST_FILE))) return verifyRelease(dir);
  // Not a dataset at all (no state.json, unreadable JSON): openDataset throws E_INPUT naming the file.
  const handle = await openDataset(dir);
  const problems: VerifyProblem[] = [];
  const expected = Object.keys(handle.features);
  let rows = 0;
  let bytes = 0;
  for (const file of handle.dataFiles) {
    const name = relative(dir, file);
    if (!existsSync(file)) {
      problems.push({ file: name, problem: 'listed in state.json but missing' });
      continue;
    }
    bytes += (await stat(file)).size;
    try {
      const shard = await readShard(file);
      rows += shard.rows;
      // An empty shard written without columns has none to compare.
      if (shard.columns.length > 0 && shard.columns.join('\0') !== expected.join('\0'))
        problems.push({
          file: name,
          problem: `columns ${shard.columns.join(', ')} differ from dataset_info.json's ${expected.join(', ')}`,
        });
    } catch (error) {
      problems.push({ file: name, problem: `not a readable Arrow stream: ${(error as Error).message}` });
    }
  }
  if (handle.rows !== undefined && handle.rows !== rows)
    problems.push({
      file: 'dataset_info.json',
      problem: `says ${handle.rows} rows, the shards hold ${rows}`,
    });
  const statsPath = join(dir, STATS_FILE);
  if (existsSync(statsPath)) {
    const stats = await readJsonFile<{ rows?: unknown }>(statsPath).catch(() => ({}) as { rows?: unknown });
    if (typeof stats.rows === 'number' && stats.rows !== rows)
      problems.push({ file: STATS_FILE, problem: `says ${stats.rows} rows, the shards hold ${rows}` });
  }
  // A shard that state.json does not list is invisible to `datasets`: a leftover or a lost part.
  const listed = new Set(handle.dataFiles);
  for (const folder of new Set(handle.dataFiles.map((f) => dirname(f)).concat(dir))) {
    for (const entry of await readdir(folder)) {
      const file = join(folder, entry);
      if (/^data-\d+-of-\d+\.arrow$/.test(basename(entry)) && !listed.has(file))
        problems.push({ file: relative(dir, file), problem: 'a shard file that state.json does not list' });
    }
  }
  const manifest = await checkManifest(dir, problems);
  const manifestFiles = manifest?.files?.length ?? 0;
  return { dir, rows, shards: handle.dataFiles.length, bytes, manifestFiles, problems };
}
