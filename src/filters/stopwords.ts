// Share of stopwords among the words: natural prose is full of them; lists, keywords and
// boilerplate are not.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';
import { englishStopwords } from './text/word-lists.js';

export const stopwords = defineTextFilter({
  name: 'stopwords',
  description: 'Drops text whose stopword ratio is below minRatio (OBELICS: paragraphs 0.3, documents 0.35).',
  options: z.strictObject({ minRatio: z.number().min(0).max(1) }),
  defaults: { paragraph: { minRatio: 0.3 }, document: { minRatio: 0.35 } },
  reasonToDrop(text, { minRatio }) {
    const ratio = text.metric('stopwords', () => {
      const words = text.wordCount;
      return words === 0 ? 0 : text.countIn(englishStopwords()) / words;
    });
    return ratio < minRatio ? 'stopwords_too_few' : undefined;
  },
});
