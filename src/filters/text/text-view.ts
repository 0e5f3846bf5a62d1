// A piece of text (a paragraph, a line or a whole document) with its analyses computed lazily and
// cached, so a chain of text filters tokenizes each paragraph once however many filters read it.
import { obelicsWords, whitespaceTokens } from './words.js';

export type TextLevel = 'paragraph' | 'line' | 'document';

export class TextView {
  readonly text: string;
  readonly level: TextLevel;
  private cachedWords: string[] | undefined;
  private cachedTokens: string[] | undefined;
  private cachedLines: string[] | undefined;
  /** Metric values by key (e.g. `char_repetition_10`), filled by the filters that compute them. */
  readonly metrics = new Map<string, number>();

  constructor(text: string, level: TextLevel) {
    this.text = text;
    this.level = level;
  }

  /** OBELICS words: lowercased, special characters stripped at both ends. */
  get words(): string[] {
    this.cachedWords ??= obelicsWords(this.text);
    return this.cachedWords;
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
