import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { WeftError } from '../../src/errors.js';
import type { StageStatsJson } from '../../src/pipeline/stats.js';
import { runJob } from '../../src/run/run-job.js';
import {
  type ChatReply,
  type ChatRequest,
  deadEndpoint,
  startChatServer,
  yesNoResponse,
} from '../helpers/chat-server.js';
import { linearImageEncoder, linearTextEncoder, wordPieceTokenizer } from '../helpers/onnx-model.js';
import { pythonWithDatasets, runPythonJson } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A deterministic "model": P(Yes) from the caption's characters. */
function pYes(caption: string): number {
  let h = 0;
  for (const ch of caption) h = (h * 31 + ch.charCodeAt(0)) % 1000;
  return h / 1000;
}
const captionOf = (r: ChatRequest) => /show "(.*)"\?/s.exec(r.text)![1]!;
const answer = (r: ChatRequest): ChatReply => ({ kind: 'json', body: yesNoResponse(pYes(captionOf(r))) });

let input: string;
let inputRows: Record<string, unknown>[];

let inputRoot: string;

// One input dataset for the whole file (tempDir() would remove it after the first test).
beforeAll(async () => {
  inputRoot = await mkdtemp(join(tmpdir(), 'weft-check-input-'));
  input = join(inputRoot, 'images');
  await runJob('demo-images', { count: 40, imagesPerTask: 20 }, { outDir: input, workers: 1 });
  inputRows = [];
  for await (const row of readDatasetRows(input)) inputRows.push(row);
});

afterAll(async () => {
  await rm(inputRoot, { recursive: true, force: true });
});

async function rowsOf(dir: string) {
  const rows: Record<string, unknown>[] = [];
  for await (const row of readDatasetRows(dir)) rows.push(row);
  return rows;
}
async function stagesOf(dir: string): Promise<StageStatsJson[]> {
  return (JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as { stages: StageStatsJson[] }).stages;
}

const vqa = (endpoint: string, cacheDir: string, extra: Record<string, unknown> = {}) => ({
  input,
  scorer: 'vqascore',
  endpoint,
  model: 'test-vlm',
  cacheDir,
  retryBaseMs: 10,
  ...extra,
});

