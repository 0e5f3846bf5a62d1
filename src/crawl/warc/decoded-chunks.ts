// Turns a WARC file (plain, whole-file gzip or one gzip member per record) into a stream of decoded
// bytes that remembers which compressed member each byte came from, so records get Common Crawl-style
// offsets. Small members inflate in one native call; large or truncated ones stream with bounded memory.
import { open } from 'node:fs/promises';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { decodeFrame, LZ4_MAGIC, Lz4Error } from './lz4-frames.js';

/** A stretch of the file that decodes on its own: a gzip member, or the whole file when it is plain. */
export interface Member {
  compressedStart: number;
  /** Known once the member has been fully decoded. */
  compressedEnd: number | undefined;
  decodedStart: number;
  decodedEnd: number | undefined;
  /** True for plain files: decoded offsets are file offsets. */
  identity: boolean;
}

export type DecodedEvent =
  | { kind: 'data'; data: Buffer; member: Member }
  /** Decoding broke here: bytes were lost, and data after this event starts at a fresh member. */
  | { kind: 'break'; reason: BreakReason; offset: number };

export type BreakReason =
  | 'truncated_gzip_member'
  | 'corrupt_gzip_member'
  | 'truncated_lz4_frame'
  | 'corrupt_lz4_frame';

export interface DecodeOptions {
  /** Members whose compressed size fits this window (default 256 KiB) inflate in one call; larger ones stream. */
  fastPathBytes?: number;
  /** Bytes read from disk at a time. */
  readBytes?: number;
}

export type FileFormat = 'plain' | 'gzip' | 'lz4';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

/** Sequential reader over a file handle with a window at the current position (moved, not copied). */
class Window {
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

/** Length of the gzip header at the start of `b`, or -1 if `b` is too short to hold it. */
function gzipHeaderLength(b: Buffer): number {
  if (b.length < 10) return -1;
  const flags = b[3]!;
  let at = 10;
  if (flags & 4) {
    if (b.length < at + 2) return -1;
    at += 2 + b.readUInt16LE(at);
  }
  for (const bit of [8, 16]) {
    if (flags & bit) {
      const zero = b.indexOf(0, at);
      if (zero < 0) return -1;
      at = zero + 1;
    }
  }
  if (flags & 2) at += 2;
  return at <= b.length ? at : -1;
}

export async function detectFormat(path: string): Promise<FileFormat> {
  const fd = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fd.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    return bytesRead >= 4 && head.readUInt32LE(0) === LZ4_MAGIC ? 'lz4' : 'plain';
  } finally {
    await fd.close();
  }
}

export async function* decodedChunks(
  path: string,
  options: DecodeOptions = {},
): AsyncGenerator<DecodedEvent> {
  const readBytes = options.readBytes ?? 4 << 20;
  const fastPathBytes = options.fastPathBytes ?? 256 << 10;
  const fd = await open(path, 'r');
  try {
    const win = new Window(fd, readBytes);
    await win.fill(4);
    if (win.len >= 4 && win.view().readUInt32LE(0) === LZ4_MAGIC) {
      yield* lz4Frames(win, fastPathBytes);
      return;
    }
    if (!(win.byte(0) === 0x1f && win.byte(1) === 0x8b)) {
      const member: Member = {
        compressedStart: 0,
        compressedEnd: undefined,
        decodedStart: 0,
        decodedEnd: undefined,
        identity: true,
      };
      let at = 0;
      while (true) {
        const chunk = Buffer.allocUnsafe(readBytes);
        const { bytesRead } = await fd.read(chunk, 0, readBytes, at);
        if (bytesRead === 0) break;
        at += bytesRead;
        yield { kind: 'data', data: chunk.subarray(0, bytesRead), member };
      }
      member.compressedEnd = member.decodedEnd = at;
      return;
    }
    yield* gzipMembers(win, fd, fastPathBytes);
  } finally {
    await fd.close();
  }
}

