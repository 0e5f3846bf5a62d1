// Gopher (MassiveText) repetition rules with datatrove's defaults: duplicated lines and paragraphs, the
// most frequent 2–4-grams, and duplicated 5–10-grams, each as a share of the text.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';

function duplicates(parts: string[]): { count: number; chars: number } {
  const seen = new Set<string>();
  let count = 0;
  let chars = 0;
  for (const p of parts) {
    if (seen.has(p)) {
      count += 1;
      chars += p.length;
    } else seen.add(p);
  }
  return { count, chars };
}

/** Characters covered by the most frequent word n-gram (its count × its length). */
function topNgramChars(words: string[], n: number): number {
  const counts = new Map<string, number>();
  let best = 0;
  for (let i = 0; i + n <= words.length; i++) {
    const gram = words.slice(i, i + n).join(' ');
    const c = (counts.get(gram) ?? 0) + 1;
    counts.set(gram, c);
    const chars = c * (gram.length - n + 1);
    if (c > 1 && chars > best) best = chars;
  }
  return best;
}

/** Characters in repeated word n-grams, counted without overlap (Gopher's definition). */
function duplicatedNgramChars(words: string[], n: number): number {
  const seen = new Set<string>();
  let chars = 0;
  let i = 0;
  while (i + n <= words.length) {
    const gram = words.slice(i, i + n).join('');
    if (seen.has(gram)) {
      chars += gram.length;
      i += n;
    } else {
      seen.add(gram);
      i += 1;
    }
  }
  return chars;
}

export const gopherRepetition = defineTextFilter({
  name: 'gopher-repetition',
  description:
    'Gopher repetition heuristics (datatrove defaults): duplicated lines/paragraphs and repeated n-grams.',
  options: z.strictObject({
    dupLineFrac: z.number().min(0).max(1).default(0.3),
    dupParaFrac: z.number().min(0).max(1).default(0.3),
    dupLineCharFrac: z.number().min(0).max(1).default(0.2),
    dupParaCharFrac: z.number().min(0).max(1).default(0.2),
    /** [n, max share of characters in the most frequent n-gram]. */
    topNGrams: z.array(z.tuple([z.number().int().min(1), z.number().min(0).max(1)])).default([
      [2, 0.2],
      [3, 0.18],
      [4, 0.16],
    ]),
    /** [n, max share of characters in duplicated n-grams]. */
    dupNGrams: z.array(z.tuple([z.number().int().min(1), z.number().min(0).max(1)])).default([
      [5, 0.15],
      [6, 0.14],
      [7, 0.13],
      [8, 0.12],
      [9, 0.11],
      [10, 0.1],
    ]),
  }),
  defaults: { document: {} },
  reasonToDrop(text, o) {
    const t = text.text;
    if (t.length === 0) return undefined;
    const paragraphs = t.trim().split(/\n{2,}/);
    const paras = duplicates(paragraphs);
    if (paras.count / paragraphs.length > o.dupParaFrac) return 'dup_para_frac';
    if (paras.chars / t.length > o.dupParaCharFrac) return 'dup_para_char_frac';
    const lines = t.split(/\n+/);
    const dupLines = duplicates(lines);
    if (dupLines.count / lines.length > o.dupLineFrac) return 'dup_line_frac';
    if (dupLines.chars / t.length > o.dupLineCharFrac) return 'dup_line_char_frac';
    const words = text.tokens;
    for (const [n, max] of o.topNGrams) if (topNgramChars(words, n) / t.length > max) return `top_${n}_gram`;
    for (const [n, max] of o.dupNGrams)
      if (duplicatedNgramChars(words, n) / t.length > max) return `duplicated_${n}_n_grams`;
    return undefined;
  },
});
