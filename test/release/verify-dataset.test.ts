// `weft verify`: a dataset read back in full, its files checked against each other and against the
// manifest `weft card` writes; each kind of damage is named with its file.
import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { verifyDataset } from '../../src/release/verify-dataset.js';
import { runJob } from '../../src/run/run-job.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

async function cardedDataset(): Promise<string> {
  const out = join(await tempDir(), 'images');
  // Small shards, so there are several to check.
  await runJob('demo-images', { count: 40 }, { outDir: out, workers: 1, maxShardBytes: 200_000 });
  const card = await runCli(['card', out]);
  expect(card.code, card.stderr).toBe(0);
  return out;
}

const shardsOf = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.arrow')).sort();

test('a complete dataset verifies: every row read, every manifest file matched', async () => {
  const dir = await cardedDataset();
  const result = await runCli(['verify', dir, '--json']);
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout.trim());
  const shards = await shardsOf(dir);
  expect(shards.length).toBeGreaterThan(1);
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8'));
  expect(stats.rows).toBeGreaterThan(20);
  expect(report).toMatchObject({ ok: true, rows: stats.rows, shards: shards.length, problems: [] });
  expect(report.manifestFiles).toBeGreaterThan(shards.length); // shards, README, plots, json files
});

test('damage is named file by file, and the command exits 1', async () => {
  const dir = await cardedDataset();
  const shards = await shardsOf(dir);
  const [second, last] = [shards[1]!, shards.at(-1)!];
  await truncate(join(dir, last), 5000); // torn mid-file
  await rm(join(dir, second)); // lost
  await writeFile(join(dir, 'data-00099-of-00100.arrow'), 'stray'); // not listed in state.json
  await writeFile(join(dir, 'README.md'), 'edited after release\n');
  const report = await verifyDataset(dir);
  const problems: Record<string, string> = {};
  for (const p of report.problems)
    problems[p.file] = [problems[p.file], p.problem].filter(Boolean).join('; ');
  expect(problems[second]).toMatch(/listed in state.json but missing/);
  expect(problems[last]).toMatch(/not a readable Arrow stream/);
  expect(problems['dataset_info.json']).toMatch(/says \d+ rows, the shards hold \d+/);
  expect(problems['stats.json']).toMatch(/says \d+ rows, the shards hold \d+/);
  expect(problems['data-00099-of-00100.arrow']).toMatch(/state.json does not list/);
  expect(problems['README.md']).toMatch(/bytes, manifest.json says|sha256/);
  const result = await runCli(['verify', dir]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`${second}: listed in state.json but missing`);
  expect(result.stderr).toMatch(/\d+ problem\(s\)/);
});

test('a first shard torn before its schema: an input error that names the file', async () => {
  const dir = await cardedDataset();
  const [first] = await shardsOf(dir);
  await truncate(join(dir, first!), 100);
  const result = await runCli(['verify', dir]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`${first}: not a readable Arrow file`);
});

test('a Parquet release verifies against its manifest; a changed file does not', async () => {
  const dir = await cardedDataset();
  const release = join(await tempDir(), 'release');
  const exported = await runCli(['export', dir, '--format', 'parquet', '--out', release]);
  expect(exported.code, exported.stderr).toBe(0);
  const good = await verifyDataset(release);
  expect(good.problems).toEqual([]);
  expect(good.rows).toBeGreaterThan(20);
  expect(good.manifestFiles).toBeGreaterThan(1);
  const parquet = await findParquet(release);
  await truncate(join(release, parquet), 100);
  const bad = await verifyDataset(release);
  expect(bad.problems.map((p) => p.file)).toEqual([parquet]);
});

async function findParquet(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true })) as string[];
  return files.find((f) => f.endsWith('.parquet'))!;
}

test('a folder that is not a dataset is an input error that names it', async () => {
  const dir = await tempDir();
  const result = await runCli(['verify', dir]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('state.json');
});
