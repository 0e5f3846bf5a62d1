// `weft export --format webdataset`: tar shards (`00000.tar`, …) in img2dataset's layout. A sample's
// files are contiguous and share a key without dots: shard * 10^digits + row index, zero-padded
// (000000001.jpg, 000000001.txt, 000000001.json). Rows with nothing to store are counted, not hidden.
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { WeftError } from '../errors.js';
import type { CardOptions } from './card.js';
import { type ExportedFile, type ExportResult, finishExport, splitRowCount } from './export-common.js';
import { prepareExportDir, shardRowCounts, take } from './export-target.js';
import { openScan, type ScannedRow, splitRows } from './scan-dataset.js';
import { sampleFiles } from './webdataset-sample.js';

export interface WebdatasetExportOptions {
  maxShardBytes: number;
  card?: CardOptions;
  /** Replace an earlier weft export in `out` (anything else there is refused). */
  overwrite?: boolean | undefined;
}

/** Fixed mtime, so the same dataset always gives byte-identical tars. */
const MTIME = new Date(0);

async function writeTar(
  path: string,
  rows: AsyncIterable<ScannedRow>,
  keyOf: (index: number) => string,
  skipped: Record<string, number>,
  layouts: Map<string, number>,
): Promise<{ samples: number }> {
  const pack = tar.pack();
  const tmp = `${path}.tmp-${process.pid}`;
  const done = pipeline(pack, createWriteStream(tmp));
  let samples = 0;
  let index = 0;
  try {
    for await (const { record } of rows) {
      const key = keyOf(index++);
      const files = record ? sampleFiles(record) : undefined;
      if (!files) {
        const reason = record ? 'no_image' : 'unreadable_row';
        skipped[reason] = (skipped[reason] ?? 0) + 1;
        continue;
      }
      const fields = files.map((f) => f.field).join(',');
      layouts.set(fields, (layouts.get(fields) ?? 0) + 1);
      for (const file of files) {
        const data = typeof file.data === 'string' ? Buffer.from(file.data, 'utf8') : Buffer.from(file.data);
        await new Promise<void>((resolve, reject) =>
          pack.entry({ name: `${key}.${file.field}`, size: data.byteLength, mtime: MTIME }, data, (error) =>
            error ? reject(error) : resolve(),
          ),
        );
      }
      samples += 1;
    }
    pack.finalize();
    await done;
    await rename(tmp, path);
  } catch (error) {
    pack.destroy();
    await done.catch(() => {});
    await rm(tmp, { force: true });
    throw new WeftError('E_OUTPUT', `${path}: writing the tar failed: ${(error as Error).message}`, {
      data: { path },
      cause: error,
    });
  }
  return { samples };
}

export async function exportWebdataset(
  dir: string,
  out: string,
  options: WebdatasetExportOptions,
): Promise<ExportResult> {
  const scan = await openScan(dir);
  await prepareExportDir(dir, out, options.overwrite === true);
  const files: ExportedFile[] = [];
  const skipped: Record<string, number> = {};
  /** Samples by their file names (`jpg,txt,json`): readers that infer columns want one. */
  const layouts = new Map<string, number>();
  let shardIndex = 0;
  const plans = [];
  for (const split of scan.splits) {
    const rows = await splitRowCount(scan, split);
    plans.push({ split, counts: shardRowCounts(rows, split.fileBytes, options.maxShardBytes) });
  }
  const totalShards = plans.reduce((n, p) => n + p.counts.length, 0);
  const maxRows = Math.max(1, ...plans.flatMap((p) => p.counts));
  const shardDigits = Math.max(5, String(totalShards - 1).length);
  const sampleDigits = Math.max(4, String(maxRows - 1).length);
  for (const { split, counts } of plans) {
    const iterator = splitRows(scan, split)[Symbol.asyncIterator]();
    for (let i = 0; i < counts.length; i++) {
      const shard = shardIndex++;
      // Splits other than train get their name in the file name; train keeps img2dataset's plain names.
      const name = `${split.name === 'train' ? '' : `${split.name}-`}${String(shard).padStart(shardDigits, '0')}.tar`;
      const last = i === counts.length - 1;
      const keyOf = (index: number) =>
        String(shard * 10 ** sampleDigits + index).padStart(shardDigits + sampleDigits, '0');
      const { samples } = await writeTar(
        join(out, name),
        take(iterator, last ? undefined : counts[i]),
        keyOf,
        skipped,
        layouts,
      );
      files.push({ path: name, bytes: (await stat(join(out, name))).size, rows: samples, split: split.name });
    }
  }
  const notes: string[] = [];
  if (layouts.size > 1) {
    const kinds = [...layouts].sort((a, b) => b[1] - a[1]);
    notes.push(
      `Samples do not all have the same files (${kinds
        .slice(0, 4)
        .map(([fields, n]) => `${n} × ${fields}`)
        .join(
          '; ',
        )}${kinds.length > 4 ? '; …' : ''}). webdataset readers handle this (e.g. \`to_tuple("jpg;png", "txt")\`), but Python \`datasets\` takes its columns from the first samples and leaves other files out (they read as None): load the Parquet export with \`datasets\` instead.`,
    );
  }
  return finishExport(scan, out, {
    notes,
    format: 'webdataset',
    files,
    dataFiles: scan.summaries.map((s) => ({
      split: s.name,
      path: s.name === 'train' ? '[0-9]*.tar' : `${s.name}-*.tar`,
    })),
    withFeatures: false,
    loadSnippet: [
      'import webdataset as wds',
      `ds = wds.WebDataset("${scan.name}/{${'0'.repeat(shardDigits)}..${String(totalShards - 1).padStart(shardDigits, '0')}}.tar").decode("pil")`,
      '# or: datasets.load_dataset("webdataset", data_files=...)',
    ].join('\n'),
    card: options.card ?? {},
    skipped,
  });
}
