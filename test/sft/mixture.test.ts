// Mixture and merging: weights and caps per source, a seeded shuffle, turn caps that split (never
// drop), the same dataset whatever the worker count, and datasets (weft or `datasets`) as sources.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runJob } from '../../src/run/run-job.js';
import type { SftOptionsInput } from '../../src/sft/config.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildSft, counter, noisePicture, writeFileIn, writeJsonl } from './fixtures.js';

async function textSources(dir: string): Promise<SftOptionsInput['sources']> {
  for (const name of ['a', 'b', 'c']) {
    await writeJsonl(
      dir,
      `${name}.jsonl`,
      Array.from({ length: 40 }, (_, i) => ({ question: `${name} question ${i}?`, answer: `${name}-${i}` })),
    );
  }
  return [
    { name: 'a', path: join(dir, 'a.jsonl') },
    { name: 'b', path: join(dir, 'b.jsonl'), weight: 0.5 },
    { name: 'c', path: join(dir, 'c.jsonl'), maxRows: 10 },
  ];
}

test('weights and caps choose a seeded sample per source; the shuffle is seeded; workers do not matter', async () => {
  const work = await tempDir();
  const sources = await textSources(work);
  const one = await buildSft({ seed: 1, sources }, join(work, 'w1'), 1);
  const three = await buildSft({ seed: 1, sources }, join(work, 'w3'), 3);
  const answers = (rows: typeof one.rows) => rows.map((r) => r.texts[0]!.assistant);
  const bySource = (rows: typeof one.rows, s: string) => answers(rows).filter((a) => a.startsWith(`${s}-`));
  expect(bySource(one.rows, 'a')).toHaveLength(40);
  expect(bySource(one.rows, 'b')).toHaveLength(20);
  expect(bySource(one.rows, 'c')).toHaveLength(10);
  expect(counter(one.summary, 'source.b.not_selected')).toBe(20);
  expect(counter(one.summary, 'source.c.selected')).toBe(10);
  // The same rows in the same order, byte for byte, with 1 or 3 worker processes (3 tasks here).
  expect(answers(three.rows)).toEqual(answers(one.rows));
  const shards = async (dir: string) => readFile(join(dir, 'data-00000-of-00001.arrow'));
  expect((await shards(join(work, 'w3'))).equals(await shards(join(work, 'w1')))).toBe(true);
  // Shuffled: not in input order. Another seed picks other rows of b and orders them differently.
  expect(answers(one.rows)).not.toEqual([...answers(one.rows)].sort());
  const other = await buildSft({ seed: 2, sources }, join(work, 's2'), 1);
  expect(new Set(bySource(other.rows, 'b'))).not.toEqual(new Set(bySource(one.rows, 'b')));
  const unshuffled = await buildSft({ seed: 1, sources, mixture: { shuffle: false } }, join(work, 'ns'), 1);
  expect(answers(unshuffled.rows).slice(0, 3)).toEqual(['a-0', 'a-1', 'a-2']);
});

test('a merged conversation over maxTurns is split into several rows, never cut short', async () => {
  const work = await tempDir();
  await writeFileIn(work, 'pic.jpg', await noisePicture(8));
  const single = Array.from({ length: 7 }, (_, i) => ({
    messages: [
      { role: 'user', content: `Q${i}` },
      { role: 'assistant', content: `A${i}` },
    ],
    images: ['pic.jpg'],
  }));
  const long = {
    messages: Array.from({ length: 5 }, (_, i) => [
      { role: 'user', content: `L${i}` },
      { role: 'assistant', content: `M${i}` },
    ]).flat(),
    images: ['pic.jpg'],
  };
  await writeJsonl(work, 'chat.jsonl', [...single, long]);
  const { rows, summary } = await buildSft(
    {
      sources: [{ name: 'chat', path: join(work, 'chat.jsonl'), format: 'sharegpt' }],
      merge: { maxTurns: 4 },
      mixture: { shuffle: false },
    },
    join(work, 'out'),
  );
  expect(rows.map((r) => r.texts.map((t) => t.user))).toEqual([
    ['Q0', 'Q1', 'Q2', 'Q3'],
    ['Q4', 'Q5', 'Q6'],
    ['L0', 'L1', 'L2', 'L3'],
    ['L4'],
  ]);
  expect(rows.every((r) => r.images.length === 1)).toBe(true);
  expect(counter(summary, 'split_conversations')).toBe(4);
});

test('datasets as sources: image-text pairs become caption instructions; a Cauldron dataset is re-read', async () => {
  const work = await tempDir();
  await runJob(
    'demo-images',
    { count: 12, imagesPerTask: 6 },
    { outDir: join(work, 'pairs'), workers: 1, durable: false },
  );
  const first = await buildSft(
    {
      sources: [
        {
          name: 'captions',
          path: join(work, 'pairs'),
          format: 'caption',
          fields: { caption: 'caption', image: 'image' },
          prompts: ['Describe.'],
        },
      ],
    },
    join(work, 'sft1'),
  );
  expect(first.rows.length).toBeGreaterThan(6);
  for (const row of first.rows) {
    expect(row.texts).toEqual([
      {
        user: 'Describe.',
        assistant: expect.stringMatching(/^A \w+ \w+ on a \w+ background\.$/),
        source: 'captions',
      },
    ]);
  }
  // The first output, read back as a source in The Cauldron layout, merged with a second source on the same pictures.
  const second = await buildSft(
    {
      sources: [
        { name: 'again', path: join(work, 'sft1'), format: 'cauldron' },
        {
          name: 'colours',
          path: join(work, 'pairs'),
          format: 'caption',
          fields: { caption: 'caption', image: 'image' },
          prompts: ['Name the colours.'],
        },
      ],
    },
    join(work, 'sft2'),
  );
  expect(second.rows).toHaveLength(first.rows.length);
  for (const row of second.rows) expect(row.texts.map((t) => t.source).sort()).toEqual(['again', 'colours']);
});
