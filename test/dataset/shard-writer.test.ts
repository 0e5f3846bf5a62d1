import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordBatchReader } from 'apache-arrow';
import { expect, test } from 'vitest';
import { concatStreamFiles } from '../../src/dataset/concat-streams.js';
import { readArrowFileRows } from '../../src/dataset/dataset-reader.js';
import { writeEmptyStream } from '../../src/dataset/empty-shard.js';
import { arrowSchema, f } from '../../src/dataset/features.js';
import { ShardWriter } from '../../src/dataset/shard-writer.js';
import { tempDir } from '../helpers/temp-dir.js';

async function batchSizes(file: string): Promise<number[]> {
  const reader = await RecordBatchReader.from(await readFile(file));
  const sizes: number[] = [];
  for (const batch of reader) sizes.push(batch.numRows);
  return sizes;
}

const textFeatures = { id: f.int64, text: f.string, tags: f.list(f.string) };

test('rows without media go in batches of 1000, with media in batches of 100 (as datasets does)', async () => {
  const dir = await tempDir();
  const text = new ShardWriter(dir, textFeatures, { filePrefix: 'text', durable: false });
  for (let i = 0; i < 2500; i++)
    await text.append({ id: i, text: `row ${i}`, tags: i % 3 === 0 ? null : ['a', null, 'ç'] });
  const [textPart] = await text.close();
  expect(await batchSizes(join(dir, textPart!.file))).toEqual([1000, 1000, 500]);

  const media = new ShardWriter(dir, { image: f.image }, { filePrefix: 'media', durable: false });
  for (let i = 0; i < 250; i++)
    await media.append({ image: { bytes: new Uint8Array([i % 256, 1, 2]), path: null } });
  const [mediaPart] = await media.close();
  expect(await batchSizes(join(dir, mediaPart!.file))).toEqual([100, 100, 50]);

  const rows = [];
  for await (const row of readArrowFileRows(join(dir, textPart!.file))) rows.push(row);
  expect(rows).toHaveLength(2500);
  expect(rows[0]).toEqual({ id: 0, text: 'row 0', tags: null });
  expect(rows[1]).toEqual({ id: 1, text: 'row 1', tags: ['a', null, 'ç'] });
});

test('a part never passes the size cap: the next batch starts a new part, every row is kept once', async () => {
  const dir = await tempDir();
  const writer = new ShardWriter(
    dir,
    { id: f.int32, blob: f.binary },
    { maxShardBytes: 50_000, rowsPerBatch: 10, durable: false },
  );
  for (let i = 0; i < 100; i++) await writer.append({ id: i, blob: new Uint8Array(1000).fill(i) });
  const parts = await writer.close();
  expect(parts.length).toBeGreaterThan(1);
  const ids: number[] = [];
  for (const part of parts) {
    expect(part.bytes).toBeLessThanOrEqual(50_000);
    const size = (await readFile(join(dir, part.file))).byteLength;
    expect(size).toBe(part.bytes);
    for await (const row of readArrowFileRows(join(dir, part.file))) {
      ids.push(row.id as number);
      expect((row.blob as Uint8Array)[999]).toBe(row.id);
    }
  }
  expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(parts.reduce((n, p) => n + p.rows, 0)).toBe(100);
});

test('stream files concatenate byte-wise into one valid stream, and an empty stream reads as no rows', async () => {
  const dir = await tempDir();
  const files: string[] = [];
  for (const prefix of ['a', 'b', 'c']) {
    const writer = new ShardWriter(dir, textFeatures, { filePrefix: prefix, durable: false });
    for (let i = 0; i < 3; i++) await writer.append({ id: i, text: `${prefix}${i}`, tags: [prefix] });
    files.push(join(dir, (await writer.close())[0]!.file));
  }
  await concatStreamFiles(files, join(dir, 'joined.arrow'), false);
  const texts: string[] = [];
  for await (const row of readArrowFileRows(join(dir, 'joined.arrow'))) texts.push(row.text as string);
  expect(texts).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'c0', 'c1', 'c2']);

  await writeEmptyStream(join(dir, 'empty.arrow'), arrowSchema(textFeatures));
  const none = [];
  for await (const row of readArrowFileRows(join(dir, 'empty.arrow'))) none.push(row);
  expect(none).toEqual([]);
  expect((await readdir(dir)).sort()).toContain('empty.arrow');
});
