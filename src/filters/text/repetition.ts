// Repetition metrics (OBELICS / BigScience definitions), computed over rolling hashes of n-grams in a
// reusable open-addressing table instead of a Map of substrings: the hot loop of the text filters.
import { wordLanes } from './words.js';

/**
 * Counts of distinct 64-bit keys (two 32-bit halves), reused between calls. Slots are marked with the
 * call's generation instead of being cleared, and a call uses only as many slots as its size needs.
 */
class CountTable {
  private hi = new Int32Array(1 << 12);
  private lo = new Int32Array(1 << 12);
  private counts = new Int32Array(1 << 12);
  private stamps = new Int32Array(1 << 12);
  private generation = 0;
  private mask = 0;
  private shift = 0;
  /** Distinct keys seen in this call. */
  distinct = 0;
  /** Slots of this call's keys, in first-seen order. */
  slots = new Int32Array(1 << 12);

  reset(expected: number): void {
    let bits = 4;
    while (1 << bits < expected * 2) bits += 1;
    const size = 1 << bits;
    if (size > this.counts.length) {
      this.hi = new Int32Array(size);
      this.lo = new Int32Array(size);
      this.counts = new Int32Array(size);
      this.stamps = new Int32Array(size);
      this.slots = new Int32Array(size);
      this.generation = 0;
    }
    this.generation += 1;
    this.mask = size - 1;
    this.shift = 32 - bits;
    this.distinct = 0;
  }

  add(hi: number, lo: number): void {
    const { mask, generation, stamps } = this;
    let slot = Math.imul(hi ^ Math.imul(lo, 0x27d4eb2d), 0x9e3779b1) >>> this.shift;
    for (;;) {
      if (stamps[slot] !== generation) {
        stamps[slot] = generation;
        this.hi[slot] = hi;
        this.lo[slot] = lo;
        this.counts[slot] = 1;
        this.slots[this.distinct++] = slot;
        return;
      }
      if (this.hi[slot] === hi && this.lo[slot] === lo) {
        this.counts[slot]! += 1;
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  count(i: number): number {
    return this.counts[this.slots[i]!]!;
  }
}

const table = new CountTable();
const B1 = 0x01000193;
const B2 = 0x5bd1e995;

/**
 * Character n-gram repetition ratio: of the distinct n-grams, take the k most frequent, with k =
 * min(floor(sqrt(distinct)), number of n-grams seen more than once); ratio = their occurrences / all.
 */
export function charRepetitionRatio(text: string, n: number): number {
  const total = text.length - n + 1;
  if (total <= 0) return 0;
  table.reset(total);
  // Polynomial rolling hashes, two independent bases (collisions between 64-bit keys are negligible).
  let p1 = 1;
  let p2 = 1;
  for (let i = 0; i < n - 1; i++) {
    p1 = Math.imul(p1, B1);
    p2 = Math.imul(p2, B2);
  }
  let h1 = 0;
  let h2 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (i >= n) {
      const out = text.charCodeAt(i - n);
      h1 = (h1 - Math.imul(out, p1)) | 0;
      h2 = (h2 - Math.imul(out, p2)) | 0;
    }
    h1 = (Math.imul(h1, B1) + c) | 0;
    h2 = (Math.imul(h2, B2) + c) | 0;
    if (i >= n - 1) table.add(h1, h2);
  }
  return topShare(total);
}

let repeated = new Int32Array(1024);

/** Share of the k most frequent keys, k = min(floor(sqrt(distinct)), keys seen more than once). */
function topShare(total: number): number {
  const distinct = table.distinct;
  if (repeated.length < distinct) repeated = new Int32Array(distinct * 2);
  let n = 0;
  for (let i = 0; i < distinct; i++) {
    const c = table.count(i);
    if (c > 1) repeated[n++] = c;
  }
  const k = Math.min(Math.floor(Math.sqrt(distinct)), n);
  if (k === 0) return 0;
  const top = repeated.subarray(0, n).sort();
  let sum = 0;
  for (let i = n - k; i < n; i++) sum += top[i]!;
  return sum / total;
}

/** Two hash lanes per word, the input of `wordRepetitionRatio` (a text's can be cached and joined). */
export function wordHashes(words: readonly string[]): Int32Array {
  const hashes = new Int32Array(words.length * 2);
  for (let i = 0; i < words.length; i++) wordLanes(words[i]!, 0, words[i]!.length, hashes, 2 * i);
  return hashes;
}

/** Word n-gram repetition ratio: occurrences of n-grams seen more than once / all n-grams. */
export function wordRepetitionRatio(words: readonly string[] | Int32Array, n: number): number {
  const hashes = words instanceof Int32Array ? words : wordHashes(words);
  const total = hashes.length / 2 - n + 1;
  if (total <= 0) return 0;
  table.reset(total);
  for (let i = 0; i < total; i++) {
    let h1 = 0x1234567;
    let h2 = 0x7654321;
    for (let j = 0; j < n; j++) {
      h1 = Math.imul(h1 ^ hashes[(i + j) * 2]!, 0x9e3779b1);
      h2 = Math.imul(h2 ^ hashes[(i + j) * 2 + 1]!, 0x85ebca6b);
      h1 ^= h1 >>> 15;
      h2 ^= h2 >>> 13;
    }
    table.add(h1, h2);
  }
  let inRepeats = 0;
  for (let i = 0; i < table.distinct; i++) {
    const c = table.count(i);
    if (c > 1) inRepeats += c;
  }
  return inRepeats / total;
}
