// npm run bench -- export-parquet [ROWS]: `weft export --format parquet` and `weft card` on a demo
// image dataset, each beside its anchor in the same run:
//   export: parquet-wasm writing the same Arrow shard files directly (Arrow IPC in, Parquet out, same
//           writer settings), i.e. the Parquet encoding alone, without weft's row decode, re-encode
//           and profiling;
//   card:   reading every row with weft's dataset reader (readDatasetRows), the floor for one pass.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataset, readDatasetRows } from '../src/dataset/dataset-reader.js';
import { cardDataset } from '../src/release/card-dataset.js';
import { exportParquet } from '../src/release/export-parquet.js';
import { runJob } from '../src/run/run-job.js';

const rows = Number(process.argv[2] ?? 3000);
const root = join(tmpdir(), `weft-bench-export-${process.pid}`);
const dataset = join(root, 'images');

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [(performance.now() - start) / 1000, value];
}

try {
  await runJob(
    'demo-images',
    { count: rows, minSidePx: 1, maxAspectRatio: 100 },
    { outDir: dataset, workers: 2 },
  );
  const handle = await openDataset(dataset);
  let arrowBytes = 0;
  for (const file of handle.dataFiles) arrowBytes += (await stat(file)).size;
  console.log(
    `dataset: ${handle.rows} rows, ${(arrowBytes / 1e6).toFixed(1)} MB of Arrow in ${handle.dataFiles.length} shard(s)`,
  );

  const pq = await import('parquet-wasm');
  // Warm-up: the first Parquet write compiles the WebAssembly to optimised code (~0.7 s once per
  // process); both figures below are steady state.
  const warm = pq.Table.fromIPCStream(new Uint8Array(await readFile(handle.dataFiles[0]!)));
  pq.writeParquet(warm, new pq.WriterPropertiesBuilder().setDictionaryEnabled(false).build());
  const [anchorS] = await timed(async () => {
    for (const [i, file] of handle.dataFiles.entries()) {
      const table = pq.Table.fromIPCStream(new Uint8Array(await readFile(file)));
      const props = new pq.WriterPropertiesBuilder()
        .setMaxRowGroupSize(100)
        .setCompression(pq.Compression.SNAPPY)
        .setDictionaryEnabled(false)
        .build();
      await writeFile(join(root, `anchor-${i}.parquet`), pq.writeParquet(table, props));
    }
  });
  const [exportS, result] = await timed(() =>
    exportParquet(dataset, join(root, 'parquet'), { maxShardBytes: 500e6 }),
  );
  const parquetBytes = result.files.reduce((n, f) => n + f.bytes, 0);
  const mb = arrowBytes / 1e6;
  console.log(
    `export parquet: weft ${exportS.toFixed(2)} s (${(mb / exportS).toFixed(1)} MB/s, ${Math.round(result.rows / exportS)} rows/s, includes card + plots + manifest), ` +
      `anchor parquet-wasm on the Arrow files ${anchorS.toFixed(2)} s (${(mb / anchorS).toFixed(1)} MB/s); ratio weft/anchor ${(exportS / anchorS).toFixed(2)}; Parquet ${(parquetBytes / 1e6).toFixed(1)} MB`,
  );

  const [readS, n] = await timed(async () => {
    let count = 0;
    for await (const _ of readDatasetRows(dataset)) count += 1;
    return count;
  });
  const [cardS] = await timed(() => cardDataset(dataset, { overwrite: true }));
  console.log(
    `card: weft ${cardS.toFixed(2)} s (${Math.round(n / cardS)} rows/s, includes plots + manifest sha256), ` +
      `anchor readDatasetRows ${readS.toFixed(2)} s (${Math.round(n / readS)} rows/s); ratio weft/anchor ${(cardS / readS).toFixed(2)}`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
