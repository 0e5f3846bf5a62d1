// LZ4 frame decoding (the format FastWARC/Resiliparse write, one frame per record). Node has no LZ4, and
// the format is small enough to decode here: frames are parsed from the file, blocks decoded in memory.
import type { DecodedEvent, Member } from './decoded-chunks.js';
import type { Window } from './file-window.js';

export const LZ4_MAGIC = 0x184d2204;

export class Lz4Error extends Error {
  constructor(
    message: string,
    readonly truncated: boolean,
  ) {
    super(message);
  }
}

/** Decodes one LZ4 block into `out` at `pos`; returns the new output position. */
function decodeBlock(src: Buffer, start: number, end: number, out: Buffer, pos: number): number {
  let i = start;
  let o = pos;
  while (i < end) {
    const token = src[i++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (i >= end) throw new Lz4Error('literal length past block end', false);
        b = src[i++]!;
        literals += b;
      } while (b === 255);
    }
    if (i + literals > end || o + literals > out.length) throw new Lz4Error('literals past block end', false);
    src.copy(out, o, i, i + literals);
    i += literals;
    o += literals;
    if (i >= end) break; // the last sequence has literals only
    if (i + 2 > end) throw new Lz4Error('offset past block end', false);
    const offset = src[i]! | (src[i + 1]! << 8);
    i += 2;
    if (offset === 0 || offset > o) throw new Lz4Error('bad match offset', false);
    let match = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (i >= end) throw new Lz4Error('match length past block end', false);
        b = src[i++]!;
        match += b;
      } while (b === 255);
    }
    if (o + match > out.length) throw new Lz4Error('match past output size', false);
    // Overlapping copies repeat the pattern, so copy byte by byte when they overlap.
    if (offset >= match) out.copy(out, o, o - offset, o - offset + match);
    else for (let k = 0; k < match; k++) out[o + k] = out[o - offset + k]!;
    o += match;
  }
  return o;
}

const BLOCK_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

/**
 * Decodes the frame starting at `at` in `buf`. Returns the decoded bytes and the frame's length, or throws
 * Lz4Error (`truncated` when `buf` ends inside the frame).
 */
export function decodeFrame(
  buf: Buffer,
  at: number,
  maxOutputBytes: number,
): { data: Buffer; length: number } {
  const need = (n: number) => {
    if (at + n > buf.length) throw new Lz4Error('frame cut short', true);
  };
  need(7);
  if (buf.readUInt32LE(at) !== LZ4_MAGIC) throw new Lz4Error('not an LZ4 frame', false);
  const flg = buf[at + 4]!;
  const bd = buf[at + 5]!;
  if (flg >>> 6 !== 1) throw new Lz4Error('unsupported LZ4 frame version', false);
  const blockChecksum = (flg & 0x10) !== 0;
  const contentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const dictId = (flg & 0x01) !== 0;
  const blockMax = BLOCK_SIZES[(bd >>> 4) & 7];
  if (!blockMax) throw new Lz4Error('bad LZ4 block size', false);
  let i = at + 6 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1;
  need(i - at);
  const parts: Buffer[] = [];
  let out = Buffer.allocUnsafe(blockMax);
  let pos = 0;
  let total = 0;
  while (true) {
    if (i + 4 > buf.length) throw new Lz4Error('frame cut short', true);
    const word = buf.readUInt32LE(i);
    i += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > blockMax) throw new Lz4Error('LZ4 block larger than declared', false);
    if (i + size + (blockChecksum ? 4 : 0) > buf.length) throw new Lz4Error('frame cut short', true);
    // Blocks may reference the previous 64 KiB of output, so decode into one buffer that keeps it.
    if (pos + blockMax > out.length) {
      const keep = Math.min(pos, 64 << 10);
      parts.push(Buffer.from(out.subarray(0, pos - keep)));
      const next = Buffer.allocUnsafe(keep + blockMax);
      out.copy(next, 0, pos - keep, pos);
      out = next;
      pos = keep;
    }
    const before = pos;
    if (word & 0x80000000) {
      buf.copy(out, pos, i, i + size);
      pos += size;
    } else pos = decodeBlock(buf, i, i + size, out, pos);
    total += pos - before;
    if (total > maxOutputBytes) throw new Lz4Error('LZ4 frame decodes past the size cap', false);
    i += size + (blockChecksum ? 4 : 0);
  }
  if (contentChecksum) i += 4;
  if (i > buf.length) throw new Lz4Error('frame cut short', true);
  parts.push(out.subarray(0, pos));
  return { data: parts.length === 1 ? parts[0]! : Buffer.concat(parts), length: i - at };
}

/** LZ4 frames (one per record, as FastWARC writes them), each decoded whole. */
export async function* lz4Frames(win: Window, windowBytes: number): AsyncGenerator<DecodedEvent> {
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
