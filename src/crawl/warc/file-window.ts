// A sequential window over a file handle: read ahead, move forward without copying, compact rarely.
import type { open } from 'node:fs/promises';

/** Sequential reader over a file handle with a window at the current position (moved, not copied). */
export class Window {
  private buf: Buffer;
  private off = 0; // index in buf of the window's first byte
  start = 0; // file offset of the window's first byte
  len = 0;
  eof = false;
  readonly size: number;
  constructor(
    private readonly fd: Awaited<ReturnType<typeof open>>,
    size: number,
  ) {
    this.buf = Buffer.allocUnsafe(size);
    this.size = size;
  }
  /** Moves the window to file offset `at`, keeping what it already holds from there on. */
  seek(at: number): void {
    const skip = at - this.start;
    if (skip >= 0 && skip <= this.len) {
      this.off += skip;
      this.len -= skip;
    } else {
      this.off = 0;
      this.len = 0;
      this.eof = false;
    }
    this.start = at;
  }
  /** Reads until the window holds `want` bytes or the file ends; compacts or grows the buffer as needed. */
  async fill(want: number): Promise<void> {
    if (this.len >= want || this.eof) return;
    if (this.off + want > this.buf.length) {
      const target =
        want > this.buf.length ? Buffer.allocUnsafe(Math.max(want, this.buf.length * 2)) : this.buf;
      this.buf.copy(target, 0, this.off, this.off + this.len);
      this.buf = target;
      this.off = 0;
    }
    while (this.len < want && !this.eof) {
      const end = this.off + this.len;
      const { bytesRead } = await this.fd.read(this.buf, end, this.buf.length - end, this.start + this.len);
      if (bytesRead === 0) this.eof = true;
      this.len += bytesRead;
    }
  }
  view(from = 0): Buffer {
    return this.buf.subarray(this.off + from, this.off + this.len);
  }
  byte(i: number): number | undefined {
    return i < this.len ? this.buf[this.off + i] : undefined;
  }
}
