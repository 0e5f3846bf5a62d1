// Gopher, C4 and FineWeb rules (datatrove defaults): each reason on a hand-made document, and a
// well-formed prose document that passes all of them.
import { expect, test } from 'vitest';
import { seededRandom, syntheticParagraph } from '../../src/demo/synthetic-text.js';
import { c4Quality } from '../../src/filters/c4-quality.js';
import { finewebQuality } from '../../src/filters/fineweb-quality.js';
import { gopherQuality } from '../../src/filters/gopher-quality.js';
import { gopherRepetition } from '../../src/filters/gopher-repetition.js';
import { runStage } from '../helpers/run-stage.js';
import { doc, texts } from '../helpers/web-docs.js';

const random = seededRandom(3);
const prose = Array.from({ length: 5 }, () => syntheticParagraph(random, 4)).join('\n\n');

async function reason(stage: Parameters<typeof runStage>[0], text: string): Promise<string> {
  const { stats } = await runStage(stage, [doc('https://example.com/', text)]);
  const key = Object.keys(stats).find((k) => k.startsWith('dropped.'));
  return key ? key.slice(8) : 'kept';
}

test('gopher-quality: each rule', async () => {
  const g = gopherQuality.at('document');
  expect(await reason(g, prose)).toBe('kept');
  expect(await reason(g, 'the cat and the dog with that')).toBe('gopher_short_doc');
  expect(await reason(g, Array.from({ length: 60 }, () => 'of to be an').join(' '))).toBe(
    'gopher_below_avg_word_length',
  );
  expect(await reason(g, `${prose} ${'#tag '.repeat(40)}`)).toBe('gopher_too_many_hashes');
  expect(
    await reason(
      g,
      prose
        .replace(/\n\n/g, ' ')
        .split('. ')
        .map((s) => `- ${s}`)
        .join('\n'),
    ),
  ).toBe('gopher_too_many_bullets');
  expect(await reason(g, prose.replace(/\n\n/g, ' ').split('. ').join('...\n'))).toBe(
    'gopher_too_many_end_ellipsis',
  );
  expect(
    await reason(g, Array.from({ length: 60 }, (_, i) => `garden${i} meadows 1234 5678 9012`).join(' ')),
  ).toBe('gopher_below_alpha_threshold');
  expect(await reason(g, Array.from({ length: 60 }, (_, i) => `garden meadow orchard${i}`).join(' '))).toBe(
    'gopher_enough_stop_words',
  );
  expect(gopherQuality.at('document', { minDocWords: 5 }).options.minDocWords).toBe(5);
});

test('gopher-repetition: duplicated paragraphs, lines and n-grams', async () => {
  const g = gopherRepetition.at('document');
  expect(await reason(g, prose)).toBe('kept');
  const [p1, p2] = prose.split('\n\n');
  expect(await reason(g, [p1, p2, p1, p1].join('\n\n'))).toBe('dup_para_frac');
  expect(await reason(g, [p1, p2, 'Subscribe now.', 'Subscribe now.', 'Subscribe now.'].join('\n'))).toBe(
    'dup_line_frac',
  );
  expect(await reason(g, `${p1} ${'buy cheap shoes '.repeat(30)}`)).toBe('top_2_gram');
});

test('c4-quality: line rules remove lines, document rules drop documents', async () => {
  const line = c4Quality.at('line');
  const page = [
    'The festival opened in the old square, and the crowd cheered for the musicians.',
    'Home | About | Contact',
    'Please enable JavaScript to view the comments.',
    'This site uses cookies, see our privacy policy.',
    'Too short.',
    'The bakery sold every loaf before noon, which surprised the owner.',
  ].join('\n');
  const { kept, stats } = await runStage(line, [doc('https://example.com/', page)]);
  expect(texts(kept[0]!)[0]!.split('\n')).toEqual([
    'The festival opened in the old square, and the crowd cheered for the musicians.',
    'The bakery sold every loaf before noon, which surprised the owner.',
  ]);
  expect(stats).toMatchObject({
    lines_in: 6,
    lines_kept: 2,
    'lines_dropped.line_no_terminal_punct': 1,
    'lines_dropped.line_javascript': 1,
    'lines_dropped.line_policy': 1,
    'lines_dropped.line_too_few_words': 1,
  });
  const d = c4Quality.at('document');
  expect(await reason(d, prose)).toBe('kept');
  expect(await reason(d, `${prose}\nLorem ipsum dolor sit amet.`)).toBe('lorem_ipsum');
  expect(await reason(d, `${prose}\nfunction x() { return 1; }`)).toBe('curly_bracket');
  expect(await reason(d, 'One sentence here. Two sentences here. Three.')).toBe('too_few_sentences');
});

