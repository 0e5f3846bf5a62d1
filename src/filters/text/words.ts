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

/** OBELICS words of a text (lowercased, special characters stripped from both ends, empties dropped). */
export function obelicsWords(text: string): string[] {
  const lower = text.toLowerCase();
  const words: string[] = [];
  const n = lower.length;
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
    if (b > a) words.push(lower.slice(a, b));
    i = end;
  }
  return words;
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
