// The Idefics2 training text and its token counts: real counts from a tokenizer.json the test writes
// (loaded offline by @huggingface/tokenizers), and estimates labelled as such without one.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { estimatingCounter, loadTokenizerCounter, renderIdefics2 } from '../../src/sft/chat-template.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildSft, noisePicture, writeFileIn, writeJsonl } from './fixtures.js';

const SPECIALS = ['<s>', '<image>', '<fake_token_around_image>', '<end_of_utterance>'];

/** A word-level tokenizer.json (the Rust `tokenizers` format) over the given words, adding a BOS token. */
function tokenizerJson(words: Iterable<string>): object {
  const vocab: Record<string, number> = { '[UNK]': 0 };
  for (const token of [...SPECIALS, ...words]) vocab[token] ??= Object.keys(vocab).length;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content) => ({
      id: vocab[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [vocab['<s>']], tokens: ['<s>'] } },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
}

/** An independent count for that tokenizer: BOS + special tokens + Whitespace pieces (\w+|[^\w\s]+). */
function expectedCount(text: string): number {
  let specials = 0;
  const rest = text.replace(/<image>|<fake_token_around_image>|<end_of_utterance>/g, () => {
    specials += 1;
    return ' ';
  });
  return 1 + specials + (rest.match(/\w+|[^\w\s]+/g)?.length ?? 0);
}

test('renders the Idefics2 format: images in the first user turn, adjacent images share a fake token', () => {
  const turns = [
    { user: 'What is it?', assistant: 'A cat.' },
    { user: 'Colour?', assistant: 'Black.' },
  ];
  expect(renderIdefics2(1, turns, { imageTokens: 2, fakeTokenAroundImage: true })).toBe(
    'User:<fake_token_around_image><image><image><fake_token_around_image>What is it?<end_of_utterance>\n' +
      'Assistant: A cat.<end_of_utterance>\nUser: Colour?<end_of_utterance>\nAssistant: Black.<end_of_utterance>\n',
  );
  expect(renderIdefics2(2, turns.slice(0, 1), { imageTokens: 1, fakeTokenAroundImage: true })).toBe(
    'User:<fake_token_around_image><image><fake_token_around_image><image><fake_token_around_image>What is it?<end_of_utterance>\nAssistant: A cat.<end_of_utterance>\n',
  );
  expect(renderIdefics2(0, turns.slice(0, 1), { imageTokens: 64, fakeTokenAroundImage: true })).toBe(
    'User: What is it?<end_of_utterance>\nAssistant: A cat.<end_of_utterance>\n',
  );
  expect(renderIdefics2(1, turns.slice(0, 1), { imageTokens: 3, fakeTokenAroundImage: false })).toBe(
    'User:<image><image><image>What is it?<end_of_utterance>\nAssistant: A cat.<end_of_utterance>\n',
  );
});

test('token counts come from a local tokenizer.json when given, else are labelled estimates', async () => {
  const work = await tempDir();
  const rows = [];
  const words = new Set(['User', 'Assistant', ':']);
  for (let i = 0; i < 6; i++) {
    await writeFileIn(work, `p${i}.jpg`, await noisePicture(i));
    const question = `How many shapes are in picture number ${i} ?`;
    const answer = `There are ${i + 2} shapes , all of them round .`;
    for (const w of `${question} ${answer}`.match(/\w+|[^\w\s]+/g)!) words.add(w);
    rows.push({ question, answer, image: `p${i}.jpg` });
  }
  await writeJsonl(work, 'qa.jsonl', rows);
  const tokenizerPath = await writeFileIn(work, 'tok/tokenizer.json', JSON.stringify(tokenizerJson(words)));
  const counter = loadTokenizerCounter(tokenizerPath);
  expect(counter.count('User: How many ?<end_of_utterance>\n')).toBe(
    expectedCount('User: How many ?<end_of_utterance>\n'),
  );

  const base = { sources: [{ name: 'qa', path: join(work, 'qa.jsonl'), fields: { image: 'image' } }] };
  const real = await buildSft(
    { ...base, template: { imageTokens: 16, tokenizer: tokenizerPath } },
    join(work, 'real'),
  );
  const render = real.summary.stats!.stages.find((s) => s.name === 'render-template')!;
  const texts = real.rows.map((r) => r.text!);
  expect(texts).toHaveLength(6);
  expect(render.summaries.tokens?.sum).toBe(texts.reduce((n, t) => n + expectedCount(t), 0));
  expect(render.summaries.tokens?.min).toBe(Math.min(...texts.map(expectedCount)));
  expect(render.summaries.tokens_estimated).toBeUndefined();
  expect(render.counters.token_counts_from_tokenizer).toBe(0);

  const estimated = await buildSft({ ...base, template: { imageTokens: 16 } }, join(work, 'estimated'));
  const stage = estimated.summary.stats!.stages.find((s) => s.name === 'render-template')!;
  expect(stage.summaries.tokens).toBeUndefined();
  expect(stage.summaries.tokens_estimated?.count).toBe(6);
  expect(stage.summaries.tokens_estimated?.sum).toBe(
    estimated.rows.reduce((n, r) => n + estimatingCounter.count(r.text!), 0),
  );
  // Image tokens are counted exactly even in the estimate: 16 + 2 fake tokens + 2 end-of-utterance.
  expect(
    estimatingCounter.count(
      renderIdefics2(1, [{ user: '', assistant: '' }], { imageTokens: 16, fakeTokenAroundImage: true }),
    ),
  ).toBe(20 + Math.ceil('User:\nAssistant: \n'.length / 4));
});

test('a tokenizer path that does not load is a config error', () => {
  expect(() => loadTokenizerCounter('/nonexistent/tokenizer.json')).toThrow(
    /template\.tokenizer: cannot load/,
  );
});
