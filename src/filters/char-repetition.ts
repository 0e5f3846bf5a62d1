// Character n-gram repetition (OBELICS, n = 10): the share of the most repeated n-grams. High values
// mean menus, repeated headers and keyword stuffing.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';
import { charRepetitionRatio } from './text/repetition.js';

export const charRepetition = defineTextFilter({
  name: 'char-repetition',
  description: 'Drops text whose character n-gram repetition ratio exceeds maxRatio (OBELICS: n = 10, 0.1).',
  options: z.strictObject({
    /** Character n-gram length. */
    n: z.number().int().min(1).max(100).default(10),
    maxRatio: z.number().min(0).max(1),
  }),
  defaults: { paragraph: { maxRatio: 0.1 }, document: { maxRatio: 0.1 } },
  reasonToDrop(text, { n, maxRatio }) {
    const ratio = text.metric(`char_repetition_${n}`, () => charRepetitionRatio(text.text, n));
    return ratio > maxRatio ? 'char_repetition_too_high' : undefined;
  },
});
