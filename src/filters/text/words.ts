// Word splitting shared by the text filters. OBELICS-style words: split on space / newline / tab,
// lowercased, with punctuation, symbols (emoji included), digits and spaces stripped from both ends.

/** Punctuation, symbols (emoji included), digits and white space: what OBELICS calls special characters. */
const SPECIAL = /[\p{P}\p{S}\p{N}\s\p{Cc}\p{Cf}]/u;
const asciiSpecial = new Uint8Array(128);
for (let c = 0; c < 128; c++) asciiSpecial[c] = SPECIAL.test(String.fromCharCode(c)) ? 1 : 0;

/** Fraction of characters (code points) that are special characters; 0 for an empty text. */
export function specialCharRatio(text: string): number {
  const { special, total } = specialCharCounts(text);
  return total === 0 ? 0 : special / total;
}

/** Special characters and all characters, counted in code points. */
export function specialCharCounts(text: string): { special: number; total: number } {
  let special = 0;
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    total += 1;
    if (code < 128) {
      special += asciiSpecial[code]!;
      continue;
    }
    // Astral code points (most emoji) take two code units: count them once.
    const cp = text.codePointAt(i)!;
    const char = String.fromCodePoint(cp);
    if (cp > 0xffff) i += 1;
    if (SPECIAL.test(char)) special += 1;
  }
  return { special, total };
}

function isSpecialAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 128) return asciiSpecial[code] === 1;
  // A surrogate half belongs to an astral code point (most emoji): test the whole code point.
  if (code >= 0xd800 && code <= 0xdfff) {
    const start = code >= 0xdc00 && i > 0 ? i - 1 : i;
    return SPECIAL.test(String.fromCodePoint(text.codePointAt(start)!));
  }
  return SPECIAL.test(text[i]!);
}

/**
 * A text's OBELICS words as spans of its lowercased form, each with two 32-bit hash lanes (the keys of
 * word n-grams and of word lists), so that filters count, hash and look up words without making a
 * string per word.
 */
export interface WordSpans {
  lower: string;
  count: number;
  /** Start and end (exclusive) in `lower`, per word. */
  spans: Int32Array;
  /** Two hash lanes per word (`wordLanes`). */
  lanes: Int32Array;
}

let spanScratch = new Int32Array(1024);
let laneScratch = new Int32Array(1024);

/** OBELICS words: split on space / newline / tab, lowercased, special characters stripped at both ends. */
export function obelicsWordSpans(text: string): WordSpans {
  const lower = text.toLowerCase();
  const n = lower.length;
  if (spanScratch.length < n + 2) {
    spanScratch = new Int32Array(2 * n + 2);
    laneScratch = new Int32Array(2 * n + 2);
  }
  const spans = spanScratch;
  const lanes = laneScratch;
  let count = 0;
  let i = 0;
  while (i < n) {
    // Tokens are separated by space, newline and tab only (OBELICS's split).
    let c = lower.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < n) {
      c = lower.charCodeAt(end);
      if (c === 32 || c === 10 || c === 9) break;
      end += 1;
    }
    let a = i;
    let b = end;
    while (a < b && isSpecialAt(lower, a)) a += 1;
    while (b > a && isSpecialAt(lower, b - 1)) b -= 1;
    if (b > a) {
      spans[2 * count] = a;
      spans[2 * count + 1] = b;
      wordLanes(lower, a, b, lanes, 2 * count);
      count += 1;
    }
    i = end;
  }
  return { lower, count, spans: spans.slice(0, 2 * count), lanes: lanes.slice(0, 2 * count) };
}

/** The two hash lanes of s[a..b) (FNV-style, two bases), written at out[at], out[at + 1]. */
export function wordLanes(s: string, a: number, b: number, out: Int32Array, at: number): void {
  let x = 0x811c9dc5 | 0;
  let y = 0x2545f491 | 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    x = Math.imul(x ^ c, 0x01000193);
    y = Math.imul(y ^ c, 0x5bd1e995);
  }
  out[at] = x;
  out[at + 1] = y ^ (b - a);
}

/** OBELICS words of a text (lowercased, special characters stripped from both ends, empties dropped). */
export function obelicsWords(text: string): string[] {
  const { lower, count, spans } = obelicsWordSpans(text);
  return Array.from({ length: count }, (_, k) => lower.slice(spans[2 * k]!, spans[2 * k + 1]!));
}

/** A word list as a hash table on the words' lanes: looks words up by span, without a string. */
export class WordTable {
  private readonly slots: Int32Array;
  private readonly lanes: Int32Array;
  private readonly words: string[];

  constructor(list: Iterable<string>) {
    this.words = [...new Set(list)];
    this.lanes = new Int32Array(2 * this.words.length);
    this.words.forEach((w, k) => {
      wordLanes(w, 0, w.length, this.lanes, 2 * k);
    });
    let size = 16;
    while (size < 2 * this.words.length) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    for (let k = 0; k < this.words.length; k++) {
      let slot = this.lanes[2 * k]! & (size - 1);
      while (this.slots[slot] !== -1) slot = (slot + 1) & (size - 1);
      this.slots[slot] = k;
    }
  }

  /** How many of the words are in the list. */
  count({ lower, count, spans, lanes }: WordSpans): number {
    const { slots, words } = this;
    const mask = slots.length - 1;
    let n = 0;
    for (let w = 0; w < count; w++) {
      const x = lanes[2 * w]!;
      const y = lanes[2 * w + 1]!;
      for (let slot = x & mask; ; slot = (slot + 1) & mask) {
        const k = slots[slot]!;
        if (k < 0) break;
        if (this.lanes[2 * k] !== x || this.lanes[2 * k + 1] !== y) continue;
        // Equal lanes: confirm the characters, so the count is exactly a set's.
        if (equalsAt(lower, spans[2 * w]!, spans[2 * w + 1]!, words[k]!)) {
          n += 1;
          break;
        }
      }
    }
    return n;
  }
}

function equalsAt(s: string, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (s.charCodeAt(a + i) !== word.charCodeAt(i)) return false;
  return true;
}

const tables = new WeakMap<ReadonlySet<string>, WordTable>();
/** The table of a word set, built once per set object. */
export function wordTable(list: ReadonlySet<string>): WordTable {
  let table = tables.get(list);
  if (!table) {
    table = new WordTable(list);
    tables.set(list, table);
  }
  return table;
}

/** Whitespace-separated tokens, as they are (datatrove-style filters count these). */
export function whitespaceTokens(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== '');
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_']/u;
const asciiWord = new Uint8Array(128);
for (let c = 0; c < 128; c++) asciiWord[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 0;
const MARKS = new Uint8Array(128);
for (const m of ',;:?!.') MARKS[m.charCodeAt(0)] = 1;

/** Tokens for the punctuation ratio: runs of word characters or apostrophes, and `, ; : ? ! .` marks. */
export function punctuationTokens(text: string): { tokens: number; marks: number } {
  let tokens = 0;
  let marks = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const word = c < 128 ? asciiWord[c] === 1 : WORD_CHAR.test(text[i]!);
    if (word) {
      if (!inWord) tokens += 1;
      inWord = true;
      continue;
    }
    inWord = false;
    if (c < 128 && MARKS[c] === 1) {
      tokens += 1;
      marks += 1;
    }
  }
  return { tokens, marks };
}
