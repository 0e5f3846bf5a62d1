import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { WeftError } from '../../src/errors.js';
import { scoreSamples } from '../../src/model-check/score-stage.js';
import type { ScoreItem } from '../../src/model-check/scorer.js';
import { ClipScorer, type ClipScorerOptions } from '../../src/model-check/scorers/clip-onnx.js';
import { silentLogger } from '../../src/pipeline/logger.js';
import { StageStats } from '../../src/pipeline/stats.js';
import { sha256Hex } from '../../src/records/image.js';
import { linearImageEncoder, linearTextEncoder, wordPieceTokenizer } from '../helpers/onnx-model.js';
import { runStage } from '../helpers/run-stage.js';
import { tempDir } from '../helpers/temp-dir.js';

const SIDE = 8;
const DIM = 4;
const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];
// Image encoder: per-channel means projected to 4-D (the 4th axis is shared by every colour).
const PROJECTION = Float32Array.from([1, 0, 0, 0.2, 0, 1, 0, 0.2, 0, 0, 1, 0.2]);
const WORDS = ['red', 'green', 'blue', 'a', 'photo', 'of', 'square'];

function embeddingTable(vocab: Map<string, number>): Float32Array {
  const table = new Float32Array(vocab.size * DIM);
  const row = (word: string, v: number[]) => table.set(v, vocab.get(word)! * DIM);
  row('red', [1, 0, 0, 0]);
  row('green', [0, 1, 0, 0]);
  row('blue', [0, 0, 1, 0]);
  for (const w of ['a', 'photo', 'of', 'square']) row(w, [0, 0, 0, 0.5]);
  row('[CLS]', [0, 0, 0, 0.1]);
  row('[SEP]', [0.05, 0.05, 0.05, 0.1]);
  return table; // [PAD] and [UNK] stay zero
}

async function modelDir() {
  const dir = await tempDir();
  const tok = wordPieceTokenizer(WORDS);
  await writeFile(join(dir, 'vision.onnx'), linearImageEncoder(SIDE, PROJECTION, DIM));
  await writeFile(join(dir, 'text.onnx'), linearTextEncoder(embeddingTable(tok.vocab), tok.vocab.size, DIM));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tok.tokenizer));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tok.config));
  return { dir, vocab: tok.vocab, table: embeddingTable(tok.vocab) };
}

function options(dir: string, overrides: Partial<ClipScorerOptions> = {}): ClipScorerOptions {
  return {
    imageEncoder: join(dir, 'vision.onnx'),
    textEncoder: join(dir, 'text.onnx'),
    tokenizer: join(dir, 'tokenizer.json'),
    imageResize: 'crop',
    imageMean: MEAN as [number, number, number],
    imageStd: STD as [number, number, number],
    maxTextTokens: 16,
    textPrefix: '',
    batchSize: 8,
    executionProvider: 'cpu',
    ...overrides,
  };
}

