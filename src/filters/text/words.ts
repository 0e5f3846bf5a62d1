// Word splitting shared by the text filters. OBELICS-style words: split on space / newline / tab,
// lowercased, with punctuation, symbols (emoji included), digits and spaces stripped from both ends.

/** Punctuation, symbols (emoji included), digits and white space: what OBELICS calls special characters. */
const SPECIAL = /[\p{P}\p{S}\p{N}\s\p{Cc}\p{Cf}]/u;
const asciiSpecial = new Uint8Array(128);
for (let c = 0; c < 128; c++) asciiSpecial[c] = SPECIAL.test(String.fromCharCode(c)) ? 1 : 0;

/** Whether one UTF-16 code unit (or the code point starting there) is a special character. */
export function isSpecialCode(code: number, char: string): boolean {
  if (code < 128) return asciiSpecial[code] === 1;
  return SPECIAL.test(char);
}

/** Fraction of characters (code points) that are special characters; 0 for an empty text. */
export function specialCharRatio(text: string): number {
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
  return total === 0 ? 0 : special / total;
}

function stripSpecial(token: string): string {
  let start = 0;
  let end = token.length;
  while (start < end && isSpecialCode(token.charCodeAt(start), token[start]!)) start += 1;
  while (end > start && isSpecialCode(token.charCodeAt(end - 1), token[end - 1]!)) end -= 1;
  // A surrogate pair split by the loop above (emoji at an edge) is itself special: drop the half.
  let word = token.slice(start, end);
  if (word.length > 0 && /[\uD800-\uDFFF]/.test(word[0]! + word[word.length - 1]!)) {
    word = word.replace(/^[\p{S}\p{P}\uD800-\uDFFF]+|[\p{S}\p{P}\uD800-\uDFFF]+$/gu, '');
  }
  return word;
}

/** OBELICS words of a text (lowercased, special characters stripped from both ends, empties dropped). */
export function obelicsWords(text: string): string[] {
  const words: string[] = [];
  const tokens = text.split(/[ \n\t]/);
  for (const token of tokens) {
    if (token === '') continue;
    const word = stripSpecial(token.toLowerCase());
    if (word !== '') words.push(word);
  }
  return words;
}

/** Whitespace-separated tokens, as they are (datatrove-style filters count these). */
export function whitespaceTokens(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== '');
}

/** Tokens for the punctuation ratio: runs of word characters or apostrophes, and `, ; : ? ! .` marks. */
export function punctuationTokens(text: string): { tokens: number; marks: number } {
  let tokens = 0;
  let marks = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}_']+|[,;:?!.]/gu)) {
    tokens += 1;
    if (match[0].length === 1 && ',;:?!.'.includes(match[0])) marks += 1;
  }
  return { tokens, marks };
}
