// Number of words (OBELICS words): too short fragments and overlong dumps both go.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';

export const wordCount = defineTextFilter({
  name: 'word-count',
  description:
    'Keeps text whose word count is within [min, max] (OBELICS: paragraphs 4–1,000, documents 10–2,000).',
  options: z.strictObject({
    min: z.number().int().nonnegative(),
    max: z.number().int().positive(),
  }),
  defaults: {
    paragraph: { min: 4, max: 1000 },
    line: { min: 1, max: 1000 },
    document: { min: 10, max: 2000 },
  },
  reasonToDrop(text, { min, max }) {
    const n = text.wordCount;
    if (n < min) return 'too_few_words';
    if (n > max) return 'too_many_words';
    return undefined;
  },
});
