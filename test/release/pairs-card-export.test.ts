// Acceptance: build a small dataset, run `weft card` and `weft export --format parquet|webdataset`
// (the real CLI), and check the card's YAML and numbers against the data, the plots, the manifest, and
// that the Parquet files read back with the same rows and images (parquet-wasm here, `datasets` in
// Python where available).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import tar from 'tar-stream';
import { beforeAll, describe, expect, test } from 'vitest';
import { readStatsFile } from '../../src/dataset/commit.js';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import type { Row } from '../../src/dataset/shard-writer.js';
import { sha256File } from '../../src/release/manifest.js';
import { pythonWithDatasets, runPythonJson } from '../helpers/python.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { cardNumber, num, quantile, readCard, readParquetRows, tableRow } from './helpers.js';
import { buildPairs } from './make-datasets.js';

let root: string;
let dataset: string;
let sourceRows: Row[];

// One dataset for the whole file: the tests below only read it (tempDir cleanup is per test).
beforeAll(async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  root = await mkdtemp(join(tmpdir(), 'weft-release-'));
  dataset = join(root, 'pairs');
  await buildPairs(dataset, 60);
  sourceRows = [];
  for await (const row of readDatasetRows(dataset)) sourceRows.push(row);
  const card = await runCli(['card', dataset, '--license', 'cc-by-4.0', '--language', 'en']);
  expect(card.stderr).toContain('wrote');
  expect(card.code).toBe(0);
}, 120_000);

describe('weft card on image-text pairs', () => {
  test('the YAML parses and says what the Hub needs, with numbers from the data', async () => {
    const { yaml } = await readCard(dataset);
    expect(yaml.license).toBe('cc-by-4.0');
    expect(yaml.language).toEqual(['en']);
    expect(yaml.task_categories).toEqual(['image-to-text', 'text-to-image']);
    expect(yaml.size_categories).toEqual(['n<1K']);
    expect(yaml.configs).toEqual([
      { config_name: 'default', data_files: [{ split: 'train', path: 'data-*.arrow' }] },
    ]);
    const info = yaml.dataset_info as Record<string, unknown>;
    const splits = info.splits as { name: string; num_examples: number; num_bytes: number }[];
    expect(splits).toHaveLength(1);
    expect(splits[0]!.num_examples).toBe(sourceRows.length);
    const stats = (await readStatsFile(dataset))!;
    expect(info.download_size).toBe(stats.bytes);
    // In-memory Arrow bytes: a little under the IPC files (no message headers), never above them.
    expect(splits[0]!.num_bytes).toBeGreaterThan(stats.bytes * 0.9);
    expect(splits[0]!.num_bytes).toBeLessThanOrEqual(stats.bytes);
    expect(info.dataset_size).toBe(splits[0]!.num_bytes);
    expect((info.features as { name: string }[]).map((f) => f.name)).toEqual(Object.keys(sourceRows[0]!));
    expect((info.features as Record<string, unknown>[])[0]).toEqual({ name: 'image', dtype: 'image' });
  });

  test('the funnel table is stats.json, stage by stage', async () => {
    const { body } = await readCard(dataset);
    const stats = (await readStatsFile(dataset))!;
    stats.stages.forEach((stage, i) => {
      const row = tableRow(body, `${i + 1}. ${stage.name}`);
      expect(row, stage.name).toBeDefined();
      expect(num(row![2])).toBe(stage.out);
      expect(num(row![3])).toBe(Object.values(stage.dropped).reduce((n, c) => n + c, 0));
      for (const [reason, n] of Object.entries(stage.dropped)) expect(row![4]).toContain(`${reason} ${n}`);
    });
    expect(stats.stages.some((s) => Object.keys(s.dropped).length > 0)).toBe(true);
  });

  test('distributions are computed from the rows', async () => {
    const { body } = await readCard(dataset);
    const captions = sourceRows.map((r) => (r.caption as string).length);
    const widths = sourceRows.map((r) => r.width as number);
    const caption = tableRow(body, 'caption length (characters)')!;
    expect(num(caption[1])).toBe(sourceRows.length);
    expect(caption[2]).toBe(cardNumber(Math.min(...captions)));
    expect(caption[5]).toBe(cardNumber(quantile(captions, 0.5)));
    expect(caption[8]).toBe(cardNumber(Math.max(...captions)));
    const width = tableRow(body, 'image width (px)')!;
    expect(width[5]).toBe(cardNumber(quantile(widths, 0.5)));
    expect(width[9]).toBe(cardNumber(widths.reduce((a, b) => a + b, 0) / widths.length));
    const jpeg = sourceRows.filter((r) => r.format === 'jpeg').length;
    expect(num(tableRow(body, 'jpeg')![1])).toBe(jpeg);
    expect(body).toContain(`${cardNumber(sourceRows.length)} rows`);
  });

  test('the exact configuration is in the card, as YAML that parses back to stats.json options', async () => {
    const { body } = await readCard(dataset);
    const stats = (await readStatsFile(dataset))!;
    const block = /```yaml\n([\s\S]*?)\n```/.exec(body)![1]!;
    const { parse } = await import('yaml');
    expect(parse(block)).toEqual(stats.options);
    expect(body).toContain(`weft run ${stats.job} --options '${JSON.stringify(stats.options)}'`);
    expect(body).toContain(stats.fingerprint);
  });

  test('the plots are 1600×800 PNGs, embedded in the card', async () => {
    const { body } = await readCard(dataset);
    for (const name of ['funnel', 'text-length', 'image-size', 'aspect-ratio']) {
      const file = join(dataset, 'plots', `${name}.png`);
      const meta = await sharp(file).metadata();
      expect([meta.format, meta.width, meta.height], name).toEqual(['png', 1600, 800]);
      // A real chart, not a blank page: many distinct colours (bars, text, antialiasing).
      const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 97) colours.add(data.readUInt32BE(i));
      expect(colours.size, name).toBeGreaterThan(5);
      expect(body).toContain(`](plots/${name}.png)`);
    }
  });

  test('the manifest lists every file with its size and sha256, rows, version and config hash', async () => {
    const manifest = JSON.parse(await readFile(join(dataset, 'manifest.json'), 'utf8'));
    const stats = (await readStatsFile(dataset))!;
    expect(manifest.configHash).toBe(stats.fingerprint);
    expect(manifest.weftVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.splits.train.rows).toBe(sourceRows.length);
    const paths = manifest.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['README.md', 'data-00000-of-00001.arrow', 'plots/funnel.png', 'state.json']),
    );
    for (const file of manifest.files) {
      expect((await stat(join(dataset, file.path))).size).toBe(file.bytes);
      expect(await sha256File(join(dataset, file.path))).toBe(file.sha256);
    }
  });
});

