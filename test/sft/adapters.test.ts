// Source adapters: each format's rows → turns and image references, and the reasons bad rows get.
import { expect, test } from 'vitest';
import { adaptRow } from '../../src/sft/adapters.js';
import { SourceConfig, type SourceConfig as SourceConfigType } from '../../src/sft/config.js';

function source(partial: Record<string, unknown>): SourceConfigType {
  return SourceConfig.parse({ name: 's', path: 'x.jsonl', ...partial });
}
const ctx = { seed: 3, rowId: 'x.jsonl:1' };

test('fields: mapped question, answer and images (nested paths, lists, numbers as text)', () => {
  const result = adaptRow(
    { data: { q: 'How many?', a: 3 }, pics: ['a.jpg', 'https://e.com/b.png'] },
    source({ fields: { question: 'data.q', answer: 'data.a', images: 'pics' } }),
    ctx,
  );
  expect(result).toEqual({
    row: {
      turns: [{ user: 'How many?', assistant: '3' }],
      images: [
        { kind: 'path', path: 'a.jpg' },
        { kind: 'url', url: 'https://e.com/b.png' },
      ],
      checkQuestions: true,
    },
  });
  expect(adaptRow({ question: 'Hi' }, source({}), ctx)).toMatchObject({
    problem: { reason: 'missing_field', message: 'answer field "answer" is missing' },
  });
  expect(
    adaptRow({ question: 'Hi', answer: 'ok', img: null }, source({ fields: { image: 'img' } }), ctx),
  ).toMatchObject({
    problem: { reason: 'missing_field', message: 'image field "img" is missing' },
  });
});

test('caption: one prompt per row chosen from the seed and row id, the same every time', () => {
  const prompts = ['P1', 'P2', 'P3', 'P4', 'P5'];
  const config = source({ format: 'caption', prompts, fields: { caption: 'captions' } });
  const chosen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const row = { captions: ['A dog.', 'A brown dog.'], image: 'd.jpg' };
    const a = adaptRow(row, config, { seed: 1, rowId: `r${i}` });
    const b = adaptRow(row, config, { seed: 1, rowId: `r${i}` });
    expect(a).toEqual(b);
    if (!('row' in a)) throw new Error('expected a row');
    expect(a.row.checkQuestions).toBe(false);
    expect(['A dog.', 'A brown dog.']).toContain(a.row.turns[0]!.assistant);
    chosen.add(a.row.turns[0]!.user);
  }
  expect(chosen.size).toBe(prompts.length);
  const all = adaptRow({ captions: ['One.', 'Two.'], image: 'd.jpg' }, { ...config, captions: 'all' }, ctx);
  expect('row' in all && all.row.turns.map((t) => t.assistant)).toEqual(['One.', 'Two.']);
});

test('llava: conversations with <image> placeholders; text-only rows have no image', () => {
  const row = {
    id: '1',
    image: 'coco/1.jpg',
    conversations: [
      { from: 'human', value: '<image>\nWhat is this?' },
      { from: 'gpt', value: 'A cat.' },
      { from: 'human', value: 'Its colour?' },
      { from: 'gpt', value: 'Black.' },
    ],
  };
  expect(adaptRow(row, source({ format: 'llava' }), ctx)).toEqual({
    row: {
      turns: [
        { user: 'What is this?', assistant: 'A cat.' },
        { user: 'Its colour?', assistant: 'Black.' },
      ],
      images: [{ kind: 'path', path: 'coco/1.jpg' }],
      checkQuestions: true,
    },
  });
  const textOnly = adaptRow({ conversations: row.conversations.slice(2) }, source({ format: 'llava' }), ctx);
  expect('row' in textOnly && textOnly.row.images).toEqual([]);
  expect(
    adaptRow({ conversations: [{ from: 'gpt', value: 'Hi' }] }, source({ format: 'llava' }), ctx),
  ).toMatchObject({
    problem: { reason: 'unpaired_turn' },
  });
});

test('sharegpt (LLaMA-Factory): system prompts skipped, tag count checked, video and audio refused', () => {
  const messages = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: '<image><image>Compare them.' },
    { role: 'assistant', content: 'Left is larger.' },
  ];
  const ok = adaptRow({ messages, images: ['a.jpg', 'b.jpg'] }, source({ format: 'sharegpt' }), ctx);
  expect('row' in ok && ok.row.turns).toEqual([{ user: 'Compare them.', assistant: 'Left is larger.' }]);
  expect(adaptRow({ messages, images: ['a.jpg'] }, source({ format: 'sharegpt' }), ctx)).toMatchObject({
    problem: { reason: 'image_tag_mismatch' },
  });
  expect(adaptRow({ messages, videos: ['v.mp4'] }, source({ format: 'sharegpt' }), ctx)).toMatchObject({
    problem: { reason: 'unsupported_media_video' },
  });
  const audioTag = [
    { role: 'user', content: '<audio>What is that?' },
    { role: 'assistant', content: 'Rain.' },
  ];
  expect(adaptRow({ messages: audioTag }, source({ format: 'sharegpt' }), ctx)).toMatchObject({
    problem: { reason: 'unsupported_media_audio' },
  });
  const renamed = adaptRow(
    {
      conversations: [
        { from: 'human', value: 'Hi' },
        { from: 'gpt', value: 'Hello' },
      ],
    },
    source({
      format: 'sharegpt',
      conversation: { messages: 'conversations', role: 'from', content: 'value' },
    }),
    ctx,
  );
  expect('row' in renamed && renamed.row.turns).toEqual([{ user: 'Hi', assistant: 'Hello' }]);
});

test('openai: content parts with image_url (path, URL or data URI) and text', () => {
  const row = {
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'charts/1.png' } },
          { type: 'text', text: 'What is the peak?' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'March.' }] },
    ],
  };
  expect(adaptRow(row, source({ format: 'openai' }), ctx)).toEqual({
    row: {
      turns: [{ user: 'What is the peak?', assistant: 'March.' }],
      images: [{ kind: 'path', path: 'charts/1.png' }],
      checkQuestions: true,
    },
  });
  const video = {
    messages: [{ role: 'user', content: [{ type: 'video_url', video_url: { url: 'a.mp4' } }] }],
  };
  expect(adaptRow(video, source({ format: 'openai' }), ctx)).toMatchObject({
    problem: { reason: 'unsupported_media_video' },
  });
});

test('cauldron: rows already in the layout are re-read (images as {bytes, path} cells)', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const result = adaptRow(
    { images: [{ bytes, path: null }], texts: [{ user: 'Q', assistant: 'A', source: 'old' }] },
    source({ format: 'cauldron' }),
    ctx,
  );
  expect(result).toEqual({
    row: { turns: [{ user: 'Q', assistant: 'A' }], images: [{ kind: 'bytes', bytes }], checkQuestions: true },
  });
});

test('the README example config is valid', async () => {
  const { readFile } = await import('node:fs/promises');
  const { parse } = await import('yaml');
  const { SftOptions } = await import('../../src/sft/config.js');
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /### `weft sft`[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const parsed = SftOptions.safeParse(parse(block!));
  expect(parsed.error?.issues).toBeUndefined();
  expect(parsed.data?.sources).toHaveLength(4);
});
