// Turns a WARC file (plain, whole-file gzip or one gzip member per record) into a stream of decoded
// bytes that remembers which compressed member each byte came from, so records get Common Crawl-style
// offsets. Small members inflate in one native call; large or truncated ones stream with bounded memory.
import { open } from 'node:fs/promises';
import { Window } from './file-window.js';
import { gzipMembers } from './gzip-members.js';
import { LZ4_MAGIC, lz4Frames } from './lz4-frames.js';

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
