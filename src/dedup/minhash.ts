// MinHash signatures for near-duplicate documents, with datatrove's defaults (word 5-grams of the
// normalized text, 14 bands × 8 hashes, 64-bit hash values). The signature is computed by one-permutation
// hashing with optimal densification (Shrivastava, ICML 2017): each shingle is hashed once and falls in
// one of the 112 bins, whose minimum is kept; empty bins borrow from a pseudo-randomly chosen full bin.
// Two documents agree on a bin with probability equal to their Jaccard similarity, as with 112
// independent permutations, at O(shingles + bins) instead of O(shingles × bins).
import { fmix32 } from './hash64.js';

export interface MinhashParams {
  /** Words per shingle. */
  ngram: number;
  bands: number;
  rowsPerBand: number;
  seed: number;
}

export const DEFAULT_MINHASH: MinhashParams = { ngram: 5, bands: 14, rowsPerBand: 8, seed: 1 };

const LETTER_OR_DIGIT = /[\p{L}\p{N}\p{M}]/u;
const MARKS = /\p{M}/gu;

/**
 * Word hashes of the normalized text (lowercase, punctuation removed, diacritics stripped, digits
 * as 0), two 32-bit lanes per word, written into `out` (grown as needed). Returns the word count.
 */
export function wordHashes(text: string, out: { lanes: Uint32Array }): number {
  let count = 0;
  let a = 0;
  let b = 0;
  let inWord = false;
  let nonAscii = false;
  let start = 0;
  const push = (end: number) => {
    if (nonAscii) {
      const word = text
        .slice(start, end)
        .normalize('NFD')
        .replace(MARKS, '')
        .toLowerCase()
        .replace(/\p{Nd}/gu, '0');
      a = 0x811c9dc5;
      b = 0x2545f491;
      for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i);
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
      }
    }
    if ((count + 1) * 2 > out.lanes.length) {
      const grown = new Uint32Array(out.lanes.length * 2);
      grown.set(out.lanes);
      out.lanes = grown;
    }
    out.lanes[count * 2] = fmix32(a);
    out.lanes[count * 2 + 1] = fmix32(b ^ 0x5f356495);
    count += 1;
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let isWordChar: boolean;
    if (c < 128) {
      if (c >= 65 && c <= 90) c += 32;
      else if (c >= 48 && c <= 57) c = 48;
      isWordChar = (c >= 97 && c <= 122) || c === 48;
    } else {
      isWordChar = LETTER_OR_DIGIT.test(text[i]!);
    }
    if (!isWordChar) {
      if (inWord) push(i);
      continue;
    }
    if (!inWord) {
      inWord = true;
      nonAscii = false;
      start = i;
      a = 0x811c9dc5;
      b = 0x2545f491;
    }
    if (c >= 128) nonAscii = true;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  if (inWord) push(text.length);
  return count;
}

export class MinHasher {
  readonly params: MinhashParams;
  readonly bins: number;
  private words = { lanes: new Uint32Array(4096) };
  private readonly minHi: Uint32Array;
  private readonly minLo: Uint32Array;
  private readonly filled: Uint8Array;

  constructor(params: MinhashParams = DEFAULT_MINHASH) {
    this.params = params;
    this.bins = params.bands * params.rowsPerBand;
    this.minHi = new Uint32Array(this.bins);
    this.minLo = new Uint32Array(this.bins);
    this.filled = new Uint8Array(this.bins);
  }

  /**
   * The signature of a text as 64-bit values [hi0, lo0, hi1, lo1, …] (copied into `out` if given), or
   * undefined for a text without words.
   */
  signature(text: string, out = new Uint32Array(this.bins * 2)): Uint32Array | undefined {
    const { ngram, seed } = this.params;
    const n = wordHashes(text, this.words);
    if (n === 0) return undefined;
    const lanes = this.words.lanes;
    const bins = this.bins;
    const { minHi, minLo, filled } = this;
    filled.fill(0);
    const shingles = Math.max(1, n - ngram + 1);
    const width = Math.min(ngram, n);
    for (let i = 0; i < shingles; i++) {
      let h1 = seed ^ 0x9e3779b9;
      let h2 = Math.imul(seed, 0x85ebca6b) ^ 0xc2b2ae35;
      for (let j = 0; j < width; j++) {
        h1 = Math.imul(h1 ^ lanes[(i + j) * 2]!, 0x01000193) + j;
        h2 = Math.imul((h2 << 5) | (h2 >>> 27), 0x5bd1e995) ^ lanes[(i + j) * 2 + 1]!;
      }
      const hi = fmix32(h2 ^ width);
      const lo = fmix32(h1 ^ hi);
      const bin = Math.floor((lo / 4294967296) * bins);
      if (!filled[bin] || hi < minHi[bin]! || (hi === minHi[bin] && lo < minLo[bin]!)) {
        filled[bin] = 1;
        minHi[bin] = hi;
        minLo[bin] = lo;
      }
    }
    for (let bin = 0; bin < bins; bin++) {
      let from = bin;
      for (let attempt = 0; !filled[from]; attempt++) {
        from = fmix32(Math.imul(bin + 1, 0x9e3779b1) ^ Math.imul(attempt + 1, 0x85ebca6b) ^ seed) % bins;
      }
      out[bin * 2] = minHi[from]!;
      out[bin * 2 + 1] = minLo[from]!;
    }
    return out;
  }

  /** One 64-bit hash per band of a signature, written as [hi, lo] at `out[band * 2]`. */
  bandHashes(signature: Uint32Array, out = new Uint32Array(this.params.bands * 2)): Uint32Array {
    const { bands, rowsPerBand } = this.params;
    for (let band = 0; band < bands; band++) {
      let h1 = 0x3c6ef372 ^ band;
      let h2 = 0xa54ff53a ^ Math.imul(band, 0x27d4eb2f);
      for (let r = 0; r < rowsPerBand; r++) {
        const at = (band * rowsPerBand + r) * 2;
        h1 = fmix32(h1 ^ signature[at]!) + r;
        h2 = fmix32(h2 ^ signature[at + 1]! ^ h1);
      }
      out[band * 2] = h1 >>> 0;
      out[band * 2 + 1] = h2;
    }
    return out;
  }
}

/** Share of equal 64-bit values in two signatures: the estimate of their Jaccard similarity. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i += 2) if (a[i] === b[i] && a[i + 1] === b[i + 1]) same += 1;
  return same / (a.length / 2);
}

/** Probability that two documents of Jaccard similarity `s` share at least one band. */
export function detectionProbability(s: number, bands: number, rowsPerBand: number): number {
  return 1 - (1 - s ** rowsPerBand) ** bands;
}
