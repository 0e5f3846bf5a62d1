// fastText's dictionary hashing for fasttext-model.ts and fasttext-predict.ts: the FNV hash of byte
// strings, character n-gram rows (Dictionary::computeSubwords + pushHash), the pruned bucket index, and
// a hash table over the vocabulary's bytes.
import type { FastTextModel } from './fasttext-model.js';

/**
 * The kept subword buckets of a pruned model (a few % of all): a bitmap over all bucket ids answers
 * most lookups from cache-sized memory; the kept ones are in an open-addressing table.
 */
export class PrunedIndex {
  private readonly bits: Int32Array;
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  private readonly shift: number;

  constructor(buckets: number, entries: number) {
    this.bits = new Int32Array(Math.ceil(buckets / 32));
    let log = 4;
    while (1 << log < 2 * entries) log += 1;
    this.keys = new Int32Array(1 << log).fill(-1);
    this.values = new Int32Array(1 << log);
    this.shift = 32 - log;
  }

  set(id: number, row: number): void {
    this.bits[id >>> 5]! |= 1 << (id & 31);
    const mask = this.keys.length - 1;
    let slot = Math.imul(id, 0x9e3779b1) >>> this.shift;
    while (this.keys[slot] !== -1 && this.keys[slot] !== id) slot = (slot + 1) & mask;
    this.keys[slot] = id;
    this.values[slot] = row; // a repeated id keeps the last row, as fastText's map does
  }

  /** The row offset of bucket `id`, or −1 when it was pruned. */
  get(id: number): number {
    if ((this.bits[id >>> 5]! & (1 << (id & 31))) === 0) return -1;
    const mask = this.keys.length - 1;
    for (let slot = Math.imul(id, 0x9e3779b1) >>> this.shift; ; slot = (slot + 1) & mask) {
      const key = this.keys[slot]!;
      if (key === id) return this.values[slot]!;
      if (key === -1) return -1;
    }
  }
}

/** fastText's hash: FNV-1a over bytes, each byte sign-extended (`uint32_t(int8_t(c))`). */
export function fnvStep(h: number, byte: number): number {
  return Math.imul(h ^ ((byte << 24) >> 24), 16777619);
}
export const FNV_BASIS = 2166136261 | 0;

/**
 * Writes the rows of the character n-grams of `bytes[0..length)` (a word already wrapped in `<` `>`)
 * into `out` from `at` (Dictionary::computeSubwords + pushHash); returns the new end. `out` must have
 * room for 3 rows per byte.
 */
export function subwordRowsOf(
  model: Pick<FastTextModel, 'minn' | 'maxn' | 'bucket' | 'nwords' | 'pruned' | 'pruneSize'>,
  bytes: Uint8Array,
  length: number,
  out: Int32Array,
  at: number,
): number {
  const { minn, maxn, bucket, nwords, pruned, pruneSize } = model;
  if (pruneSize === 0) return at;
  const inverse = 1 / bucket;
  for (let i = 0; i < length; i++) {
    if ((bytes[i]! & 0xc0) === 0x80) continue;
    let h = FNV_BASIS;
    let j = i;
    for (let n = 1; j < length && n <= maxn; n++) {
      h = fnvStep(h, bytes[j++]!);
      while (j < length && (bytes[j]! & 0xc0) === 0x80) h = fnvStep(h, bytes[j++]!);
      if (n >= minn && !(n === 1 && (i === 0 || j === length))) {
        // (h >>> 0) % bucket, without a division: the quotient from the reciprocal is off by one at most.
        const x = h >>> 0;
        let id = x - ((x * inverse) | 0) * bucket;
        if (id < 0) id += bucket;
        else if (id >= bucket) id -= bucket;
        const row = pruneSize < 0 ? id : pruned!.get(id);
        if (row >= 0) out[at++] = nwords + row;
      }
    }
  }
  return at;
}

function hashOf(bytes: Uint8Array): number {
  let h = FNV_BASIS;
  for (const b of bytes) h = fnvStep(h, b);
  return h;
}

/** The vocabulary's bytes and hashes, and an open-addressing table of entries by hash. */
export function entryIndex(words: Uint8Array[]) {
  const entryStart = new Int32Array(words.length + 1);
  for (let i = 0; i < words.length; i++) entryStart[i + 1] = entryStart[i]! + words[i]!.length;
  const entryBytes = new Uint8Array(entryStart[words.length]!);
  for (let i = 0; i < words.length; i++) entryBytes.set(words[i]!, entryStart[i]);
  const entryHash = Int32Array.from(words, hashOf);
  let size = 16;
  while (size < 2 * words.length) size *= 2;
  const entryTable = new Int32Array(size).fill(-1);
  for (let i = 0; i < words.length; i++) {
    let slot = entryHash[i]! & (size - 1);
    while (entryTable[slot] !== -1) slot = (slot + 1) & (size - 1);
    entryTable[slot] = i;
  }
  const eos = words.findIndex((w) => String.fromCharCode(...w) === '</s>');
  return { entryBytes, entryStart, entryHash, entryTable, eos };
}

/** The vocabulary entry whose bytes are bytes[1..length] (fastText hash h), or −1. */
export function findEntry(
  model: Pick<FastTextModel, 'entryTable' | 'entryHash' | 'entryStart' | 'entryBytes'>,
  bytes: Uint8Array,
  length: number,
  h: number,
): number {
  const { entryTable, entryHash, entryStart, entryBytes } = model;
  const mask = entryTable.length - 1;
  for (let slot = h & mask; ; slot = (slot + 1) & mask) {
    const id = entryTable[slot]!;
    if (id < 0) return -1;
    if (entryHash[id] !== h) continue;
    const from = entryStart[id]!;
    if (entryStart[id + 1]! - from !== length) continue;
    let k = 0;
    while (k < length && entryBytes[from + k] === bytes[k + 1]) k += 1;
    if (k === length) return id;
  }
}

const LABEL = [...'__label__'].map((c) => c.charCodeAt(0));
/** Whether bytes[1..length] start with `__label__` (fastText's label prefix): such tokens are skipped. */
export function isLabel(bytes: Uint8Array, length: number): boolean {
  if (length < LABEL.length) return false;
  for (let k = 0; k < LABEL.length; k++) if (bytes[k + 1] !== LABEL[k]) return false;
  return true;
}
