// Streams a dataset's rows split by split, and measures each split's in-memory Arrow size (what
// `datasets` reports as `num_bytes`) from the record batches as they pass, so a card or an export
// needs one read of the data.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordBatchReader } from 'apache-arrow';
import { type DatasetHandle, openDataset, readArrowFileRows } from './dataset-reader.js';
import type { Row } from './shard-writer.js';

export interface SplitHandle {
  /** `train` for a plain dataset, else the DatasetDict split name. */
  name: string;
  handle: DatasetHandle;
  /** Bytes of the split's Arrow files on disk. */
  fileBytes: number;
}

/** The splits of a dataset directory (a plain dataset is one `train` split). */
export async function openSplits(dir: string): Promise<SplitHandle[]> {
  const top = await openDataset(dir);
  const names = top.splits.length === 1 && top.splits[0] === '' ? [''] : top.splits;
  const splits: SplitHandle[] = [];
  for (const name of names) {
    const handle = name === '' ? top : await openDataset(join(dir, name));
    let fileBytes = 0;
    for (const file of handle.dataFiles) fileBytes += (await stat(file)).size;
    splits.push({ name: name === '' ? 'train' : name, handle, fileBytes });
  }
  return splits;
}

/** Counters a scan fills in while rows are read. */
export interface ScanTally {
  rows: number;
  /** Sum of the record batches' Arrow buffer sizes. */
  arrowBytes: number;
}

/** Rows of the given Arrow files in order; `tally` is updated batch by batch. */
export async function* scanRows(files: readonly string[], tally: ScanTally): AsyncGenerator<Row> {
  for (const file of files) {
    for await (const row of readArrowFileRows(file, (batch) => {
      tally.arrowBytes += batch.data.byteLength;
    })) {
      tally.rows += 1;
      yield row;
    }
  }
}

/** Rows in Arrow files, from the record batches' lengths (reads the files, decodes nothing). */
export async function countRows(files: readonly string[]): Promise<number> {
  let rows = 0;
  for (const file of files) {
    const reader = await RecordBatchReader.from(createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }));
    for await (const batch of reader) rows += batch.numRows;
  }
  return rows;
}
