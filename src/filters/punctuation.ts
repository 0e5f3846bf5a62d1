// Share of sentence punctuation (`, ; : ? ! .`) among word-and-mark tokens: prose has some, lists of
// links and tag clouds have none.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';

export const punctuation = defineTextFilter({
  name: 'punctuation',
  description:
    'Drops text whose punctuation ratio is below minRatio (OBELICS: paragraphs of ≥ 12 tokens 0.001, documents 0.03).',
  options: z.strictObject({
    minRatio: z.number().min(0).max(1),
    /** Shorter texts pass unchecked. */
    minTokens: z.number().int().nonnegative(),
  }),
  defaults: { paragraph: { minRatio: 0.001, minTokens: 12 }, document: { minRatio: 0.03, minTokens: 0 } },
  reasonToDrop(text, { minRatio, minTokens }) {
    const { tokens, marks } = text.punctuation;
    if (tokens < minTokens) return undefined;
    const ratio = tokens === 0 ? 0 : marks / tokens;
    return ratio < minRatio ? 'punctuation_too_low' : undefined;
  },
});
