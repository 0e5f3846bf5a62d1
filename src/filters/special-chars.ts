// Share of special characters (punctuation, symbols and emoji, digits, white space): high in tables of
// numbers, code, navigation bars and spam.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';
import { specialCharRatio } from './text/words.js';

export const specialChars = defineTextFilter({
  name: 'special-chars',
  description:
    'Drops text whose special-character ratio exceeds maxRatio (OBELICS: paragraphs 0.3, documents 0.275).',
  options: z.strictObject({ maxRatio: z.number().min(0).max(1) }),
  defaults: { paragraph: { maxRatio: 0.3 }, document: { maxRatio: 0.275 } },
  reasonToDrop(text, { maxRatio }) {
    const ratio = text.metric('special_chars', () => specialCharRatio(text.text));
    return ratio > maxRatio ? 'special_chars_too_high' : undefined;
  },
});
