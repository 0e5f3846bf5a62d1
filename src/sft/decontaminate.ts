// Decontamination against evaluation sets: exact image matches (pixel hash), near matches (pHash within
// a Hamming distance, found through a multi-index so it is not all-pairs), and question overlap (share
// of a question's word n-grams that occur in evaluation questions).
import { hammingDistance } from '../images/phash.js';

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const TOKEN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[^\s\p{P}\p{S}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;

/** Lowercased words (CJK characters count as one word each), punctuation dropped. */
export function questionTokens(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(TOKEN) ?? [];
}

/** The question's word n-grams; a question shorter than n is one gram (so it matches only exactly). */
export function questionNgrams(text: string, n: number): string[] {
  const tokens = questionTokens(text);
  if (tokens.length === 0) return [];
  const joiner = (a: string[]) => a.join(tokens.some((t) => CJK.test(t)) ? '\u0001' : ' ');
  if (tokens.length < n) return [joiner(tokens)];
  const grams: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) grams.push(joiner(tokens.slice(i, i + n)));
  return grams;
}

function hexToBits(hex: string): string {
  let bits = '';
  for (const c of hex) bits += Number.parseInt(c, 16).toString(2).padStart(4, '0');
  return bits;
}

/**
 * Finds stored 64-bit pHashes within `maxDistance` bits of a query. By the pigeonhole principle two
 * hashes that differ in at most d bits agree exactly on at least one of d + 1 disjoint bit ranges, so
 * candidates are looked up by range and then checked.
 */
export class PhashIndex {
  private readonly ranges: [number, number][] = [];
  private readonly buckets = new Map<string, string[]>();
  readonly maxDistance: number;
  size = 0;

  constructor(maxDistance: number) {
    this.maxDistance = maxDistance;
    const parts = Math.min(64, maxDistance + 1);
    for (let i = 0; i < parts; i++)
      this.ranges.push([Math.floor((i * 64) / parts), Math.floor(((i + 1) * 64) / parts)]);
  }

  private keys(hash: string): string[] {
    const bits = hexToBits(hash);
    return this.ranges.map(([a, b], i) => `${i}:${bits.slice(a, b)}`);
  }

  add(hash: string): void {
    for (const key of this.keys(hash)) {
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push(hash);
      else this.buckets.set(key, [hash]);
    }
    this.size += 1;
  }

  /** The smallest distance to a stored hash, if one is within `maxDistance`. */
  nearest(hash: string): number | undefined {
    let best: number | undefined;
    for (const key of this.keys(hash)) {
      for (const candidate of this.buckets.get(key) ?? []) {
        const d = hammingDistance(hash, candidate);
        if (d <= this.maxDistance && (best === undefined || d < best)) best = d;
      }
    }
    return best;
  }
}

/** What the evaluation sets contribute, as stored between phases. */
export interface EvalFingerprints {
  pixelSha256: string[];
  phash: string[];
  ngrams: string[];
}

export interface DecontaminationSettings {
  phashMaxDistance: number | null;
  ngram: number | false;
  overlapThreshold: number;
}

export class EvalIndex {
  private readonly pixels: Set<string>;
  private readonly phashes: PhashIndex | undefined;
  private readonly ngrams: Set<string>;
  private readonly settings: DecontaminationSettings;

  constructor(fingerprints: EvalFingerprints, settings: DecontaminationSettings) {
    this.settings = settings;
    this.pixels = new Set(fingerprints.pixelSha256);
    this.ngrams = new Set(fingerprints.ngrams);
    if (settings.phashMaxDistance !== null) {
      this.phashes = new PhashIndex(settings.phashMaxDistance);
      for (const hash of new Set(fingerprints.phash)) this.phashes.add(hash);
    }
  }

  get empty(): boolean {
    return this.pixels.size === 0 && this.ngrams.size === 0;
  }

  /** The reason a training row must go, or undefined when it is clean. */
  check(
    images: readonly { pixelSha256: string; phash: string }[],
    questions: readonly string[],
  ): string | undefined {
    for (const image of images) if (this.pixels.has(image.pixelSha256)) return 'eval_image_exact';
    if (this.phashes)
      for (const image of images)
        if (this.phashes.nearest(image.phash) !== undefined) return 'eval_image_near';
    const n = this.settings.ngram;
    if (n !== false && this.ngrams.size > 0) {
      for (const question of questions) {
        const grams = questionNgrams(question, n);
        if (grams.length === 0) continue;
        const hits = grams.filter((g) => this.ngrams.has(g)).length;
        if (hits / grams.length >= this.settings.overlapThreshold) return 'eval_question_overlap';
      }
    }
    return undefined;
  }
}