async function* gzipMembers(
  win: Window,
  fd: Awaited<ReturnType<typeof open>>,
  fastPathBytes: number,
): AsyncGenerator<DecodedEvent> {
  let decodedPos = 0;
  let at = 0;
  while (true) {
    win.seek(at);
    await win.fill(64 << 10);
    if (win.len === 0) return;
    if (win.byte(0) !== 0x1f || win.byte(1) !== 0x8b || win.byte(2) !== 0x08) {
      // Not a member start: padding or garbage. Resume at the next member, if any.
      const next = await findMagic(win, at + 1);
      if (next < 0) {
        // Trailing zeros are harmless padding; anything else is a corrupt tail.
        if (!win.view().every((b) => b === 0))
          yield { kind: 'break', reason: 'corrupt_gzip_member', offset: at };
        return;
      }
      yield { kind: 'break', reason: 'corrupt_gzip_member', offset: at };
      at = next;
      continue;
    }
    const headerLen = gzipHeaderLength(win.view());
    if (headerLen < 0) {
      yield { kind: 'break', reason: 'truncated_gzip_member', offset: at };
      return;
    }
    const member: Member = {
      compressedStart: at,
      compressedEnd: undefined,
      decodedStart: decodedPos,
      decodedEnd: undefined,
      identity: false,
    };
    // Fast path: the whole member is in the window, so one native call inflates it.
    let fast: { data: Buffer; consumed: number } | 'stream' | 'corrupt' = 'stream';
    // One try on a window of `fastPathBytes`: Common Crawl records fit; a bigger member streams.
    await win.fill(Math.min(win.size >> 1, fastPathBytes));
    try {
      const result = inflateRawSync(win.view(headerLen), {
        info: true,
        maxOutputLength: 64 << 20,
      }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      fast = { data: result.buffer, consumed: result.engine.bytesWritten };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      fast = code === 'Z_BUF_ERROR' || code === 'ERR_BUFFER_TOO_LARGE' ? 'stream' : 'corrupt';
    }
    if (fast === 'corrupt') {
      yield { kind: 'break', reason: 'corrupt_gzip_member', offset: at };
      const next = await findMagic(win, at + 1);
      if (next < 0) return;
      at = next;
      continue;
    }
    if (fast !== 'stream') {
      const deflateEnd = at + headerLen + fast.consumed;
      const trailerOk = deflateEnd + 8 <= win.start + win.len;
      member.compressedEnd = Math.min(deflateEnd + 8, win.start + win.len);
      decodedPos += fast.data.length;
      member.decodedEnd = decodedPos;
      if (fast.data.length > 0) yield { kind: 'data', data: fast.data, member };
      if (!trailerOk) {
        yield { kind: 'break', reason: 'truncated_gzip_member', offset: at };
        return;
      }
      at = deflateEnd + 8;
      continue;
    }
    // Streaming path: a large member (whole-file gzip) or one cut short by the end of the file.
    const streamed = yield* streamMember(fd, at + headerLen, member, decodedPos);
    decodedPos = streamed.decodedPos;
    if (streamed.error) {
      yield { kind: 'break', reason: streamed.error, offset: at };
      if (streamed.error === 'truncated_gzip_member') return;
      const next = await findMagic(win, at + 1);
      if (next < 0) return;
      at = next;
      continue;
    }
    at = streamed.deflateEnd + 8;
    if (at > streamed.fileSize) {
      yield { kind: 'break', reason: 'truncated_gzip_member', offset: member.compressedStart };
      return;
    }
  }
}

/** Offset of the next gzip member magic at or after `from`, or -1. */
async function findMagic(win: Window, from: number): Promise<number> {
  let at = from;
  while (true) {
    win.seek(at);
    await win.fill(Math.min(win.size, 1 << 20));
    if (win.len < 3) return -1;
    const i = win.view().indexOf(GZIP_MAGIC);
    if (i >= 0) return win.start + i;
    if (win.eof) return -1;
    at = win.start + win.len - 2;
  }
}

interface StreamResult {
  decodedPos: number;
  deflateEnd: number;
  fileSize: number;
  error?: 'truncated_gzip_member' | 'corrupt_gzip_member';
}

/** Inflates one member with a streaming inflater, 64 KiB of input at a time (bounds memory on bombs). */
async function* streamMember(
  fd: Awaited<ReturnType<typeof open>>,
  deflateStart: number,
  member: Member,
  decodedStart: number,
): AsyncGenerator<DecodedEvent, StreamResult> {
  const inflate = createInflateRaw({ chunkSize: 256 << 10 });
  const out: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  inflate.on('data', (chunk: Buffer) => {
    out.push(chunk);
    signal();
  });
  inflate.on('end', () => {
    ended = true;
    signal();
  });
  inflate.on('error', (error) => {
    failure = error;
    signal();
  });
  const { size: fileSize } = await fd.stat();
  let readAt = deflateStart;
  let inputDone = false;
  let decodedPos = decodedStart;
  let held: Buffer | undefined;
  // Read 1 MiB from disk at a time but feed the inflater 64 KiB at a time: its output per write (the
  // memory a gzip bomb could claim before we see it) stays bounded.
  const inputBytes = 64 << 10;
  const readBytes = 1 << 20;
  let pending = Buffer.alloc(0);
  while (true) {
    if (out.length > 0) {
      for (const chunk of out.splice(0)) {
        if (held) {
          decodedPos += held.length;
          yield { kind: 'data', data: held, member };
        }
        held = chunk;
      }
      continue;
    }
    if (ended || failure) break;
    const waiting = new Promise<void>((resolve) => {
      wake = resolve;
    });
    if (!inputDone && inflate.writableLength === 0) {
      if (pending.length === 0) {
        const chunk = Buffer.allocUnsafe(readBytes);
        const { bytesRead } = await fd.read(chunk, 0, readBytes, readAt);
        readAt += bytesRead;
        pending = chunk.subarray(0, bytesRead);
      }
      if (pending.length === 0) {
        inputDone = true;
        inflate.end();
      } else {
        inflate.write(pending.subarray(0, inputBytes), () => signal());
        pending = pending.subarray(inputBytes);
      }
    }
    await waiting;
  }
  const deflateEnd = deflateStart + inflate.bytesWritten;
  if (held) {
    decodedPos += held.length;
    if (!failure) {
      member.compressedEnd = Math.min(deflateEnd + 8, fileSize);
      member.decodedEnd = decodedPos;
    }
    yield { kind: 'data', data: held, member };
  }
  inflate.destroy();
  if (failure) {
    const truncated = (failure as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || inputDone;
    return {
      decodedPos,
      deflateEnd,
      fileSize,
      error: truncated ? 'truncated_gzip_member' : 'corrupt_gzip_member',
    };
  }
  member.compressedEnd = Math.min(deflateEnd + 8, fileSize);
  member.decodedEnd = decodedPos;
  return { decodedPos, deflateEnd, fileSize };
}

/** LZ4 frames (one per record, as FastWARC writes them), each decoded whole. */
async function* lz4Frames(win: Window, windowBytes: number): AsyncGenerator<DecodedEvent> {
  let decodedPos = 0;
  let at = 0;
  const maxFrameOutput = 512 << 20;
  while (true) {
    win.seek(at);
    let want = Math.min(windowBytes, 1 << 20);
    await win.fill(want);
    if (win.len === 0) return;
    const magic = win.len >= 4 ? win.view().readUInt32LE(0) : 0;
    if ((magic & 0xfffffff0) === 0x184d2a50 && win.len >= 8) {
      at += 8 + win.view().readUInt32LE(4); // skippable frame
      continue;
    }
    let frame: { data: Buffer; length: number } | undefined;
    let failure: Lz4Error | undefined;
    while (true) {
      try {
        frame = decodeFrame(win.view(), 0, maxFrameOutput);
        break;
      } catch (error) {
        if (!(error instanceof Lz4Error)) throw error;
        if (error.truncated && !win.eof && want < maxFrameOutput) {
          want *= 2;
          await win.fill(want);
          continue;
        }
        failure = error;
        break;
      }
    }
    if (!frame) {
      const reason = failure?.truncated ? 'truncated_lz4_frame' : 'corrupt_lz4_frame';
      yield { kind: 'break', reason, offset: at };
      return;
    }
    const member: Member = {
      compressedStart: at,
      compressedEnd: at + frame.length,
      decodedStart: decodedPos,
      decodedEnd: decodedPos + frame.data.length,
      identity: false,
    };
    decodedPos += frame.data.length;
    if (frame.data.length > 0) yield { kind: 'data', data: frame.data, member };
    at += frame.length;
  }
}
