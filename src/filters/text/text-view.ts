// A piece of text (a paragraph, a line or a whole document) with its analyses computed lazily and
// cached, so a chain of text filters tokenizes each paragraph once however many filters read it.
import { obelicsWords, punctuationTokens, specialCharCounts, whitespaceTokens } from './words.js';

export type TextLevel = 'paragraph' | 'line' | 'document';

export class TextView {
  readonly text: string;
  readonly level: TextLevel;
  /**
   * For a document: its paragraphs (text = parts joined by blank lines). Word, special-character and
   * punctuation counts never cross a blank line, so they are summed from the paragraphs' cached views.
   */
  private readonly parts: TextView[] | undefined;
  private cachedWords: string[] | undefined;
  private cachedSpecial: { special: number; total: number } | undefined;
  private cachedPunctuation: { tokens: number; marks: number } | undefined;
  private cachedTokens: string[] | undefined;
  private cachedLines: string[] | undefined;
  /** Metric values by key (e.g. `char_repetition_10`), filled by the filters that compute them. */
  readonly metrics = new Map<string, number>();

  constructor(text: string, level: TextLevel, parts?: TextView[]) {
    this.text = text;
    this.level = level;
    this.parts = parts;
  }

  /** OBELICS words: lowercased, special characters stripped at both ends. */
  get words(): string[] {
    this.cachedWords ??= this.parts ? this.parts.flatMap((p) => p.words) : obelicsWords(this.text);
    return this.cachedWords;
  }

  /** Special characters and all characters, in code points (a blank line between parts is 2 of each). */
  get specialChars(): { special: number; total: number } {
    if (!this.cachedSpecial) {
      if (this.parts) {
        const separators = 2 * Math.max(0, this.parts.length - 1);
        const sum = { special: separators, total: separators };
        for (const p of this.parts) {
          sum.special += p.specialChars.special;
          sum.total += p.specialChars.total;
        }
        this.cachedSpecial = sum;
      } else this.cachedSpecial = specialCharCounts(this.text);
    }
    return this.cachedSpecial;
  }

  /** Word-and-mark tokens and `, ; : ? ! .` marks, for the punctuation ratio. */
  get punctuation(): { tokens: number; marks: number } {
    if (!this.cachedPunctuation) {
      if (this.parts) {
        const sum = { tokens: 0, marks: 0 };
        for (const p of this.parts) {
          sum.tokens += p.punctuation.tokens;
          sum.marks += p.punctuation.marks;
        }
        this.cachedPunctuation = sum;
      } else this.cachedPunctuation = punctuationTokens(this.text);
    }
    return this.cachedPunctuation;
  }

  /** Raw whitespace-separated tokens (datatrove-style filters). */
  get tokens(): string[] {
    this.cachedTokens ??= whitespaceTokens(this.text);
    return this.cachedTokens;
  }

  /** Non-empty lines. */
  get lines(): string[] {
    this.cachedLines ??= this.text.split('\n').filter((l) => l.trim() !== '');
    return this.cachedLines;
  }

  /** A cached metric: computed once per view whichever filter asks first. */
  metric(key: string, compute: () => number): number {
    let value = this.metrics.get(key);
    if (value === undefined) {
      value = compute();
      this.metrics.set(key, value);
    }
    return value;
  }
}

/** Per-process caches of views by text, one per level, so that the filters of a chain share them. */
const caches: Record<TextLevel, Map<string, TextView>> = {
  paragraph: new Map(),
  line: new Map(),
  document: new Map(),
};
const CACHE_LIMIT = 4096;

export function textView(text: string, level: TextLevel): TextView {
  const cache = caches[level];
  let view = cache.get(text);
  if (view) return view;
  view = new TextView(text, level);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, view);
  return view;
}
