// Gzip members of a WARC file, each inflated in one native call when it fits the window (one member per
// record, as Common Crawl writes), else streamed with bounded memory (whole-file gzip, huge records).
// Member boundaries come from zlib's count of consumed input, so every record keeps its file range.
import type { open } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import type { DecodedEvent, Member } from './decoded-chunks.js';
import type { Window } from './file-window.js';
import { streamMember } from './gzip-stream.js';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);
/** Decoded size above which a member streams even when its compressed bytes fit the fast path. */
const FAST_PATH_MAX_OUTPUT_BYTES = 16 << 20;

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

export async function* gzipMembers(
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
    let fast: { data: Buffer; consumed: number } | 'stream' = 'stream';
    // One try on a window of `fastPathBytes`: Common Crawl records fit; a bigger member streams.
    await win.fill(Math.min(win.size >> 1, fastPathBytes));
    try {
      // At most `fastPathBytes` of input: the window may hold megabytes of a whole-file member, and
      // inflating all of it only to throw the result away when the input runs out cost a sixth of the
      // run. The output cap bounds the same waste (and memory) on a bomb; such members stream instead.
      const result = inflateRawSync(win.view(headerLen).subarray(0, fastPathBytes), {
        info: true,
        maxOutputLength: FAST_PATH_MAX_OUTPUT_BYTES,
      }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      fast = { data: result.buffer, consumed: result.engine.bytesWritten };
    } catch {
      // Too big, cut short or corrupt: streaming tells which, and keeps what decodes before damage (the
      // records ahead of it in a whole-file member).
      fast = 'stream';
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
