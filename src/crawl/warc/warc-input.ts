// The parser's input side: decoded bytes in a queue, the gzip members they came from (for record
// offsets), decoding breaks, and the small header helpers.
import { ByteQueue } from './byte-queue.js';
import type { BreakReason, DecodedEvent, Member } from './decoded-chunks.js';
import type { WarcRecord } from './warc-parser.js';

export const WARC_MAGIC = Buffer.from('WARC/');

export class Input {
  readonly queue = new ByteQueue();
  members: Member[] = [];
  eof = false;
  brk: { reason: BreakReason; offset: number } | undefined;
  constructor(private readonly it: AsyncIterator<DecodedEvent>) {}

  /** Pulls one decoded event; false when nothing more can come before the break or end is handled. */
  async pull(): Promise<boolean> {
    if (this.eof || this.brk) return false;
    const next = await this.it.next();
    if (next.done) {
      this.eof = true;
      return false;
    }
    const event = next.value;
    if (event.kind === 'break') {
      this.brk = { reason: event.reason, offset: event.offset };
      return false;
    }
    if (this.members[this.members.length - 1] !== event.member) this.members.push(event.member);
    this.queue.push(event.data);
    return true;
  }

  async ensure(n: number): Promise<boolean> {
    while (this.queue.length < n) if (!(await this.pull())) return false;
    return true;
  }

  memberAt(pos: number): Member | undefined {
    for (const m of this.members) {
      if (pos >= m.decodedStart && (m.decodedEnd === undefined || pos < m.decodedEnd)) return m;
    }
    return undefined;
  }

  prune(pos: number): void {
    while (this.members.length > 1 && (this.members[0]!.decodedEnd ?? Infinity) <= pos) this.members.shift();
  }

  /** File range of the decoded span [start, end). */
  pointer(start: number, end: number): Pick<WarcRecord, 'offset' | 'length' | 'offsetKind'> {
    const first = this.memberAt(start);
    const last = this.memberAt(end - 1);
    if (first?.identity) return { offset: start, length: end - start, offsetKind: 'file' };
    if (
      first &&
      last &&
      first.decodedStart === start &&
      last.decodedEnd === end &&
      last.compressedEnd !== undefined
    ) {
      return {
        offset: first.compressedStart,
        length: last.compressedEnd - first.compressedStart,
        offsetKind: 'file',
      };
    }
    return { offset: start, length: end - start, offsetKind: 'uncompressed' };
  }
}

export function isBlank(b: number | undefined): boolean {
  return b === 0x0d || b === 0x0a || b === 0x20 || b === 0x09 || b === 0x00;
}

/** Index of the next `WARC/` at a line start in `buf`, at or after `from`. */
export function nextWarcStart(buf: Buffer, from: number): number {
  let i = buf.indexOf(WARC_MAGIC, from);
  while (i > 0 && buf[i - 1] !== 0x0a) i = buf.indexOf(WARC_MAGIC, i + 1);
  return i;
}

export function parseFields(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  let last: string | undefined;
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      headers[last] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!(last in headers)) headers[last] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Strips the `<…>` some writers (wget, WARC/1.0 drafts) put around WARC-Target-URI. */
export function cleanUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const t = uri.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1).trim() : t;
}
