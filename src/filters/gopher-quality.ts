// Gopher (MassiveText) quality rules with datatrove's defaults: document length, mean word length,
// symbol-to-word ratio, bullet and ellipsis lines, alphabetic words and a minimum of stop words.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';

/** The Gopher paper's eight stop words. */
const GOPHER_STOP_WORDS = ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'];
const PUNCTUATION_ONLY = /^[\p{P}\p{S}]+$/u;

export const gopherQuality = defineTextFilter({
  name: 'gopher-quality',
  description:
    'Gopher quality heuristics (datatrove defaults): length, word length, symbols, bullets, ellipses, stop words.',
  options: z.strictObject({
    minDocWords: z.number().int().nonnegative().default(50),
    maxDocWords: z.number().int().positive().default(100_000),
    minAvgWordLength: z.number().nonnegative().default(3),
    maxAvgWordLength: z.number().positive().default(10),
    maxSymbolWordRatio: z.number().nonnegative().default(0.1),
    maxBulletLinesRatio: z.number().min(0).max(1).default(0.9),
    maxEllipsisLinesRatio: z.number().min(0).max(1).default(0.3),
    /** Minimum share of words with at least one letter (datatrove calls it max_non_alpha_words_ratio). */
    minAlphaWordsRatio: z.number().min(0).max(1).default(0.8),
    minStopWords: z.number().int().nonnegative().default(2),
  }),
  defaults: { document: {} },
  reasonToDrop(text, o) {
    const words = text.tokens;
    const nonSymbol = words.filter((w) => !PUNCTUATION_ONLY.test(w));
    const n = nonSymbol.length;
    if (n < o.minDocWords) return 'gopher_short_doc';
    if (n > o.maxDocWords) return 'gopher_long_doc';
    const avg = nonSymbol.reduce((s, w) => s + w.length, 0) / n;
    if (avg < o.minAvgWordLength) return 'gopher_below_avg_word_length';
    if (avg > o.maxAvgWordLength) return 'gopher_above_avg_word_length';
    const t = text.text;
    const hashes = t.split('#').length - 1;
    if (hashes / n > o.maxSymbolWordRatio) return 'gopher_too_many_hashes';
    const ellipses = t.split('...').length - 1 + (t.split('…').length - 1);
    if (ellipses / n > o.maxSymbolWordRatio) return 'gopher_too_many_ellipsis';
    const lines = t.split('\n');
    const bullets = lines.filter((l) => /^\s*[•\-*●▪‣◦]/.test(l)).length;
    if (bullets / lines.length > o.maxBulletLinesRatio) return 'gopher_too_many_bullets';
    const endEllipsis = lines.filter((l) => /(\.\.\.|…)\s*$/.test(l)).length;
    if (endEllipsis / lines.length > o.maxEllipsisLinesRatio) return 'gopher_too_many_end_ellipsis';
    const alpha = words.filter((w) => /\p{L}/u.test(w)).length;
    if (alpha / words.length < o.minAlphaWordsRatio) return 'gopher_below_alpha_threshold';
    const present = new Set(words.map((w) => w.toLowerCase()));
    if (GOPHER_STOP_WORDS.filter((w) => present.has(w)).length < o.minStopWords)
      return 'gopher_enough_stop_words';
    return undefined;
  },
});
