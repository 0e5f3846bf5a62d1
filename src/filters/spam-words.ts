// Share of page-furniture words (share / subscribe / cookie / sign-up…); OBELICS removed paragraphs at
// or above 0.12 in its final pass. The word list is weft's own (text/word-lists.ts).
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';
import { SPAM_WORDS } from './text/word-lists.js';

const spamSet = new Set(SPAM_WORDS);
/** A custom list as a set, once per stage (its options object, and so the array, live as long). */
const customSets = new WeakMap<string[], ReadonlySet<string>>();
function setOf(words: string[]): ReadonlySet<string> {
  let set = customSets.get(words);
  if (!set) {
    set = new Set(words.map((w) => w.toLowerCase()));
    customSets.set(words, set);
  }
  return set;
}

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
    const all = text.wordCount;
    if (all === 0) return undefined;
    return text.countIn(words ? setOf(words) : spamSet) / all >= maxRatio ? 'spam_words_too_high' : undefined;
  },
});
