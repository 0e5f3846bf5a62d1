// One read of a dataset for a card or an export: its splits, its layout, its stats.json, and its rows
// (each also fed to the profiler as a record).
import { basename } from 'node:path';
import { readStatsFile, type StatsFile } from '../dataset/commit.js';
import { layoutOf } from '../dataset/dataset-reader.js';
import type { Features } from '../dataset/features.js';
import type { DatasetLayout } from '../dataset/layouts/layout.js';
import { openSplits, type ScanTally, type SplitHandle, scanRows } from '../dataset/scan-rows.js';
import type { Row } from '../dataset/shard-writer.js';
import type { AnyRecord } from '../records/index.js';
import { DatasetProfiler } from './profile.js';

export interface SplitSummary {
  name: string;
  rows: number;
  /** In-memory Arrow bytes (`num_bytes` on the Hub). */
  arrowBytes: number;
  /** Bytes of the split's Arrow files. */
  fileBytes: number;
  dataFiles: string[];
}

export interface DatasetScan {
  dir: string;
  name: string;
  layout: DatasetLayout<unknown>;
  features: Features;
  stats: StatsFile | undefined;
  splits: SplitHandle[];
  profile: DatasetProfiler;
  /** Filled in as each split's rows are read. */
  summaries: SplitSummary[];
}

export async function openScan(dir: string): Promise<DatasetScan> {
  const splits = await openSplits(dir);
  const first = splits[0]!.handle;
  const layout = layoutOf(first);
  return {
    dir,
    name: basename(dir),
    layout,
    features: first.features,
    stats: await readStatsFile(dir),
    splits,
    profile: new DatasetProfiler(layout.name),
    summaries: [],
  };
}

export interface ScannedRow {
  row: Row;
  /** undefined when the layout cannot read the row (counted by the profiler). */
  record: AnyRecord | undefined;
}

/** The rows of one split, in order, with their records; each record is also profiled. */
export async function* splitRows(scan: DatasetScan, split: SplitHandle): AsyncGenerator<ScannedRow> {
  const tally: ScanTally = { rows: 0, arrowBytes: 0 };
  for await (const row of scanRows(split.handle.dataFiles, tally)) {
    const record = (await scan.layout.fromRow(row)) as AnyRecord | undefined;
    if (record) scan.profile.add(record);
    else scan.profile.addUnreadable();
    yield { row, record };
  }
  scan.summaries.push({
    name: split.name,
    rows: tally.rows,
    arrowBytes: tally.arrowBytes,
    fileBytes: split.fileBytes,
    dataFiles: split.handle.dataFiles,
  });
}

/** Reads every split once (for a card of the dataset as it is). */
export async function scanAll(scan: DatasetScan): Promise<void> {
  for (const split of scan.splits) for await (const _ of splitRows(scan, split));
}
