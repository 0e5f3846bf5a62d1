// `weft sft` on the real SFT samples: LLaVA's COCO Q/A and captions (with pictures made here, since the
// COCO images are not in the corpora), LLaMA-Factory's multi-turn demo with its images, and its video
// and audio demos, which must be refused with a counted reason.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { sha256Hex } from '../../src/records/image.js';
import type { SftOptionsInput } from '../../src/sft/config.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { pythonWithDatasets, runPythonJson } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildSft, counter, dropped, noisePicture, writeFileIn } from './fixtures.js';

const LLAVA = corpus('sft/llava');
const FACTORY = corpus('sft/llama-factory');

async function readJsonl(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * The COCO pictures the LLaVA files name: captions use `000000NNNNNN.jpg`, the Q/A file
 * `COCO_val2014_000000NNNNNN.jpg`. Both names get the same pixels saved with different PNG compression,
 * so the files differ but the decoded pictures are the same.
 */
async function makeCocoPictures(dir: string): Promise<Map<string, number>> {
  const captions = await readJsonl(join(LLAVA, 'caps_boxes_coco2014_val_80.jsonl'));
  const seeds = new Map<string, number>();
  for (const [i, row] of captions.entries()) {
    const name = String(row.image);
    seeds.set(name, i);
    await writeFileIn(dir, name, await noisePicture(i, { format: 'png', compressionLevel: 9 }));
    await writeFileIn(
      dir,
      `COCO_val2014_${name}`,
      await noisePicture(i, { format: 'png', compressionLevel: 1 }),
    );
  }
  return seeds;
}

function llavaConfig(imageDir: string): SftOptionsInput {
  return {
    seed: 7,
    sources: [
      {
        name: 'llava-qa',
        path: join(LLAVA, 'coco2014_val_gpt4_qa_30x3.jsonl'),
        format: 'fields',
        fields: { question: 'instruction', answer: 'output', image: 'image', id: 'id' },
        imageRoot: imageDir,
      },
      {
        name: 'coco-captions',
        path: join(LLAVA, 'caps_boxes_coco2014_val_80.jsonl'),
        format: 'caption',
        fields: { caption: 'captions', image: 'image', id: 'id' },
        imageRoot: imageDir,
      },
    ],
    merge: { maxTurns: 10 },
  };
}

describe.skipIf(!hasCorpora)('weft sft on the LLaVA samples', () => {
  test('Q/A rows and captions about the same picture merge into one conversation per picture', async () => {
    const work = await tempDir();
    await makeCocoPictures(join(work, 'coco'));
    const qa = await readJsonl(join(LLAVA, 'coco2014_val_gpt4_qa_30x3.jsonl'));
    const captions = await readJsonl(join(LLAVA, 'caps_boxes_coco2014_val_80.jsonl'));
    const { rows, summary } = await buildSft(llavaConfig(join(work, 'coco')), join(work, 'out'));

    // 80 captioned pictures; 30 of them also have 3 Q/A rows each.
    expect(rows).toHaveLength(80);
    expect(rows.every((r) => r.images.length === 1)).toBe(true);
    const turnCounts = rows.map((r) => r.texts.length).sort();
    expect(turnCounts.filter((n) => n === 4)).toHaveLength(30);
    expect(turnCounts.filter((n) => n === 1)).toHaveLength(50);
    expect(rows.reduce((n, r) => n + r.texts.length, 0)).toBe(qa.length + captions.length);

    // Every merged conversation holds the 3 Q/A turns of its picture and one caption turn.
    const qaByAnswer = new Map(qa.map((r) => [String(r.output), r]));
    for (const row of rows.filter((r) => r.texts.length === 4)) {
      const qaTurns = row.texts.filter((t) => t.source === 'llava-qa');
      expect(qaTurns).toHaveLength(3);
      expect(row.texts.filter((t) => t.source === 'coco-captions')).toHaveLength(1);
      const images = new Set(qaTurns.map((t) => qaByAnswer.get(t.assistant)?.image));
      expect(images.size).toBe(1);
    }
    // Each caption turn answers with one of its picture's real captions.
    const allCaptions = new Set(captions.flatMap((c) => c.captions as string[]));
    for (const row of rows)
      for (const t of row.texts.filter((x) => x.source === 'coco-captions'))
        expect(allCaptions.has(t.assistant)).toBe(true);

    // The same dataset, byte for byte, from two worker processes.
    const parallel = await buildSft(llavaConfig(join(work, 'coco')), join(work, 'out2'), 2);
    const shard = (dir: string) => readFile(join(work, dir, 'data-00000-of-00001.arrow'));
    expect(parallel.rows).toHaveLength(80);
    expect((await shard('out2')).equals(await shard('out'))).toBe(true);
    if (pythonWithDatasets) {
      const loaded = runPythonJson<{ rows: number; turns: Record<string, number>; sources: string[] }>(
        `
import collections, json, sys
from datasets import load_from_disk
ds = load_from_disk(sys.argv[1])
print(json.dumps({"rows": len(ds), "turns": collections.Counter(str(len(r["texts"])) for r in ds),
  "sources": sorted({t["source"] for r in ds for t in r["texts"]})}))`,
        [join(work, 'out')],
      );
      expect(loaded).toEqual({
        rows: 80,
        turns: { '1': 50, '4': 30 },
        sources: ['coco-captions', 'llava-qa'],
      });
    }

    expect(counter(summary, 'merged_conversations')).toBe(30);
    expect(counter(summary, 'cross_source_conversations')).toBe(30);
    expect(counter(summary, 'source.llava-qa.turns_written')).toBe(90);
    expect(counter(summary, 'source.coco-captions.turns_written')).toBe(80);
  });

  test('decontaminating against LLaVA-Bench (qa90) removes its pictures and questions', async () => {
    const work = await tempDir();
    await makeCocoPictures(join(work, 'coco'));
    const config = llavaConfig(join(work, 'coco'));
    config.evaluation = [
      {
        name: 'llava-bench',
        path: join(LLAVA, 'qa90_questions.jsonl'),
        format: 'fields',
        fields: { question: 'text', answer: 'category', image: 'image' },
        imageRoot: join(work, 'coco'),
      },
    ];
    const evalRows = await readJsonl(join(LLAVA, 'qa90_questions.jsonl'));
    const evalImages = new Set(evalRows.map((r) => String(r.image)));
    const evalQuestions = new Set(evalRows.map((r) => String(r.text)));
    const qa = await readJsonl(join(LLAVA, 'coco2014_val_gpt4_qa_30x3.jsonl'));
    const { rows, summary } = await buildSft(config, join(work, 'out'));

    // The 30 benchmark pictures are the same pixels as 30 captioned ones (their files differ).
    const coco = await readJsonl(join(LLAVA, 'caps_boxes_coco2014_val_80.jsonl'));
    const pixels = async (bytes: Uint8Array) => sha256Hex(await sharp(bytes).raw().toBuffer());
    const evalPixels = new Set(
      await Promise.all(
        [...evalImages].map(async (name) => pixels(await readFile(join(work, 'coco', name)))),
      ),
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const t of row.texts) expect(evalQuestions.has(t.user)).toBe(false);
      for (const image of row.images) expect(evalPixels.has(await pixels(image.bytes))).toBe(false);
    }
    const qaOnEvalImages = qa.filter((r) =>
      evalImages.has(String(r.image).replace('COCO_val2014_', '')),
    ).length;
    expect(dropped(summary, 'eval_image_exact')).toBe(evalImages.size + qaOnEvalImages);
    expect(dropped(summary, 'eval_question_overlap')).toBeGreaterThan(0);
    expect(counter(summary, 'source.coco-captions.dropped.eval_image_exact')).toBe(evalImages.size);
    expect(rows.filter((r) => r.texts.some((t) => t.source === 'coco-captions'))).toHaveLength(
      coco.length - evalImages.size,
    );
  });
});

