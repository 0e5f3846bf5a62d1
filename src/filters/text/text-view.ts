// A piece of text (a paragraph, a line or a whole document) with its analyses computed lazily and
// cached, so a chain of text filters tokenizes each paragraph once however many filters read it. A
// document's view is built from its paragraphs' views (see define-node-filter.ts), and the counts that
// never cross a blank line (words, word-list hits, special characters, punctuation) are sums of theirs.
import {
  obelicsWordSpans,
  punctuationTokens,
  specialCharCounts,
  type WordSpans,
  whitespaceTokens,
  wordTable,
} from './words.js';

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
  private cachedWordHashes: Int32Array | undefined;
  private cachedSpans: WordSpans | undefined;
  private listCounts: Map<ReadonlySet<string>, number> | undefined;
  private memos: Map<string, unknown> | undefined;
  private cachedMetrics: Map<string, number> | undefined;

  constructor(text: string, level: TextLevel, parts?: TextView[]) {
    this.text = text;
    this.level = level;
    this.parts = parts;
  }

  /** Metric values by key (e.g. `char_repetition_10`), filled by the filters that compute them. */
  get metrics(): Map<string, number> {
    this.cachedMetrics ??= new Map();
    return this.cachedMetrics;
  }

  /** OBELICS words as spans of the lowercased text, with hash lanes (not for a document: see parts). */
  get wordSpans(): WordSpans {
    this.cachedSpans ??= obelicsWordSpans(this.text);
    return this.cachedSpans;
  }

  /** OBELICS words: lowercased, special characters stripped at both ends. */
  get words(): string[] {
    if (!this.cachedWords) {
      if (this.parts) this.cachedWords = this.parts.flatMap((p) => p.words);
      else {
        const { lower, count, spans } = this.wordSpans;
        this.cachedWords = Array.from({ length: count }, (_, k) =>
          lower.slice(spans[2 * k]!, spans[2 * k + 1]!),
        );
      }
    }
    return this.cachedWords;
  }

  /** Number of OBELICS words. */
  get wordCount(): number {
    if (!this.parts) return this.wordSpans.count;
    let n = 0;
    for (const p of this.parts) n += p.wordCount;
    return n;
  }

  /** How many of the words are in `list` (cached per list object: pass the same set each time). */
  countIn(list: ReadonlySet<string>): number {
    this.listCounts ??= new Map();
    let n = this.listCounts.get(list);
    if (n === undefined) {
      n = 0;
      if (this.parts) for (const p of this.parts) n += p.countIn(list);
      else n = wordTable(list).count(this.wordSpans);
      this.listCounts.set(list, n);
    }
    return n;
  }

  /** Two 32-bit hash lanes per word (`wordLanes`), a document's joined from its parts. */
  get wordHashes(): Int32Array {
    if (!this.cachedWordHashes) {
      if (this.parts) {
        const all = new Int32Array(2 * this.wordCount);
        let at = 0;
        for (const p of this.parts) {
          all.set(p.wordHashes, at);
          at += p.wordHashes.length;
        }
        this.cachedWordHashes = all;
      } else this.cachedWordHashes = this.wordSpans.lanes;
    }
    return this.cachedWordHashes;
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

  /** Any other analysis, computed once per view whichever filter asks first (key: what it is). */
  memo<T>(key: string, compute: () => T): T {
    this.memos ??= new Map();
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = compute();
    this.memos.set(key, value);
    return value;
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

/**
 * A map that keeps only its `capacity` most recently added entries. The filter core's caches are
 * bounded this way rather than weak: records a caller still holds (a test's array, a bench's corpus)
 * must not keep every analysis alive, and a chain needs a text's analysis only while the text passes.
 */
export class RecentMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private capacity: number) {}
  /** Keeps at least `capacity` entries from now on. */
  reserve(capacity: number): void {
    if (capacity > this.capacity) this.capacity = capacity;
  }
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  set(key: K, value: V): void {
    if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
  }
}

/**
 * Per-process caches of views by text, one per level: text repeated across documents (menus, share
 * bars, footers) is analysed once while it keeps coming.
 */
const caches: Record<TextLevel, RecentMap<string, TextView>> = {
  paragraph: new RecentMap(256),
  line: new RecentMap(256),
  document: new RecentMap(64),
};

export function textView(text: string, level: TextLevel): TextView {
  const cache = caches[level];
  let view = cache.get(text);
  if (view) return view;
  view = new TextView(text, level);
  cache.set(text, view);
  return view;
}
