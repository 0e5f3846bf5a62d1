// The small pure pieces: shard planning, card YAML features, size categories, histograms, quantiles.
import { expect, test } from 'vitest';
import { f } from '../../src/dataset/features.js';
import { cardFeature, sizeCategory } from '../../src/release/card-yaml.js';
import { Distribution, histogram, RESERVOIR_SIZE } from '../../src/release/distribution.js';
import { shardRowCounts } from '../../src/release/export-target.js';
import { imageExt, sampleFiles } from '../../src/release/webdataset-sample.js';

test('shards: datasets-style count (bytes / cap + 1), contiguous near-equal rows, never empty', () => {
  expect(shardRowCounts(10, 1_000, 500_000_000)).toEqual([10]);
  expect(shardRowCounts(10, 1_200, 500)).toEqual([4, 3, 3]);
  expect(shardRowCounts(2, 10_000, 500)).toEqual([1, 1]);
  expect(shardRowCounts(0, 0, 500)).toEqual([0]);
});

test('card features take the form datasets writes in README YAML', () => {
  expect(cardFeature(f.list(f.string))).toEqual({ list: 'string' });
  expect(cardFeature(f.list(f.image))).toEqual({ list: 'image' });
  expect(cardFeature(f.list(f.list(f.int32)))).toEqual({ list: { list: 'int32' } });
  expect(cardFeature(f.struct({ a: f.float32, b: f.list(f.string) }))).toEqual({
    struct: [
      { name: 'a', dtype: 'float32' },
      { name: 'b', list: 'string' },
    ],
  });
  expect([sizeCategory(0), sizeCategory(999), sizeCategory(1000), sizeCategory(2_500_000)]).toEqual([
    'n<1K',
    'n<1K',
    '1K<n<10K',
    '1M<n<10M',
  ]);
});

test('distributions: exact summaries, then a reservoir sample past its size', () => {
  const d = new Distribution();
  for (const v of [5, 1, 3, 2, 4]) d.add(v);
  expect(d.summary()).toMatchObject({ count: 5, min: 1, max: 5, mean: 3, p50: 3, p25: 2, sampled: 5 });
  const big = new Distribution();
  for (let i = 0; i < RESERVOIR_SIZE * 2; i++) big.add(i);
  const s = big.summary()!;
  expect([s.count, s.min, s.max, s.sampled]).toEqual([
    RESERVOIR_SIZE * 2,
    0,
    RESERVOIR_SIZE * 2 - 1,
    RESERVOIR_SIZE,
  ]);
  expect(Math.abs(s.p50 - RESERVOIR_SIZE) / RESERVOIR_SIZE).toBeLessThan(0.01);
});

test('histograms: one bar per integer for few distinct values, equal bins otherwise, log bins', () => {
  expect(histogram([1, 1, 2, 4], 10).map((b) => b.count)).toEqual([2, 1, 0, 1]);
  const bins = histogram([0, 0.1, 0.5, 0.99, 1], 4, false, { min: 0, max: 1 });
  expect(bins.map((b) => b.count)).toEqual([2, 0, 1, 2]);
  const log = histogram([1, 10, 100, 1000], 3, true);
  expect(log.map((b) => Math.round(b.x0))).toEqual([1, 10, 100]);
  expect(log.map((b) => b.count)).toEqual([1, 1, 2]);
});

test('webdataset samples: real extensions, several images numbered, nothing for a pair with no image', () => {
  const image = {
    bytes: new Uint8Array([1]),
    format: 'jpeg' as const,
    widthPx: 1,
    heightPx: 1,
    sha256: '0'.repeat(64),
  };
  expect(imageExt(image)).toBe('jpg');
  const sft = sampleFiles({
    kind: 'sft-sample',
    images: [image, { ...image, format: 'png' }],
    turns: [{ user: 'q', assistant: 'a', source: 's' }],
  })!;
  expect(sft.map((x) => x.field)).toEqual(['0.jpg', '1.png', 'json']);
  expect(
    sampleFiles({ kind: 'image-text-pair', url: 'u', caption: 'c', captionSource: 'alt' }),
  ).toBeUndefined();
});

test('an empty dataset gets a card and exports (schema-only shards)', async () => {
  const { join } = await import('node:path');
  const { tempDir } = await import('../helpers/temp-dir.js');
  const { runJob } = await import('../../src/run/run-job.js');
  const { cardDataset } = await import('../../src/release/card-dataset.js');
  const { exportParquet } = await import('../../src/release/export-parquet.js');
  const { readParquetRows, readCard } = await import('./helpers.js');
  const root = await tempDir();
  const dir = join(root, 'empty');
  await runJob('demo-images', { count: 0 }, { outDir: dir, workers: 1, durable: false });
  const card = await cardDataset(dir);
  expect(card.rows).toBe(0);
  const { yaml, body } = await readCard(dir);
  expect((yaml.dataset_info as { splits: { num_examples: number }[] }).splits[0]!.num_examples).toBe(0);
  expect(body).toContain('The dataset has no records.');
  const exported = await exportParquet(dir, join(root, 'pq'), { maxShardBytes: 500e6 });
  expect(exported.files.map((f) => f.rows)).toEqual([0]);
  const back = await readParquetRows(join(root, 'pq', exported.files[0]!.path), root);
  expect(back.rows).toEqual([]);
  expect(JSON.parse(back.keyValue.get('huggingface')!).info.features.image).toEqual({ _type: 'Image' });
});
