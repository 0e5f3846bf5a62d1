// Share of special characters (punctuation, symbols and emoji, digits, white space): high in tables of
// numbers, code, navigation bars and spam.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';

export const specialChars = defineTextFilter({
  name: 'special-chars',
  description:
    'Drops text whose special-character ratio exceeds maxRatio (OBELICS: paragraphs 0.3, documents 0.275).',
  options: z.strictObject({ maxRatio: z.number().min(0).max(1) }),
  defaults: { paragraph: { maxRatio: 0.3 }, document: { maxRatio: 0.275 } },
  reasonToDrop(text, { maxRatio }) {
    const { special, total } = text.specialChars;
    const ratio = total === 0 ? 0 : special / total;
    return ratio > maxRatio ? 'special_chars_too_high' : undefined;
  },
});
