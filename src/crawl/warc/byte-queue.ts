// A FIFO of byte chunks with absolute positions: the WARC parser peeks at headers and takes blocks
// without copying when they lie in one chunk (the common case: one gzip member per record).

export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // offset into chunks[0]
  /** Bytes queued. */
  length = 0;
  /** Absolute position (in the decoded stream) of the first queued byte. */
  position = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first `n` bytes (or fewer if fewer are queued) as one buffer; merges chunks when needed. */
  peek(n: number): Buffer {
    const want = Math.min(n, this.length);
    const first = this.chunks[0];
    if (!first) return Buffer.alloc(0);
    if (first.length - this.head >= want) return first.subarray(this.head, this.head + want);
    // Merge just the bytes needed to cover `want` into one buffer; the rest of the last chunk stays.
    const parts: Buffer[] = [];
    let have = 0;
    let i = 0;
    while (have < want) {
      const c = i === 0 ? this.chunks[0]!.subarray(this.head) : this.chunks[i]!;
      const take = Math.min(c.length, want - have);
      parts.push(take === c.length ? c : c.subarray(0, take));
      have += take;
      if (take < c.length) {
        this.chunks[i] = c.subarray(take);
        break;
      }
      i++;
    }
    const merged = Buffer.concat(parts, have);
    this.chunks.splice(0, i, merged);
    this.head = 0;
    return merged;
  }

  /** Drops `n` bytes from the front. */
  consume(n: number): void {
    let left = Math.min(n, this.length);
    this.length -= left;
    this.position += left;
    while (left > 0) {
      const first = this.chunks[0]!;
      const avail = first.length - this.head;
      if (left < avail) {
        this.head += left;
        return;
      }
      left -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Drops leading bytes while `test` holds; true when a byte that fails it is now at the front. */
  dropWhile(test: (b: number) => boolean): boolean {
    while (this.length > 0) {
      const first = this.chunks[0]!;
      let i = this.head;
      while (i < first.length && test(first[i]!)) i++;
      this.consume(i - this.head);
      if (i < first.length) return true;
    }
    return false;
  }

  take(n: number): Buffer {
    const out = this.peek(n);
    this.consume(out.length);
    return out;
  }

  clear(): void {
    this.position += this.length;
    this.chunks = [];
    this.head = 0;
    this.length = 0;
  }

  byteAt(i: number): number | undefined {
    let at = this.head + i;
    for (const c of this.chunks) {
      if (at < c.length) return c[at];
      at -= c.length;
    }
    return undefined;
  }
}
