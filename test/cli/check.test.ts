import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { runJob } from '../../src/run/run-job.js';
import { deadEndpoint } from '../helpers/chat-server.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let root: string;
let input: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'weft-check-cli-'));
  input = join(root, 'images');
  await runJob('demo-images', { count: 16 }, { outDir: input, workers: 1 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('weft check (CLI)', () => {
  test('--scorer nsfw works with no server: adds nsfw_score, a histogram and the policy counts', async () => {
    const out = join(await tempDir(), 'checked');
    const result = await runCli([
      'check',
      input,
      '--out',
      out,
      '--scorer',
      'nsfw',
      '--max-score',
      '0.9',
      '--cache-dir',
      join(root, 'cache'),
      '--json',
      '--workers',
      '1',
    ]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.trim()) as {
      ok: boolean;
      rows: number;
      stages: { name: string }[];
    };
    expect(summary.ok).toBe(true);
    expect(summary.stages.map((s) => s.name)).toEqual([
      'read-dataset',
      'score-nsfw',
      'score-policy',
      'write-dataset',
    ]);
    const scores: number[] = [];
    for await (const row of readDatasetRows(out)) scores.push(row.nsfw_score as number);
    expect(scores).toHaveLength(summary.rows);
    expect(scores.every((s) => s >= 0 && s <= 0.9)).toBe(true);
    const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8'));
    const stage = stats.stages.find((s: { name: string }) => s.name === 'score-nsfw');
    expect(stage.histograms.score.counts.reduce((a: number, b: number) => a + b, 0)).toBe(
      stage.counters.scored,
    );
  });

  test('usage mistakes exit 2 and name the missing option', async () => {
    const out = join(await tempDir(), 'x');
    const noScorer = await runCli(['check', input, '--out', out]);
    expect(noScorer.code).toBe(2);
    expect(noScorer.stderr).toContain('--scorer is required');
    const noEndpoint = await runCli(['check', input, '--out', out, '--scorer', 'vqascore']);
    expect(noEndpoint.code).toBe(2);
    expect(noEndpoint.stderr).toMatch(/endpoint: required by --scorer vqascore/);
    expect(noEndpoint.stderr).toMatch(/model: required by --scorer vqascore/);
  });

  test('a dead VLM server fails the run (exit 1) with a message naming the server', async () => {
    const out = join(await tempDir(), 'x');
    const endpoint = await deadEndpoint();
    const result = await runCli([
      'check',
      input,
      '--out',
      out,
      '--scorer',
      'vqascore',
      '--endpoint',
      endpoint,
      '--model',
      'm',
      '--retries',
      '0',
      '--no-cache',
      '--workers',
      '1',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`model server ${endpoint}/v1/chat/completions failed`);
    expect(result.stderr).toContain('--on-server-down unscored');
  });
});
