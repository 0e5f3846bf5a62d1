// C4's cleaning rules with datatrove's defaults. Line level: citation marks ([1], [edit], [citation
// needed]) are removed from every line first; then lines without terminal punctuation, with fewer than
// 3 words, with an overlong word, mentioning javascript or a cookie/terms policy go.
// Document level: lorem ipsum or a curly bracket drops the document, and so do fewer than 5 sentences.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';

const END_PUNCTUATION = ['.', '?', '!', '"', "'", '”', '’'];
const POLICY = [
  'terms of use',
  'privacy policy',
  'cookie policy',
  'uses cookies',
  'use of cookies',
  'use cookies',
];

/** datatrove's CITATION_REGEX: Wikipedia-style reference marks, removed from every line kept. */
const CITATION = /\[\d*\]|\[edit\]|\[citation needed\]/g;

function sentenceCount(line: string): number {
  const ends = line.match(/[.!?]+(?=\s|["'”’)]*$|["'”’)]+\s)/g)?.length ?? 0;
  return Math.max(ends, line.trim() === '' ? 0 : 1);
}

export const c4Quality = defineTextFilter({
  name: 'c4-quality',
  description:
    'C4 cleaning (datatrove defaults): line rules at line level, lorem ipsum / curly bracket / sentences at document level.',
  options: z.strictObject({
    removeCitations: z.boolean().default(true),
    filterNoTerminalPunct: z.boolean().default(true),
    minWordsPerLine: z.number().int().nonnegative().default(3),
    maxWordLength: z.number().int().positive().default(1000),
    filterJavascript: z.boolean().default(true),
    filterPolicy: z.boolean().default(true),
    filterLoremIpsum: z.boolean().default(true),
    filterCurlyBracket: z.boolean().default(true),
    minNumSentences: z.number().int().nonnegative().default(5),
  }),
  defaults: { line: {}, document: {} },
  rewrite: (text, o) => (o.removeCitations && text.includes('[') ? text.replace(CITATION, '') : text),
  reasonToDrop(text, o) {
    if (text.level === 'document') {
      const lower = text.text.toLowerCase();
      if (o.filterLoremIpsum && lower.includes('lorem ipsum')) return 'lorem_ipsum';
      if (o.filterCurlyBracket && text.text.includes('{')) return 'curly_bracket';
      const sentences = text.lines.reduce((n, l) => n + sentenceCount(l), 0);
      return sentences < o.minNumSentences ? 'too_few_sentences' : undefined;
    }
    const line = text.text.trim();
    const words = text.tokens;
    if (words.some((w) => w.length > o.maxWordLength)) return 'line_too_long_word';
    if (o.filterNoTerminalPunct && (!END_PUNCTUATION.some((p) => line.endsWith(p)) || line.endsWith('...')))
      return 'line_no_terminal_punct';
    if (words.length < o.minWordsPerLine) return 'line_too_few_words';
    const lower = line.toLowerCase();
    if (o.filterJavascript && lower.includes('javascript')) return 'line_javascript';
    if (o.filterPolicy && POLICY.some((p) => lower.includes(p))) return 'line_policy';
    return undefined;
  },
});
