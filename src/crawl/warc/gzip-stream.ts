// Streams one large gzip member (whole-file gzip, a huge record, a member cut short by the end of the
// file) through zlib's inflater, pulled by the parser: output waits for the consumer, so memory stays at
// a few output chunks however far the input inflates (gzip bombs), and input goes in large writes.
import type { open } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import type { DecodedEvent, Member } from './decoded-chunks.js';

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Inflated bytes per chunk: one thread-pool round trip each (64 KiB chunks cost 5-25% more CPU). */
const STREAM_CHUNK_BYTES = 256 << 10;
/** Inflated bytes the inflater may hold ready ahead of the parser (on the thread pool, overlapping it). */
const AHEAD_BYTES = 1 << 20;
/** Compressed bytes read from disk and written to the inflater at a time. */
const INPUT_BYTES = 1 << 20;
/** Compressed bytes per write where a second pass closes in on damage (see `streamMember`). */
const FINE_INPUT_BYTES = 1 << 10;

export interface StreamResult {
  decodedPos: number;
  deflateEnd: number;
  fileSize: number;
  error?: 'truncated_gzip_member' | 'corrupt_gzip_member';
}

/** Inflates the member whose deflate data starts at `deflateStart`; `member` gets its ends when done. */
export async function* streamMember(
  fd: FileHandle,
  deflateStart: number,
  member: Member,
  decodedStart: number,
): AsyncGenerator<DecodedEvent, StreamResult> {
  const first = yield* inflatePass(fd, deflateStart, member, decodedStart, {
    skipBytes: 0,
    fineFrom: Infinity,
  });
  if (first.error !== 'corrupt_gzip_member') return first;
  // zlib drops all output of the call that meets the damage: up to a chunk of good records before it.
  // Decode the member again, skipping what was handed over, and write from where that call began in
  // small pieces, so the failing call (and what it drops) is small. Costs a second pass, once.
  return yield* inflatePass(fd, deflateStart, member, decodedStart, {
    skipBytes: first.decodedPos - decodedStart,
    fineFrom: first.deflateEnd,
  });
}

interface PassOptions {
  /** Decoded bytes an earlier pass handed over already: dropped here. */
  skipBytes: number;
  /** File offset from which input goes in `FINE_INPUT_BYTES` writes. */
  fineFrom: number;
}

async function* inflatePass(
  fd: FileHandle,
  deflateStart: number,
  member: Member,
  decodedStart: number,
  { skipBytes, fineFrom }: PassOptions,
): AsyncGenerator<DecodedEvent, StreamResult> {
  const inflate = createInflateRaw({ chunkSize: STREAM_CHUNK_BYTES });
  const out: Buffer[] = [];
  let outBytes = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Flowing mode, paused when the parser falls behind: a paused stream's `push()` reports a full buffer
  // and zlib then waits, mid-write, until the stream is read again (readable backpressure). Unlike
  // `read()`, 'data' hands over zlib's own chunks, never a concatenation of them.
  inflate.on('data', (chunk: Buffer) => {
    out.push(chunk);
    outBytes += chunk.length;
    if (outBytes >= AHEAD_BYTES) inflate.pause();
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
  let inputDone = false;
  let stopped = false;
  // A failed disk read is thrown to the consumer, as a failed read anywhere else in the reader is.
  let readFailure: { error: unknown } | undefined;
  const feeding = feed().catch((error: unknown) => {
    readFailure = { error };
    signal();
  });

  /** Resolves true when zlib has taken all of `piece`, false when the stream failed or was destroyed. */
  function write(piece: Buffer): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const done = () => resolve(false);
      inflate.once('close', done);
      inflate.write(piece, (error) => {
        inflate.off('close', done);
        resolve(!error);
      });
    });
  }

  /** Writes the file from `deflateStart` on until the deflate stream ends (zlib leaves input unread). */
  async function feed(): Promise<void> {
    // One buffer, reused: zlib is done with it once a write's callback runs.
    const chunk = Buffer.allocUnsafe(INPUT_BYTES);
    let readAt = deflateStart;
    while (!stopped) {
      const { bytesRead } = await fd.read(chunk, 0, INPUT_BYTES, readAt);
      if (stopped) return;
      if (bytesRead === 0) {
        inputDone = true;
        inflate.end();
        return;
      }
      for (let at = 0; at < bytesRead; ) {
        const end =
          readAt + at < fineFrom
            ? Math.min(bytesRead, fineFrom - readAt)
            : Math.min(bytesRead, at + FINE_INPUT_BYTES);
        if (!(await write(chunk.subarray(at, end)))) return;
        at = end;
        if (inflate.bytesWritten < readAt + at - deflateStart) return;
      }
      readAt += bytesRead;
    }
  }

  let decodedPos = decodedStart + skipBytes;
  let skip = skipBytes;
  // The last chunk is held back until the member's end is known, so its records get file offsets.
  let held: Buffer | undefined;
  try {
    while (true) {
      let chunk = out.shift();
      if (chunk) {
        outBytes -= chunk.length;
        if (outBytes < AHEAD_BYTES && inflate.isPaused()) inflate.resume();
        if (skip > 0) {
          const drop = Math.min(skip, chunk.length);
          skip -= drop;
          chunk = chunk.subarray(drop);
          if (chunk.length === 0) continue;
        }
        if (held) {
          decodedPos += held.length;
          yield { kind: 'data', data: held, member };
        }
        held = chunk;
        continue;
      }
      if (readFailure) throw readFailure.error;
      if (ended || failure) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stopped = true;
    inflate.destroy();
  }
  await feeding;
  const deflateEnd = deflateStart + inflate.bytesWritten;
  if (held) {
    decodedPos += held.length;
    if (!failure) {
      member.compressedEnd = Math.min(deflateEnd + 8, fileSize);
      member.decodedEnd = decodedPos;
    }
    yield { kind: 'data', data: held, member };
  }
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
