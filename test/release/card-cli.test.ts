// `weft card` and `weft demo` end to end: the demo's datasets get complete cards, a hand-written
// README is never overwritten silently, a machine without fonts still gets its plots (with a
// warning), and re-running a job over a dataset with a card replaces the card with the data.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, test } from 'vitest';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { cardDataset } from '../../src/release/card-dataset.js';
import { runJob } from '../../src/run/run-job.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { num, readCard, tableRow } from './helpers.js';
import { buildPairs } from './make-datasets.js';

test('weft demo ends by writing a complete card for each dataset it built', async () => {
  const out = await tempDir();
  const result = await runCli(['demo', '--out', out, '--workers', '2', '--json']);
  expect(result.code).toBe(0);
  const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
  expect(summary.steps.length).toBeGreaterThan(0);
  for (const step of summary.steps as { out: string; card: string; rows: number }[]) {
    expect(step.card).toBe(join(step.out, 'README.md'));
    const { yaml, body } = await readCard(step.out);
    for (const key of ['license', 'task_categories', 'size_categories', 'configs', 'dataset_info'])
      expect(yaml, `${step.out}: ${key}`).toHaveProperty(key);
    const info = yaml.dataset_info as { splits: { num_examples: number }[] };
    expect(info.splits[0]!.num_examples).toBe(step.rows);
    for (const heading of [
      'Dataset structure',
      'Sources',
      'How it was made',
      'Filter funnel',
      'Counts and distributions',
      'Opt-out handling',
      'Known limitations',
      'Files',
    ])
      expect(body, `${step.out}: ${heading}`).toContain(`## ${heading}`);
    for (const plot of body.matchAll(/\]\((plots\/[^)]+\.png)\)/g)) {
      const meta = await sharp(join(step.out, plot[1]!)).metadata();
      expect([meta.width, meta.height]).toEqual([1600, 800]);
    }
    expect(existsSync(join(step.out, 'manifest.json'))).toBe(true);
  }
  const images = summary.steps.find((s: { step: string }) => s.step === 'images');
  const { yaml } = await readCard(images.out);
  expect([yaml.license, yaml.language]).toEqual(['apache-2.0', ['en']]);
});

test('a README.md weft did not write is kept unless --overwrite', async () => {
  const dir = join(await tempDir(), 'pairs');
  await buildPairs(dir, 20);
  await writeFile(join(dir, 'README.md'), '# My own notes\n');
  const refused = await runCli(['card', dir]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/README\.md exists and was not written by weft; pass --overwrite/);
  expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('# My own notes\n');
  const replaced = await runCli(['card', dir, '--overwrite']);
  expect(replaced.code).toBe(0);
  // A card weft wrote is simply regenerated.
  expect((await runCli(['card', dir])).code).toBe(0);
});

test('without any font the card and its plots are still written, with a warning', async () => {
  const root = await tempDir();
  const dir = join(root, 'pairs');
  await buildPairs(dir, 20);
  const conf = join(root, 'no-fonts.conf');
  await mkdir(join(root, 'fc-cache'));
  await writeFile(
    conf,
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>${join(root, 'no-fonts-here')}</dir><cachedir>${join(root, 'fc-cache')}</cachedir></fontconfig>`,
  );
  const result = await runCli(['card', dir], { env: { FONTCONFIG_FILE: conf } });
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/warning: no usable font found by fontconfig/);
  const meta = await sharp(join(dir, 'plots', 'funnel.png')).metadata();
  expect([meta.width, meta.height]).toEqual([1600, 800]);
  const { body } = await readCard(dir);
  expect(body).toContain('drawn without a usable font');
});

test('re-running a job over a dataset with a card replaces data and card together', async () => {
  const dir = join(await tempDir(), 'pairs');
  await buildPairs(dir, 20);
  await cardDataset(dir);
  await runJob(
    'demo-images',
    { count: 30, imagesPerTask: 20 },
    { outDir: dir, workers: 1, overwrite: true, durable: false },
  );
  expect(existsSync(join(dir, 'README.md'))).toBe(false);
  expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
  await cardDataset(dir);
  let rows = 0;
  for await (const _ of readDatasetRows(dir)) rows += 1;
  const { body } = await readCard(dir);
  expect(num(tableRow(body, 'train')![1])).toBe(rows);
});