describe('weft export --format parquet', () => {
  let out: string;
  beforeAll(async () => {
    out = join(root, 'parquet');
    // A small shard cap forces several shards.
    const result = await runCli([
      'export',
      dataset,
      '--format',
      'parquet',
      '--out',
      out,
      '--max-shard-size',
      '200kB',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);

  test('shards are laid out as the Hub expects and read back with the same rows and images', async () => {
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    const shards = manifest.splits.train.files as string[];
    expect(shards.length).toBeGreaterThan(1);
    shards.forEach((path, i) => {
      expect(path).toBe(
        `data/train-${String(i).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.parquet`,
      );
    });
    const back: Row[] = [];
    for (const path of shards) {
      const { rows, rowGroups, keyValue } = await readParquetRows(join(out, path), root);
      expect(Math.max(...rowGroups)).toBeLessThanOrEqual(100);
      expect(JSON.parse(keyValue.get('huggingface')!).info.features.image).toEqual({ _type: 'Image' });
      back.push(...rows);
    }
    expect(back).toHaveLength(sourceRows.length);
    expect(back).toEqual(sourceRows);
    const { yaml } = await readCard(out);
    expect(yaml.configs).toEqual([
      { config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }] },
    ]);
    const parquetBytes = manifest.files
      .filter((f: { path: string }) => f.path.endsWith('.parquet'))
      .reduce((n: number, f: { bytes: number }) => n + f.bytes, 0);
    expect((yaml.dataset_info as { download_size: number }).download_size).toBe(parquetBytes);
  });

  test.skipIf(!pythonWithDatasets)(
    'datasets.load_dataset reads the folder through the card and decodes images',
    () => {
      const result = runPythonJson<{
        rows: number;
        image: string;
        size: number[];
        sha: string[];
        features_match: boolean;
        yaml_features_match: boolean;
        row_groups: number[];
      }>(
        `
import sys, json, hashlib, io, datasets, pyarrow.parquet as pq, glob, yaml
out = sys.argv[1]
ds = datasets.load_dataset(out, split="train")
first = ds[0]
img = first["image"]
raw = ds.with_format(None).cast_column("image", datasets.Image(decode=False))
card = yaml.safe_load(open(out + "/README.md").read().split("---")[1])
yaml_features = datasets.Features._from_yaml_list(card["dataset_info"]["features"])
files = sorted(glob.glob(out + "/data/*.parquet"))
print(json.dumps({
  "rows": len(ds),
  "image": type(img).__module__,
  "size": [img.width, img.height],
  "sha": [hashlib.sha256(r["image"]["bytes"]).hexdigest() for r in raw],
  "features_match": isinstance(ds.features["image"], datasets.Image),
  "yaml_features_match": yaml_features == ds.features,
  "row_groups": [pq.ParquetFile(f).metadata.row_group(i).num_rows for f in files for i in range(pq.ParquetFile(f).metadata.num_row_groups)],
}))
`,
        [out],
      );
      expect(result.rows).toBe(sourceRows.length);
      expect(result.image).toMatch(/^PIL\./);
      expect(result.size).toEqual([sourceRows[0]!.width, sourceRows[0]!.height]);
      expect(result.sha).toEqual(sourceRows.map((r) => r.sha256));
      expect(result.features_match).toBe(true);
      expect(result.yaml_features_match).toBe(true);
      expect(result.row_groups.every((n) => n <= 100)).toBe(true);
    },
  );

  test('a second export into the same folder needs --overwrite, and then replaces it', async () => {
    const again = await runCli(['export', dataset, '--format', 'parquet', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/earlier weft export; pass --overwrite/);
    const replaced = await runCli(['export', dataset, '--format', 'parquet', '--out', out, '--overwrite']);
    expect(replaced.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.splits.train.files).toEqual(['data/train-00000-of-00001.parquet']);
  });
});

describe('weft export --format webdataset', () => {
  test('img2dataset-style tars: contiguous samples, keys without dots, bytes unchanged', async () => {
    const out = await tempDir();
    const result = await runCli([
      'export',
      dataset,
      '--format',
      'webdataset',
      '--out',
      out,
      '--max-shard-size',
      '300kB',
    ]);
    expect(result.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    const tars = manifest.splits.train.files as string[];
    expect(tars.length).toBeGreaterThan(1);
    expect(tars[0]).toBe('00000.tar');
    const samples: { key: string; files: Map<string, Buffer> }[] = [];
    for (const name of tars) {
      const extract = tar.extract();
      const done = (async () => {
        for await (const entry of extract) {
          const chunks: Buffer[] = [];
          for await (const chunk of entry) chunks.push(chunk as Buffer);
          const [key, field] = [
            entry.header.name.split('.')[0]!,
            entry.header.name.split('.').slice(1).join('.'),
          ];
          if (samples.at(-1)?.key !== key) samples.push({ key, files: new Map() });
          const sample = samples.at(-1)!;
          expect(sample.files.has(field), `${key} repeats ${field}: samples must be contiguous`).toBe(false);
          sample.files.set(field, Buffer.concat(chunks));
        }
      })();
      extract.end(await readFile(join(out, name)));
      await done;
    }
    expect(samples).toHaveLength(sourceRows.length);
    expect(new Set(samples.map((s) => s.key)).size).toBe(samples.length);
    expect(samples[1]!.key).toBe('000000001');
    samples.forEach((sample, i) => {
      const row = sourceRows[i]!;
      const ext = row.format === 'jpeg' ? 'jpg' : (row.format as string);
      expect([...sample.files.keys()].sort()).toEqual([ext, 'json', 'txt'].sort());
      expect(new Uint8Array(sample.files.get(ext)!)).toEqual((row.image as { bytes: Uint8Array }).bytes);
      expect(sample.files.get('txt')!.toString()).toBe(row.caption);
      const meta = JSON.parse(sample.files.get('json')!.toString());
      expect([meta.url, meta.width, meta.height, meta.sha256]).toEqual([
        row.url,
        row.width,
        row.height,
        row.sha256,
      ]);
    });
  });
});