/** An 8×8 PNG with a pixel pattern from `seed`, and its raw RGB. */
async function patternImage(base: [number, number, number], seed: number) {
  const raw = Buffer.alloc(SIDE * SIDE * 3);
  for (let i = 0; i < SIDE * SIDE; i++)
    for (let c = 0; c < 3; c++)
      raw[i * 3 + c] = Math.max(0, Math.min(255, base[c]! + ((i * 37 + c * 11 + seed * 13) % 41) - 20));
  const bytes = new Uint8Array(
    await sharp(raw, { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .png()
      .toBuffer(),
  );
  return {
    raw,
    image: { bytes, format: 'png' as const, widthPx: SIDE, heightPx: SIDE, sha256: sha256Hex(bytes) },
  };
}

function expectedImageEmbedding(raw: Buffer): number[] {
  const means = [0, 1, 2].map((c) => {
    let sum = 0;
    for (let i = 0; i < SIDE * SIDE; i++) sum += (raw[i * 3 + c]! / 255 - MEAN[c]!) / STD[c]!;
    return sum / (SIDE * SIDE);
  });
  return [0, 1, 2, 3].map((d) => means.reduce((acc, m, c) => acc + m * PROJECTION[c * DIM + d]!, 0));
}

function expectedTextEmbedding(tokens: string[], vocab: Map<string, number>, table: Float32Array): number[] {
  const out = [0, 0, 0, 0];
  for (const t of tokens) for (let d = 0; d < DIM; d++) out[d]! += table[vocab.get(t)! * DIM + d]!;
  return out;
}

function cosine(a: number[], b: number[]): number {
  const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
  return dot / (Math.hypot(...a) * Math.hypot(...b));
}

const ctx = () => ({
  signal: new AbortController().signal,
  stats: new StageStats('score-clip'),
  log: silentLogger,
});

describe('ONNX dual-encoder scorer (onnxruntime-node)', () => {
  test('scores the cosine of the two encoders exactly as the model computes it', async () => {
    const { dir, vocab, table } = await modelDir();
    const scorer = await ClipScorer.load(options(dir), silentLogger);
    const red = await patternImage([200, 30, 40], 1);
    const blue = await patternImage([30, 40, 210], 2);
    const items: ScoreItem[] = [
      { image: red.image, text: 'A red square' },
      { image: red.image, text: 'a BLUE square' },
      { image: blue.image, text: 'a photo of blue' },
    ];
    const outcomes = await scorer.score(items, ctx());
    await scorer.close();
    const expected = [
      cosine(
        expectedImageEmbedding(red.raw),
        expectedTextEmbedding(['[CLS]', 'a', 'red', 'square', '[SEP]'], vocab, table),
      ),
      cosine(
        expectedImageEmbedding(red.raw),
        expectedTextEmbedding(['[CLS]', 'a', 'blue', 'square', '[SEP]'], vocab, table),
      ),
      cosine(
        expectedImageEmbedding(blue.raw),
        expectedTextEmbedding(['[CLS]', 'a', 'photo', 'of', 'blue', '[SEP]'], vocab, table),
      ),
    ];
    expect(outcomes).toEqual(expected.map((score) => ({ ok: true, score: expect.closeTo(score, 5) })));
    // The toy model "sees" colour: the matching caption scores higher.
    const [redRed, redBlue] = outcomes.map((o) => (o.ok ? o.score : Number.NaN));
    expect(redRed!).toBeGreaterThan(redBlue! + 0.3);
  });

  test('reads the input size from the model, truncates long texts keeping the end token, reports bad images per item', async () => {
    const { dir, vocab, table } = await modelDir();
    const scorer = await ClipScorer.load(options(dir, { maxTextTokens: 4 }), silentLogger);
    const red = await patternImage([200, 30, 40], 3);
    const big = await sharp({
      create: { width: 40, height: 20, channels: 3, background: { r: 0, g: 200, b: 0 } },
    })
      .png()
      .toBuffer();
    const green = {
      bytes: new Uint8Array(big),
      format: 'png' as const,
      widthPx: 40,
      heightPx: 20,
      sha256: sha256Hex(big),
    };
    const corrupt = { ...red.image, bytes: red.image.bytes.subarray(0, 30), sha256: 'f'.repeat(64) };
    const outcomes = await scorer.score(
      [
        { image: red.image, text: 'red green blue square' },
        { image: corrupt, text: 'red' },
        { image: green, text: 'green' },
      ],
      ctx(),
    );
    await scorer.close();
    // 4 tokens: [CLS] red green [SEP] (the tail is cut, the end token kept).
    const text = expectedTextEmbedding(['[CLS]', 'red', 'green', '[SEP]'], vocab, table);
    expect(outcomes[0]).toEqual({
      ok: true,
      score: expect.closeTo(cosine(expectedImageEmbedding(red.raw), text), 5),
    });
    expect(outcomes[1]).toMatchObject({ ok: false, reason: 'undecodable_image', blame: 'input' });
    // A 40×20 image is cropped to its centre and scaled to the model's 8×8: still pure green.
    const pureGreen = Buffer.alloc(SIDE * SIDE * 3);
    for (let i = 0; i < SIDE * SIDE; i++) pureGreen[i * 3 + 1] = 200;
    const greenText = expectedTextEmbedding(['[CLS]', 'green', '[SEP]'], vocab, table);
    expect(outcomes[2]).toEqual({
      ok: true,
      score: expect.closeTo(cosine(expectedImageEmbedding(pureGreen), greenText), 4),
    });
  });

  test('the scoring stage hands the encoder batches of batchSize', async () => {
    const { dir } = await modelDir();
    const scorer = await ClipScorer.load(options(dir, { batchSize: 4 }), silentLogger);
    const stage = scoreSamples({
      scorer,
      name: 'clip',
      aggregate: 'min',
      contextChars: 100,
      maxTextChars: 100,
    });
    const records = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => ({
        kind: 'image-text-pair' as const,
        url: `u${i}`,
        caption: i % 2 ? 'a red square' : 'a blue square',
        captionSource: 'alt' as const,
        image: (await patternImage([200, 30, 40], i)).image,
      })),
    );
    const { kept, raw } = await runStage(stage, records);
    await scorer.close();
    expect(kept).toHaveLength(10);
    expect(raw.summaries.get('inference_ms_per_batch')?.count).toBe(3); // 4 + 4 + 2
    const scores = kept.map((r) => r.scores?.clip as number);
    for (let i = 0; i < 10; i += 2) expect(scores[i + 1]!).toBeGreaterThan(scores[i]!);
  });

  test('a missing or broken model file is a clear E_CONFIG error', async () => {
    const { dir } = await modelDir();
    const missing = await ClipScorer.load(
      options(dir, { imageEncoder: join(dir, 'nope.onnx') }),
      silentLogger,
    ).catch((e) => e);
    expect(missing).toBeInstanceOf(WeftError);
    expect((missing as WeftError).code).toBe('E_CONFIG');
    expect((missing as WeftError).message).toContain('nope.onnx');
    await writeFile(join(dir, 'broken.onnx'), 'not a protobuf');
    const broken = await ClipScorer.load(
      options(dir, { textEncoder: join(dir, 'broken.onnx') }),
      silentLogger,
    ).catch((e) => e);
    expect((broken as WeftError).code).toBe('E_CONFIG');
    expect((broken as WeftError).message).toContain('broken.onnx');
  });
});
