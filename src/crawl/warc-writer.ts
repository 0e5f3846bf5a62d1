// Writes WARC/1.1 files (ISO 28500:2017): a warcinfo record first, then request/response record pairs,
// each record its own gzip member (so any record can be read alone from its offset, as Common Crawl
// indexes do), with WARC-Block-Digest and WARC-Payload-Digest (sha1, base32).
import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (what WARC digests use), padded. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

export function sha1Digest(data: Uint8Array): string {
  return `sha1:${base32(createHash('sha1').update(data).digest())}`;
}

export interface WarcRecordInput {
  type: 'warcinfo' | 'request' | 'response' | 'metadata' | 'resource';
  targetUri?: string;
  date: Date;
  contentType: string;
  block: Buffer;
  /** Digest of the HTTP payload (entity body), for request/response records. */
  payload?: Buffer;
  headers?: Record<string, string>;
  recordId?: string;
}

export interface WrittenRecord {
  recordId: string;
  /** Offset of the record's gzip member in the file, and its compressed length. */
  offset: number;
  length: number;
  payloadDigest?: string;
}

/** WARC-Date: UTC, second precision as most readers expect (WARC/1.1 also allows fractions). */
export function warcDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function newRecordId(): string {
  return `<urn:uuid:${randomUUID()}>`;
}

/** The bytes of one uncompressed record. */
export function encodeRecord(input: WarcRecordInput, recordId: string, payloadDigest?: string): Buffer {
  const fields: [string, string][] = [
    ['WARC-Type', input.type],
    ['WARC-Record-ID', recordId],
    ['WARC-Date', warcDate(input.date)],
  ];
  if (input.targetUri) fields.push(['WARC-Target-URI', input.targetUri]);
  for (const [k, v] of Object.entries(input.headers ?? {})) fields.push([k, v]);
  fields.push(['WARC-Block-Digest', sha1Digest(input.block)]);
  if (payloadDigest) fields.push(['WARC-Payload-Digest', payloadDigest]);
  fields.push(['Content-Type', input.contentType]);
  fields.push(['Content-Length', String(input.block.byteLength)]);
  const head = `WARC/1.1\r\n${fields.map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, ' ')}`).join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), input.block, Buffer.from('\r\n\r\n')]);
}

export class WarcWriter {
  private constructor(
    private readonly handle: FileHandle,
    private position: number,
  ) {}

  /** Opens `path` for appending at `position` (the end of the last complete record). */
  static async open(path: string, position = 0): Promise<WarcWriter> {
    const handle = await open(path, position > 0 ? 'r+' : 'w');
    if (position > 0) await handle.truncate(position);
    return new WarcWriter(handle, position);
  }

  get size(): number {
    return this.position;
  }

  async write(input: WarcRecordInput): Promise<WrittenRecord> {
    const recordId = input.recordId ?? newRecordId();
    const payloadDigest = input.payload ? sha1Digest(input.payload) : undefined;
    const member = gzipSync(encodeRecord(input, recordId, payloadDigest));
    const offset = this.position;
    this.position += member.byteLength;
    await this.handle.write(member, 0, member.byteLength, offset);
    return { recordId, offset, length: member.byteLength, ...(payloadDigest ? { payloadDigest } : {}) };
  }

  async sync(): Promise<void> {
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
