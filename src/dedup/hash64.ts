// Fast non-cryptographic 64-bit hashing of strings as two 32-bit lanes, and the small typed-array
// structures dedup builds on: a u64-keyed open-addressing table and growable columns.

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 64-bit hash of a string (UTF-16 code units), as [hi, lo] unsigned 32-bit halves. */
export function hash64(text: string, seed = 0): [number, number] {
  let a = (0x811c9dc5 ^ seed) | 0;
  let b = (0x2545f491 + seed) | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [fmix32(a ^ text.length), fmix32(b ^ Math.imul(a, 0x9e3779b1))];
}

/** The first 64 bits of a hex digest (e.g. an image sha256) as [hi, lo]. */
export function hexPrefix64(hex: string): [number, number] {
  return [Number.parseInt(hex.slice(0, 8), 16) >>> 0, Number.parseInt(hex.slice(8, 16), 16) >>> 0];
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Open-addressing map from 64-bit keys to non-negative int32 values; ~12 bytes per slot. */
export class U64Table {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** Value + 1; 0 marks an empty slot. */
  private values: Int32Array;
  size = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.values = new Int32Array(capacity);
  }

  /** Empties the table, keeping its memory. */
  clear(): void {
    this.values.fill(0);
    this.size = 0;
  }

  get byteLength(): number {
    return this.hi.byteLength + this.lo.byteLength + this.values.byteLength;
  }

  private slotOf(hi: number, lo: number): number {
    const mask = this.values.length - 1;
    let slot = fmix32(hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    while (this.values[slot] !== 0 && (this.hi[slot] !== hi || this.lo[slot] !== lo))
      slot = (slot + 1) & mask;
    return slot;
  }

  get(hi: number, lo: number): number | undefined {
    const slot = this.slotOf(hi >>> 0, lo >>> 0);
    const v = this.values[slot]!;
    return v === 0 ? undefined : v - 1;
  }

  set(hi: number, lo: number, value: number): void {
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    const slot = this.slotOf(hi >>> 0, lo >>> 0);
    if (this.values[slot] === 0) {
      this.size += 1;
      this.hi[slot] = hi;
      this.lo[slot] = lo;
    }
    this.values[slot] = value + 1;
  }

  /** The value already stored for the key, or stores `value` and returns undefined. */
  getOrSet(hi: number, lo: number, value: number): number | undefined {
    const existing = this.get(hi, lo);
    if (existing !== undefined) return existing;
    this.set(hi, lo, value);
    return undefined;
  }

  private grow(): void {
    const { hi, lo, values } = this;
    this.hi = new Uint32Array(values.length * 2);
    this.lo = new Uint32Array(values.length * 2);
    this.values = new Int32Array(values.length * 2);
    this.size = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) this.set(hi[i]!, lo[i]!, values[i]! - 1);
  }

  *entries(): Generator<[number, number, number]> {
    for (let i = 0; i < this.values.length; i++)
      if (this.values[i] !== 0) yield [this.hi[i]!, this.lo[i]!, this.values[i]! - 1];
  }
}

/** A growable column of numbers backed by a typed array. */
export class Column<T extends Uint32Array | Int32Array | Float64Array> {
  private data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  toArray(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const u32Column = () => new Column((n) => new Uint32Array(n));
export const f64Column = () => new Column((n) => new Float64Array(n));