describe.skipIf(!hasCorpora)('weft sft on the LLaMA-Factory demos', () => {
  const config = (): SftOptionsInput => ({
    sources: [
      { name: 'mllm-demo', path: join(FACTORY, 'mllm_demo.json'), format: 'sharegpt' },
      { name: 'mllm-video', path: join(FACTORY, 'mllm_video_demo.json'), format: 'sharegpt' },
      { name: 'mllm-audio', path: join(FACTORY, 'mllm_audio_demo.json'), format: 'sharegpt' },
      { name: 'mllm-video-audio', path: join(FACTORY, 'mllm_video_audio_demo.json'), format: 'sharegpt' },
    ],
    template: { imageTokens: 64 },
  });

  test('multi-turn chats merge per picture; video and audio rows are refused with reasons', async () => {
    const work = await tempDir();
    const { rows, summary } = await buildSft(config(), join(work, 'out'), 2);
    // Six chats about three pictures (English and Chinese versions of each) → three conversations.
    expect(rows).toHaveLength(3);
    const pictures = await Promise.all(
      ['1.jpg', '2.jpg', '3.jpg'].map(async (n) =>
        sha256Hex(await readFile(join(FACTORY, 'mllm_demo_data', n))),
      ),
    );
    expect(new Set(rows.map((r) => sha256Hex(r.images[0]!.bytes)))).toEqual(new Set(pictures));
    for (const row of rows) {
      expect(row.images).toHaveLength(1);
      expect(row.texts).toHaveLength(4);
      expect(row.texts.every((t) => t.source === 'mllm-demo' && !t.user.includes('<image>'))).toBe(true);
      expect(row.text?.startsWith('User:<fake_token_around_image><image>')).toBe(true);
      expect(row.text?.match(/<image>/g)).toHaveLength(64);
      expect(row.text?.match(/<end_of_utterance>/g)).toHaveLength(8);
    }
    const first = rows.find((r) => r.texts.some((t) => t.user === 'Who are they?'))!;
    expect(first.texts.map((t) => t.user)).toEqual([
      'Who are they?',
      'What are they doing?',
      '他们是谁？',
      '他们在做什么？',
    ]);
    expect(first.images[0]!.path).toBe('mllm_demo_data/1.jpg');

    expect(counter(summary, 'source.mllm-video.dropped.unsupported_media_video')).toBe(3);
    expect(counter(summary, 'source.mllm-audio.dropped.unsupported_media_audio')).toBe(3);
    expect(counter(summary, 'source.mllm-video-audio.dropped.unsupported_media_video')).toBe(3);
    const ingest = summary.stats!.phases['sft-ingest']!;
    const adapt = ingest.find((s) => s.name === 'adapt')!;
    expect(adapt.in).toBe(15);
    expect(adapt.out).toBe(6);
    const render = summary.stats!.stages.find((s) => s.name === 'render-template')!;
    expect(render.summaries.tokens_estimated?.count).toBe(3);
    expect(render.summaries.tokens).toBeUndefined();
  });

  test.skipIf(!pythonWithDatasets)(
    'Python datasets loads the result with PIL images and the Cauldron features',
    async () => {
      const work = await tempDir();
      const out = join(work, 'out');
      await buildSft(config(), out);
      const result = runPythonJson<{
        features: string;
        rows: number;
        turns: number[];
        sizes: number[][];
        sources: string[];
      }>(
        `
import json, sys
from datasets import load_from_disk
ds = load_from_disk(sys.argv[1])
print(json.dumps({
  "features": str(ds.features),
  "rows": len(ds),
  "turns": sorted(len(r["texts"]) for r in ds),
  "sizes": sorted(list(r["images"][0].size) for r in ds),
  "sources": sorted({t["source"] for r in ds for t in r["texts"]}),
}))`,
        [out],
      );
      expect(result.rows).toBe(3);
      expect(result.turns).toEqual([4, 4, 4]);
      expect(result.sources).toEqual(['mllm-demo']);
      expect(result.features).toContain("'images': List(Image(mode=None, decode=True))");
      expect(result.features).toContain(
        "'texts': List({'user': Value('string'), 'assistant': Value('string'), 'source': Value('string')})",
      );
      expect(result.sizes.every(([w, h]) => w! > 0 && h! > 0)).toBe(true);
    },
  );
});
