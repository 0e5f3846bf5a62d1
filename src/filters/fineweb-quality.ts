// FineWeb's extra quality rules with datatrove's defaults: too few lines ending in punctuation, too
// many short lines, duplicated lines, and list-like texts with more line breaks than words allow.
import { z } from 'zod';
import { defineTextFilter } from './define-node-filter.js';

const STOP_CHARS = ['.', "'", '"', '!', '?', ':', ';', ')', '”', '’', '…'];

export const finewebQuality = defineTextFilter({
  name: 'fineweb-quality',
  description:
    'FineWeb quality heuristics (datatrove defaults): line punctuation, short lines, duplicated lines, list ratio.',
  options: z.strictObject({
    linePunctThr: z.number().min(0).max(1).default(0.12),
    linePunctExcludeZero: z.boolean().default(false),
    shortLineThr: z.number().min(0).max(1).default(0.67),
    shortLineLength: z.number().int().positive().default(30),
    charDuplicatesRatio: z.number().min(0).max(1).default(0.01),
    newLineRatio: z.number().nonnegative().default(0.3),
  }),
  defaults: { document: {} },
  reasonToDrop(text, o) {
    const lines = text.lines.map((l) => l.trim());
    if (lines.length === 0) return 'empty';
    const punct = lines.filter((l) => STOP_CHARS.some((c) => l.endsWith(c))).length / lines.length;
    if (punct < o.linePunctThr && !(punct === 0 && o.linePunctExcludeZero)) return 'line_punct_ratio';
    const short = lines.filter((l) => l.length <= o.shortLineLength).length / lines.length;
    if (short >= o.shortLineThr) return 'short_line_ratio';
    const seen = new Set<string>();
    let dupChars = 0;
    for (const l of lines) {
      if (seen.has(l)) dupChars += l.length;
      else seen.add(l);
    }
    const chars = text.text.replace(/\n/g, '').length;
    if (chars > 0 && dupChars / chars >= o.charDuplicatesRatio) return 'char_dup_ratio';
    const words = text.tokens.length;
    const newLines = text.text.split('\n').length - 1;
    if (words > 0 && newLines / words > o.newLineRatio) return 'list_ratio';
    return undefined;
  },
});