test('c4-quality: citation marks are removed from the lines kept (datatrove remove_citations)', async () => {
  const page = [
    'The river floods every spring.[1] Farmers plant after the water recedes.[23]',
    'History[edit]',
    'The first bridge was built in 1820.[citation needed]',
    '[4]',
    'A line with [brackets] of its own stays as it is.',
  ].join('\n');
  const { kept, stats } = await runStage(c4Quality.at('line'), [doc('https://example.com/', page)]);
  expect(texts(kept[0]!)[0]!.split('\n')).toEqual([
    'The river floods every spring. Farmers plant after the water recedes.',
    'The first bridge was built in 1820.',
    'A line with [brackets] of its own stays as it is.',
  ]);
  expect(stats).toMatchObject({
    lines_in: 5,
    lines_kept: 3,
    lines_rewritten: 4,
    // "History" (after "[edit]" goes) has no terminal punctuation; "[4]" leaves an empty line.
    'lines_dropped.line_no_terminal_punct': 2,
  });
  const untouched = await runStage(c4Quality.at('line', { removeCitations: false }), [
    doc('https://example.com/', 'The river floods[1] every spring.'),
  ]);
  expect(texts(untouched.kept[0]!)[0]).toBe('The river floods[1] every spring.');
  expect(untouched.stats.lines_rewritten).toBeUndefined();
});

test('fineweb-quality: line punctuation, short lines, duplicated lines, list ratio', async () => {
  const f = finewebQuality.at('document');
  expect(await reason(f, prose)).toBe('kept');
  expect(
    await reason(
      f,
      Array.from({ length: 10 }, (_, i) => `a long heading line without an ending number ${i}`).join('\n'),
    ),
  ).toBe('line_punct_ratio');
  expect(
    await reason(
      f,
      `${prose}\nShort one.\nAnother one.\nA third.\nA fourth.\nFifth.\nSixth.\nSeventh.\nEighth.\nNinth.\nTenth.\nEleven.`,
    ),
  ).toBe('short_line_ratio');
  const [p1, p2] = prose.split('\n\n');
  expect(await reason(f, [p1, p2, p1].join('\n'))).toBe('char_dup_ratio');
  expect(
    await reason(
      f,
      Array.from({ length: 30 }, (_, i) => `Extraordinarily-long-hyphenated-identifier-${i} item.`).join(
        '\n',
      ),
    ),
  ).toBe('list_ratio');
});

test.each([
  [49, 'gopher_short_doc'],
  [50, 'kept'],
  [51, 'kept'],
])('gopher-quality at %i words (min 50): %s', async (n, expected) => {
  const words = Array.from(
    { length: n },
    (_, i) => ['the', 'garden', 'and', 'river', 'with', 'harbour'][i % 6],
  );
  expect(await reason(gopherQuality.at('document'), `${words.join(' ')}.`)).toBe(expected);
});

test.each([
  [2, 'line_too_few_words'],
  [3, 'kept'],
  [4, 'kept'],
])('c4-quality line of %i words (min 3): %s', async (n, expected) => {
  const line = `${Array.from({ length: n }, () => 'word').join(' ')}.`;
  const { stats } = await runStage(c4Quality.at('line'), [
    doc('https://example.com/', `${line}\nA full sentence stays here.`),
  ]);
  expect(stats['lines_dropped.line_too_few_words'] ? 'line_too_few_words' : 'kept').toBe(expected);
});

test.each([
  [4, 'too_few_sentences'],
  [5, 'kept'],
  [6, 'kept'],
])('c4-quality document of %i sentences (min 5): %s', async (n, expected) => {
  const text = Array.from({ length: n }, (_, i) => `Sentence number ${i} is here.`).join(' ');
  expect(await reason(c4Quality.at('document'), text)).toBe(expected);
});

test.each([
  [11, 'line_punct_ratio'], // 11 of 100 lines end in punctuation: 0.11 < 0.12
  [12, 'kept'], // 0.12, at
  [13, 'kept'],
])('fineweb-quality with %i of 100 lines ending in punctuation (min 0.12): %s', async (n, expected) => {
  const lines = Array.from({ length: 100 }, (_, i) =>
    `this is a fairly long line of text number ${i}${i < n ? '.' : ''} ok`.replace(
      / ok$/,
      i < n ? '' : ' ok',
    ),
  );
  expect(
    await reason(
      finewebQuality.at('document', { charDuplicatesRatio: 1, newLineRatio: 10 }),
      lines.join('\n'),
    ),
  ).toBe(expected);
});
