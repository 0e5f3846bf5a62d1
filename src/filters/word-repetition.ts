// Word n-gram repetition (OBELICS, n = 5): the share of word n-grams that occur more than once.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';
import { wordRepetitionRatio } from './text/repetition.js';

export const wordRepetition = defineTextFilter({
  name: 'word-repetition',
  description:
    'Drops text whose word n-gram repetition ratio exceeds maxRatio (OBELICS: n = 5; paragraphs 0.1, documents 0.2).',
  options: z.strictObject({
    /** Word n-gram length. */
    n: z.number().int().min(1).max(50).default(5),
    maxRatio: z.number().min(0).max(1),
  }),
  defaults: { paragraph: { maxRatio: 0.1 }, document: { maxRatio: 0.2 } },
  reasonToDrop(text, { n, maxRatio }) {
    const ratio = text.metric(`word_repetition_${n}`, () => wordRepetitionRatio(text.wordHashes, n));
    return ratio > maxRatio ? 'word_repetition_too_high' : undefined;
  },
});
