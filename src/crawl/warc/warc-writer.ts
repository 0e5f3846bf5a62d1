// Writes WARC/1.1 files (plain, one gzip member per record as Common Crawl does, or whole-file gzip).
// Used by `weft demo` and by tests to build archives with exactly the quirks they need.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

export interface WarcRecordSpec {
  type: 'warcinfo' | 'response' | 'request' | 'metadata' | 'resource' | 'revisit' | 'conversion';
  targetUri?: string;
  /** ISO 8601; defaults to a fixed date so output is reproducible. */
  date?: string;
  /** WARC Content-Type; defaults by record type. */
  contentType?: string;
  /** Extra WARC header fields. */
  headers?: Record<string, string>;
  block: Buffer | string;
}

export type WarcCompression = 'none' | 'record' | 'file';

const DEFAULT_TYPES: Record<string, string> = {
  warcinfo: 'application/warc-fields',
  response: 'application/http; msgtype=response',
  request: 'application/http; msgtype=request',
  metadata: 'application/warc-fields',
};

/** A deterministic record id from the record's content and position. */
function recordId(spec: WarcRecordSpec, index: number): string {
  const h = createHash('sha1')
    .update(`${index}\n${spec.type}\n${spec.targetUri ?? ''}\n`)
    .update(spec.block)
    .digest('hex');
  return `<urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}>`;
}

export function serializeWarcRecord(spec: WarcRecordSpec, index = 0): Buffer {
  const block = typeof spec.block === 'string' ? Buffer.from(spec.block, 'utf8') : spec.block;
  const fields: [string, string][] = [
    ['WARC-Type', spec.type],
    ['WARC-Record-ID', recordId(spec, index)],
    ['WARC-Date', spec.date ?? '2024-05-18T01:58:10Z'],
  ];
  if (spec.targetUri) fields.push(['WARC-Target-URI', spec.targetUri]);
  for (const [k, v] of Object.entries(spec.headers ?? {})) fields.push([k, v]);
  const contentType = spec.contentType ?? DEFAULT_TYPES[spec.type];
  if (contentType) fields.push(['Content-Type', contentType]);
  fields.push(['Content-Length', String(block.length)]);
  const head = `WARC/1.1\r\n${fields.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), block, Buffer.from('\r\n\r\n')]);
}

/** An HTTP/1.1 response message as a WARC response block. */
export function httpResponse(status: number, headers: Record<string, string>, body: Buffer | string): Buffer {
  const reason: Record<number, string> = { 200: 'OK', 301: 'Moved Permanently', 404: 'Not Found' };
  const head = [
    `HTTP/1.1 ${status} ${reason[status] ?? 'Status'}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
}

/** Chunked transfer-encoding of `body` in chunks of `size` bytes. */
export function chunked(body: Buffer, size = 512): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const chunk = body.subarray(at, at + size);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

export function encodeWarc(records: WarcRecordSpec[], compression: WarcCompression): Buffer {
  const plain = records.map((r, i) => serializeWarcRecord(r, i));
  if (compression === 'none') return Buffer.concat(plain);
  if (compression === 'file') return gzipSync(Buffer.concat(plain));
  return Buffer.concat(plain.map((p) => gzipSync(p)));
}

export async function writeWarc(
  path: string,
  records: WarcRecordSpec[],
  compression: WarcCompression,
): Promise<void> {
  await writeFile(path, encodeWarc(records, compression));
}
