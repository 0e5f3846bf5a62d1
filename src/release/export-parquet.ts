// `weft export --format parquet`: the dataset as Parquet shards in the Hub's layout
// (`data/{split}-00000-of-0000N.parquet`), features in the schema metadata so Image columns come back
// as images, ~100 rows per row group for image tables, then the card and manifest.json.
import { join } from 'node:path';
import { weftSchemaMetadata } from '../dataset/dataset-sink.js';
import { holdsMedia } from '../dataset/features.js';
import { writeParquetFile } from '../dataset/parquet-writer.js';
import { WEFT_VERSION } from '../version.js';
import type { CardOptions } from './card.js';
import { type ExportResult, finishExport, splitRowCount } from './export-common.js';
import { prepareExportDir, shardName, shardRowCounts, take } from './export-target.js';
import { openScan, splitRows } from './scan-dataset.js';

export interface ParquetExportOptions {
  maxShardBytes: number;
  /** Rows per row group; default 100 when rows hold images, else ~100 MB worth of rows. */
  rowsPerRowGroup?: number | undefined;
  card?: CardOptions;
  /** Replace an earlier weft export in `out` (anything else there is refused). */
  overwrite?: boolean | undefined;
}

export async function exportParquet(
  dir: string,
  out: string,
  options: ParquetExportOptions,
): Promise<ExportResult> {
  const scan = await openScan(dir);
  await prepareExportDir(dir, out, options.overwrite === true);
  const files: { path: string; bytes: number; rows: number; split: string; rowGroups: number }[] = [];
  const media = holdsMedia(scan.features);
  for (const split of scan.splits) {
    const rows = await splitRowCount(scan, split);
    const counts = shardRowCounts(rows, split.fileBytes, options.maxShardBytes);
    const perRow = rows > 0 ? split.fileBytes / rows : 1;
    const rowsPerRowGroup =
      options.rowsPerRowGroup ??
      (media ? 100 : Math.min(1_000_000, Math.max(1000, Math.floor(100e6 / perRow))));
    const iterator = splitRows(scan, split)[Symbol.asyncIterator]();
    async function* rowsOf(count: number | undefined) {
      for await (const { row } of take(iterator, count)) yield row;
    }
    for (let i = 0; i < counts.length; i++) {
      const path = `data/${shardName(`${split.name}-`, i, counts.length, 'parquet')}`;
      const last = i === counts.length - 1;
      // The last shard takes whatever is left, so a row count that was off never loses rows.
      const written = await writeParquetFile(
        join(out, path),
        scan.features,
        rowsOf(last ? undefined : counts[i]),
        {
          rowsPerRowGroup,
          metadata: weftSchemaMetadata(scan.layout.name),
          createdBy: `weft ${WEFT_VERSION} (parquet-wasm)`,
        },
      );
      files.push({
        path,
        bytes: written.bytes,
        rows: written.rows,
        split: split.name,
        rowGroups: written.rowGroups,
      });
    }
  }
  return finishExport(scan, out, {
    format: 'parquet',
    files,
    dataFiles: scan.summaries.map((s) => ({ split: s.name, path: `data/${s.name}-*` })),
    withFeatures: true,
    loadSnippet: [
      'from datasets import load_dataset',
      `ds = load_dataset("${scan.name}")        # this folder, or "<user>/<repo>" once uploaded to the Hub`,
      'ds["train"][0]                       # images decode to PIL images',
    ].join('\n'),
    card: options.card ?? {},
  });
}
