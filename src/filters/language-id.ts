// Language identification with fastText lid.176 (OBELICS: English with score ≥ 0.8, document level).
// At paragraph level it is off in OBELICS (too noisy on short text); it is offered for tuning.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';
import { guessLanguage, languageVerdict } from './text/language-id.js';

export const languageId = defineTextFilter({
  name: 'language-id',
  description:
    'Keeps text identified (fastText lid.176) as one of `languages` with score ≥ minScore (OBELICS: en, 0.8).',
  options: z.strictObject({
    languages: z
      .array(z.string().regex(/^[a-z]{2,3}$/))
      .min(1)
      .default(['en']),
    minScore: z.number().min(0).max(1),
  }),
  defaults: { paragraph: { minScore: 0.8 }, document: { minScore: 0.8 } },
  async reasonToDrop(text, { languages, minScore }) {
    // The model's guess does not depend on the options: one per text, shared by every level and stage.
    const guess = await text.memo('fasttext_lid', () => guessLanguage(text.text));
    const verdict = await languageVerdict(text.text, languages, minScore, guess);
    text.metrics.set('language_score', verdict.score);
    return verdict.reason;
  },
});
