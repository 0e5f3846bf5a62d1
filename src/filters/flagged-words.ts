// Share of flagged (obscene / sexual) words, from the LDNOOBW English list in `naughty-words`.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';
import { englishFlaggedWords } from './text/word-lists.js';

export const flaggedWords = defineTextFilter({
  name: 'flagged-words',
  description: 'Drops text whose flagged-word ratio exceeds maxRatio (OBELICS: 0.01 at both levels).',
  options: z.strictObject({ maxRatio: z.number().min(0).max(1) }),
  defaults: { paragraph: { maxRatio: 0.01 }, document: { maxRatio: 0.01 } },
  reasonToDrop(text, { maxRatio }) {
    const ratio = text.metric('flagged_words', () => {
      const words = text.wordCount;
      return words === 0 ? 0 : text.countIn(englishFlaggedWords()) / words;
    });
    return ratio > maxRatio ? 'flagged_words_too_high' : undefined;
  },
});
