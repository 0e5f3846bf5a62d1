// Share of page-furniture words (share / subscribe / cookie / sign-up…); OBELICS removed paragraphs at
// or above 0.12 in its final pass. The word list is weft's own (text/word-lists.ts).
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';
import { SPAM_WORDS } from './text/word-lists.js';

const spamSet = new Set(SPAM_WORDS);

export const spamWords = defineTextFilter({
  name: 'spam-words',
  description: 'Drops text whose spam-word ratio is at or above maxRatio (OBELICS: 0.12).',
  options: z.strictObject({
    maxRatio: z.number().min(0).max(1),
    /** Replaces the built-in list. */
    words: z.array(z.string().min(1)).optional(),
  }),
  defaults: { paragraph: { maxRatio: 0.12 }, document: { maxRatio: 0.12 } },
  reasonToDrop(text, { maxRatio, words }) {
    const list = words ? new Set(words.map((w) => w.toLowerCase())) : spamSet;
    const all = text.words;
    if (all.length === 0) return undefined;
    let n = 0;
    for (const w of all) if (list.has(w)) n += 1;
    return n / all.length >= maxRatio ? 'spam_words_too_high' : undefined;
  },
});
