// Cards and exports for the other record kinds (SFT with scores, web documents, PDF pages), through
// the library: per-source shares, score distributions, languages, opt-out drops and Parquet round trips.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { readStatsFile } from '../../src/dataset/commit.js';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import type { Row } from '../../src/dataset/shard-writer.js';
import { cardDataset } from '../../src/release/card-dataset.js';
import { exportParquet } from '../../src/release/export-parquet.js';
import { exportWebdataset } from '../../src/release/export-webdataset.js';
import { pythonWithDatasets, runPythonJson } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-dir.js';
import { cardNumber, num, quantile, readCard, readParquetRows, tableRow } from './helpers.js';
import { buildRecords } from './make-datasets.js';

async function rowsOf(dir: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of readDatasetRows(dir)) rows.push(row);
  return rows;
}

describe('SFT samples with a score column', () => {
  test('card: source shares, score distribution and plots; Parquet keeps List(Image)', async () => {
    const root = await tempDir();
    const dir = join(root, 'sft');
    await buildRecords('sft', dir, 42);
    const rows = await rowsOf(dir);
    const result = await cardDataset(dir, {});
    expect(result.plots).toEqual(
      expect.arrayContaining(['plots/funnel.png', 'plots/sources.png', 'plots/score-quality.png']),
    );
    for (const plot of result.plots) expect((await sharp(join(dir, plot)).metadata()).width).toBe(1600);
    const { yaml, body } = await readCard(dir);
    expect(yaml.task_categories).toEqual(['image-text-to-text', 'visual-question-answering']);
    const features = (yaml.dataset_info as { features: Record<string, unknown>[] }).features;
    expect(features[0]).toEqual({ name: 'images', list: 'image' });
    expect(features[1]).toEqual({
      name: 'texts',
      list: [
        { name: 'user', dtype: 'string' },
        { name: 'assistant', dtype: 'string' },
        { name: 'source', dtype: 'string' },
      ],
    });
    // Turns by source, counted from the rows.
    const turns = rows.flatMap((r) => (r.texts as { source: string }[]).map((t) => t.source));
    for (const source of new Set(turns)) {
      const n = turns.filter((s) => s === source).length;
      expect(num(tableRow(body, source)![1]), source).toBe(n);
    }
    const scores = rows.map((r) => r.quality_score as number | null);
    const scored = scores.filter((s): s is number => s !== null);
    const row = tableRow(body, 'quality_score')!;
    expect(num(row[1])).toBe(scored.length);
    expect(row[5]).toBe(cardNumber(quantile(scored, 0.5)));
    expect(num(row[10])).toBe(scores.length - scored.length);
    expect(body).toContain(`${scores.length - scored.length} rows have no \`quality_score\``);

    const out = join(root, 'parquet');
    const exported = await exportParquet(dir, out, { maxShardBytes: 500_000_000 });
    expect(exported.rows).toBe(rows.length);
    const back = await readParquetRows(join(out, exported.files[0]!.path), root);
    expect(back.rows).toEqual(rows);
    if (pythonWithDatasets) {
      const py = runPythonJson<{ n: number; images: number[]; mode: string }>(
        `
import sys, json, datasets
ds = datasets.load_dataset(sys.argv[1], split="train")
print(json.dumps({"n": len(ds), "images": [len(r["images"]) for r in ds], "mode": ds[0]["images"][0].mode}))
`,
        [out],
      );
      expect(py.n).toBe(rows.length);
      expect(py.images).toEqual(rows.map((r) => (r.images as unknown[]).length));
      expect(py.mode).toMatch(/^RGB/);
    }
  });
});

