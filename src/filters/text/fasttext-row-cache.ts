// A cache for fasttext-predict.ts: the input rows of recently seen out-of-vocabulary tokens, by their
// bytes, so that repeated tokens skip fastText's character n-gram hashing.

/**
 * Rows of recently seen out-of-vocabulary tokens (words with punctuation attached, names, numbers),
 * by their bytes: natural text repeats them, and their n-gram hashing is most of fastText's work.
 * Cleared when full.
 */
export class RowCache {
  private readonly table = new Int32Array(1 << 14).fill(-1);
  private readonly hashes = new Int32Array(1 << 13);
  private readonly byteStart = new Int32Array((1 << 13) + 1);
  private readonly bytePool = new Uint8Array(1 << 17);
  readonly rowStart = new Int32Array((1 << 13) + 1);
  readonly rowPool = new Int32Array(1 << 19);
  private size = 0;

  /** The entry for the token in bytes[1..length] (fastText hash h), or −1. */
  find(bytes: Uint8Array, length: number, h: number): number {
    const { table, hashes, byteStart, bytePool } = this;
    const mask = table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const id = table[slot]!;
      if (id < 0) return -1;
      if (hashes[id] !== h) continue;
      const from = byteStart[id]!;
      if (byteStart[id + 1]! - from !== length) continue;
      let k = 0;
      while (k < length && bytePool[from + k] === bytes[k + 1]) k += 1;
      if (k === length) return id;
    }
  }

  add(bytes: Uint8Array, length: number, h: number, rows: Int32Array, from: number, to: number): void {
    if (length > this.bytePool.length >> 4 || to - from > this.rowPool.length >> 4) return;
    let id = this.size;
    if (
      id === this.hashes.length ||
      this.byteStart[id]! + length > this.bytePool.length ||
      this.rowStart[id]! + to - from > this.rowPool.length
    ) {
      this.table.fill(-1);
      id = this.size = 0;
    }
    this.size += 1;
    this.hashes[id] = h;
    this.bytePool.set(bytes.subarray(1, length + 1), this.byteStart[id]!);
    this.byteStart[id + 1] = this.byteStart[id]! + length;
    this.rowPool.set(rows.subarray(from, to), this.rowStart[id]!);
    this.rowStart[id + 1] = this.rowStart[id]! + to - from;
    const mask = this.table.length - 1;
    let slot = h & mask;
    while (this.table[slot] !== -1) slot = (slot + 1) & mask;
    this.table[slot] = id;
  }
}