describe('weft check job', () => {
  test('writes the input layout plus a float32 vqascore_score column, and drops below --min-score', async () => {
    const server = await startChatServer(answer);
    const out = join(await tempDir(), 'checked');
    await runJob('check', vqa(server.endpoint, await tempDir(), { minScore: 0.5 }), {
      outDir: out,
      workers: 1,
    });
    const rows = await rowsOf(out);
    const expected = inputRows.filter((r) => pYes(r.caption as string) >= 0.5);
    expect(rows.map((r) => r.caption)).toEqual(expected.map((r) => r.caption));
    for (const row of rows) expect(row.vqascore_score).toBeCloseTo(pYes(row.caption as string), 5);
    expect(rows[0]!.image).toEqual(expected[0]!.image);
    const stages = await stagesOf(out);
    const score = stages.find((s) => s.name === 'score-vqascore')!;
    expect(score.counters.scored).toBe(inputRows.length);
    expect(score.histograms.score!.counts.reduce((a, b) => a + b, 0)).toBe(inputRows.length);
    const policy = stages.find((s) => s.name === 'score-policy')!;
    expect(policy.dropped.score_below_min).toBe(inputRows.length - expected.length);
    const info = JSON.parse(await readFile(join(out, 'dataset_info.json'), 'utf8'));
    expect(info.features.vqascore_score).toEqual({ dtype: 'float32', _type: 'Value' });
    if (pythonWithDatasets) {
      const loaded = runPythonJson<{ n: number; score: number }>(
        'import sys, json; from datasets import load_from_disk; ds = load_from_disk(sys.argv[1]); print(json.dumps({"n": len(ds), "score": ds[0]["vqascore_score"]}))',
        [out],
      );
      expect(loaded.n).toBe(rows.length);
      expect(loaded.score).toBeCloseTo(rows[0]!.vqascore_score as number, 5);
    }
  });

  test('a server that fails stops the run and writes nothing; the same command resumes once it is back', async () => {
    let healthy = false;
    const server = await startChatServer((r) =>
      healthy ? answer(r) : { kind: 'raw', status: 502, text: 'bad gateway' },
    );
    const out = join(await tempDir(), 'checked');
    const options = vqa(server.endpoint, await tempDir(), { retries: 1, breakerThreshold: 3 });
    const error = await runJob('check', options, { outDir: out, workers: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeftError);
    expect((error as WeftError).message).toMatch(
      /model server .*\/v1\/chat\/completions failed 3 samples in a row, each after up to 1 retries .*http_502/,
    );
    expect(existsSync(join(out, 'state.json'))).toBe(false);
    healthy = true;
    const summary = await runJob('check', options, { outDir: out, workers: 1 });
    expect(summary.rows).toBe(inputRows.length);
    expect((await rowsOf(out)).every((r) => typeof r.vqascore_score === 'number')).toBe(true);
  });

  test('--on-server-down unscored writes every sample, unscored, and --min-score keeps them all', async () => {
    const out = join(await tempDir(), 'checked');
    const options = vqa(await deadEndpoint(), await tempDir(), {
      onServerDown: 'unscored',
      minScore: 0.9,
      retries: 0,
    });
    await runJob('check', options, { outDir: out, workers: 1 });
    const rows = await rowsOf(out);
    expect(rows.map((r) => r.sha256)).toEqual(inputRows.map((r) => r.sha256));
    expect(rows.every((r) => r.vqascore_score === null)).toBe(true);
    const stages = await stagesOf(out);
    const unscored = Object.entries(stages.find((s) => s.name === 'score-vqascore')!.counters)
      .filter(([k]) => k.startsWith('unscored.'))
      .reduce((n, [, v]) => n + v, 0);
    expect(unscored).toBe(inputRows.length);
    expect(stages.find((s) => s.name === 'score-policy')!.counters.unscored_kept).toBe(inputRows.length);
  });

  test('--keep-top scores the whole dataset once, then keeps the best fraction (ONNX scorer, cache hits on pass 2)', async () => {
    const dir = await tempDir();
    const tok = wordPieceTokenizer([
      'red',
      'green',
      'blue',
      'orange',
      'purple',
      'yellow',
      'a',
      'on',
      'background',
    ]);
    const table = new Float32Array(tok.vocab.size * 4);
    for (const [word, i] of tok.vocab)
      table.set([word.length % 3, word.length % 5, word.length % 2, 1], i * 4);
    await writeFile(
      join(dir, 'v.onnx'),
      linearImageEncoder(16, Float32Array.from([1, 0, 0, 0.1, 0, 1, 0, 0.1, 0, 0, 1, 0.1]), 4),
    );
    await writeFile(join(dir, 't.onnx'), linearTextEncoder(table, tok.vocab.size, 4));
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tok.tokenizer));
    const clip = {
      input,
      scorer: 'clip',
      imageEncoder: join(dir, 'v.onnx'),
      textEncoder: join(dir, 't.onnx'),
      tokenizer: join(dir, 'tokenizer.json'),
      cacheDir: join(dir, 'cache'),
    };
    const annotated = join(dir, 'annotated');
    await runJob('check', clip, { outDir: annotated, workers: 1 });
    const all = (await rowsOf(annotated)).map((r) => r.clip_score as number);
    expect(all.every((s) => s >= -1 && s <= 1)).toBe(true);
    const top = join(dir, 'top');
    await runJob('check-top', { ...clip, keepTopFraction: 0.25 }, { outDir: top, workers: 1 });
    const kept = (await rowsOf(top)).map((r) => r.clip_score as number);
    const threshold = [...all].sort((a, b) => b - a)[Math.ceil(0.25 * all.length) - 1]!;
    expect(kept).toEqual(all.filter((s) => s >= threshold));
    const stages = await stagesOf(top);
    expect(stages.find((s) => s.name === 'score-clip')!.counters['items.cache_hits']).toBe(all.length);
    expect(stages.find((s) => s.name === 'score-policy')!.dropped.below_top_fraction).toBe(
      all.length - kept.length,
    );
  });

  test('runs in worker processes, one task per input shard, rows in input order', async () => {
    const server = await startChatServer(answer);
    const sharded = join(await tempDir(), 'sharded');
    await runJob(
      'demo-images',
      { count: 40, imagesPerTask: 20 },
      { outDir: sharded, workers: 1, maxShardBytes: 120_000 },
    );
    const out = join(await tempDir(), 'checked');
    const summary = await runJob(
      'check',
      { ...vqa(server.endpoint, await tempDir()), input: sharded },
      { outDir: out, workers: 2 },
    );
    expect(summary.tasks.total).toBeGreaterThan(1);
    const rows = await rowsOf(out);
    expect(rows.map((r) => r.sha256)).toEqual((await rowsOf(sharded)).map((r) => r.sha256));
    for (const row of rows) expect(row.vqascore_score).toBeCloseTo(pYes(row.caption as string), 5);
  });

  test('bad options are E_CONFIG errors that name the option', async () => {
    const out = join(await tempDir(), 'x');
    const missing = await runJob('check', { input, scorer: 'vqascore' }, { outDir: out }).catch((e) => e);
    expect((missing as WeftError).code).toBe('E_CONFIG');
    expect((missing as WeftError).message).toMatch(/endpoint: required by --scorer vqascore/);
    const both = await runJob(
      'check',
      { input, scorer: 'nsfw', minScore: 0.1, keepTopFraction: 0.5 },
      { outDir: out },
    ).catch((e) => e);
    expect((both as WeftError).message).toMatch(/keepTopFraction: choose either/);
  });
});