describe('web documents', () => {
  test('card: languages and domains from the data, opt-out drops from the stats, missing images named', async () => {
    const dir = join(await tempDir(), 'web');
    await buildRecords('web', dir, 35);
    const rows = await rowsOf(dir);
    await cardDataset(dir, {});
    const { yaml, body } = await readCard(dir);
    expect(yaml.language).toEqual(['en', 'fr']);
    const stats = (await readStatsFile(dir))!;
    const robots = stats.stages.find((s) => s.dropped.robots_disallowed)!.dropped.robots_disallowed!;
    expect(tableRow(body, 'drop-every-seventh')?.[1]).toBe('robots_disallowed');
    expect(num(tableRow(body, 'drop-every-seventh')![2])).toBe(robots);
    const docs = rows.map((r) => JSON.parse(r.general_metadata as string) as { url: string });
    const blog = docs.filter((d) => d.url.includes('blog.org')).length;
    expect(num(tableRow(body, 'blog.org')![1])).toBe(blog);
    // Images that were never downloaded are not stored; the text lengths are the rows' texts.
    const chars = rows.map((r) => (r.texts as (string | null)[]).reduce((n, t) => n + (t?.length ?? 0), 0));
    expect(tableRow(body, 'document text length (characters)')![5]).toBe(cardNumber(quantile(chars, 0.5)));
    const noImage = rows.filter((r) => (r.images as unknown[]).every((i) => i === null)).length;
    expect(body).toContain(`${noImage} documents`);

    const wds = join(await tempDir(), 'wds');
    const exported = await exportWebdataset(dir, wds, { maxShardBytes: 500_000_000 });
    expect(exported.rows).toBe(rows.length);
    expect(exported.skipped).toEqual({});
  });
});

describe('PDF pages', () => {
  test('card: needs-OCR share and source PDFs; webdataset keeps the page text', async () => {
    const root = await tempDir();
    const dir = join(root, 'pdf');
    await buildRecords('pdf', dir, 24);
    const rows = await rowsOf(dir);
    await cardDataset(dir, { license: 'other', licenseName: 'mixed', licenseLink: 'https://example.com/l' });
    const { yaml, body } = await readCard(dir);
    expect([yaml.license, yaml.license_name, yaml.license_link]).toEqual([
      'other',
      'mixed',
      'https://example.com/l',
    ]);
    const ocr = rows.filter((r) => r.needs_ocr === true).length;
    expect(num(tableRow(body, 'yes')![1])).toBe(ocr);
    expect(num(tableRow(body, 'doc-1.pdf')![1])).toBe(rows.filter((r) => r.source === 'doc-1.pdf').length);
    const out = join(root, 'wds');
    const exported = await exportWebdataset(dir, out, { maxShardBytes: 500_000_000 });
    expect(exported.rows).toBe(rows.length);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.format).toBe('webdataset');
    expect(manifest.splits.train.rows).toBe(rows.length);
  });
});

describe.skipIf(!pythonWithDatasets)('a DatasetDict written by datasets.save_to_disk (no stats.json)', () => {
  test('card names both splits; the Parquet export loads back as the same DatasetDict', async () => {
    const root = await tempDir();
    const dir = join(root, 'dd');
    runPythonJson(
      `
import sys, io, json, datasets
from PIL import Image
def make(n, offset):
    images = []
    for i in range(n):
        b = io.BytesIO(); Image.new("RGB", (40 + i, 30), (i * 20 % 255, 0, 0)).save(b, "PNG"); images.append({"bytes": b.getvalue(), "path": None})
    return datasets.Dataset.from_dict({"image": images, "caption": ["cap %d" % (i + offset) for i in range(n)]},
        features=datasets.Features({"image": datasets.Image(), "caption": datasets.Value("string")}))
datasets.DatasetDict({"train": make(12, 0), "test": make(5, 100)}).save_to_disk(sys.argv[1])
print(json.dumps({}))
`,
      [dir],
    );
    await cardDataset(dir);
    const { yaml, body } = await readCard(dir);
    expect((yaml.configs as { data_files: unknown }[])[0]!.data_files).toEqual([
      { split: 'train', path: 'train/data-*.arrow' },
      { split: 'test', path: 'test/data-*.arrow' },
    ]);
    const splits = (yaml.dataset_info as { splits: { name: string; num_examples: number }[] }).splits;
    expect(splits.map((s) => [s.name, s.num_examples])).toEqual([
      ['train', 12],
      ['test', 5],
    ]);
    expect(body).toContain('There is no stats.json');
    const out = join(root, 'pq');
    await exportParquet(dir, out, { maxShardBytes: 500_000_000 });
    const back = runPythonJson<{ train: number; test: string; size: number[] }>(
      `
import sys, json, datasets
d = datasets.load_dataset(sys.argv[1])
print(json.dumps({"train": len(d["train"]), "test": d["test"][0]["caption"], "size": list(d["test"][4]["image"].size)}))
`,
      [out],
    );
    expect(back).toEqual({ train: 12, test: 'cap 100', size: [44, 30] });
  });
});
