// A minimal WARC scan for PDF responses (plain or gzipped WARC files, one gzip member per record or one
// for the whole file): every `response` record whose HTTP payload is a PDF (by its %PDF- signature,
// whatever the Content-Type says) becomes a PdfInput named by its target URL. Responses are read one at
// a time (up to the size limit); other records are skipped as they stream past. The full WARC reader
// (offsets, ARC files, revisits) lives with the crawl code; this is only what weft pdf needs.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip, gunzipSync, inflateSync } from 'node:zlib';
import type { Source, StageContext } from '../pipeline/stage.js';
import type { PdfInput } from './pdf-inputs.js';

/** Pulls exact byte counts and header blocks out of a stream of chunks. */
class ChunkReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.chunks.push(next.value);
    this.buffered += next.value.length;
    return true;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = n < all.length ? [all.subarray(n)] : [];
    this.buffered = all.length - n;
    return all.subarray(0, n);
  }

  /**
   * The next header block, up to and including its blank line (CRLF CRLF), or undefined at the end
   * of the stream. Line breaks before it (the two CRLFs that close every WARC record) are skipped.
   */
  async headerBlock(maxBytes: number): Promise<Buffer | undefined> {
    while (true) {
      let joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      let lead = 0;
      while (lead < joined.length && (joined[lead] === 0x0d || joined[lead] === 0x0a)) lead++;
      joined = joined.subarray(lead);
      this.chunks = joined.length ? [joined] : [];
      this.buffered = joined.length;
      const end = joined.indexOf('\r\n\r\n');
      if (end >= 0) return this.take(end + 4);
      if (joined.length > maxBytes) throw new Error('WARC header block too long');
      if (!(await this.fill())) {
        if (joined.toString('latin1').trim() !== '') throw new Error('truncated WARC header');
        return undefined;
      }
    }
  }

  async read(n: number): Promise<Buffer> {
    while (this.buffered < n) if (!(await this.fill())) throw new Error('truncated WARC record');
    return this.take(n);
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.fill())) throw new Error('truncated WARC record');
      const step = Math.min(left, this.buffered);
      this.take(step);
      left -= step;
    }
  }
}

function parseHeaders(block: Buffer): { firstLine: string; headers: Map<string, string> } {
  const lines = block.toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { firstLine: lines[0] ?? '', headers };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size <= 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The PDF in an HTTP response block, or a reason it is not one (undefined: not a PDF at all). */
function pdfFromResponse(block: Buffer, maxFileBytes: number): Uint8Array | string | undefined {
  const split = block.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const { headers } = parseHeaders(block.subarray(0, split + 4));
  const type = headers.get('content-type') ?? '';
  let body = block.subarray(split + 4);
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) body = dechunk(body);
  const encoding = (headers.get('content-encoding') ?? '').toLowerCase();
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip')
      body = gunzipSync(body, { maxOutputLength: maxFileBytes + 1 });
    else if (encoding === 'deflate') body = inflateSync(body, { maxOutputLength: maxFileBytes + 1 });
  } catch {
    return /pdf/i.test(type) ? 'undecodable_payload' : undefined;
  }
  const head = body.subarray(0, 1024).toString('latin1');
  if (!head.includes('%PDF-')) return /pdf/i.test(type) ? 'not_a_pdf_payload' : undefined;
  if (body.length > maxFileBytes) return 'file_too_large';
  return new Uint8Array(body);
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function* scan(path: string, maxFileBytes: number, ctx: StageContext): AsyncGenerator<PdfInput> {
  const file = createReadStream(path);
  const stream = (await isGzip(path)) ? file.pipe(createGunzip()) : file;
  file.on('error', (error) => stream.destroy(error));
  const reader = new ChunkReader(stream[Symbol.asyncIterator]());
  try {
    while (true) {
      const block = await reader.headerBlock(64 * 1024);
      if (!block) return;
      const { firstLine, headers } = parseHeaders(block);
      if (!firstLine.startsWith('WARC/'))
        throw new Error(`not a WARC record header: ${firstLine.slice(0, 40)}`);
      const length = Number(headers.get('content-length'));
      if (!Number.isSafeInteger(length) || length < 0)
        throw new Error('WARC record without a Content-Length');
      ctx.stats.count('warc_records');
      const uri = headers.get('warc-target-uri')?.replace(/^<|>$/g, '') ?? '';
      const httpType = /application\/http/i.test(headers.get('content-type') ?? '');
      // Only responses small enough to be kept (HTTP headers allowed on top) are read; others are skipped.
      if (headers.get('warc-type') !== 'response' || !httpType || length > maxFileBytes + 64 * 1024) {
        await reader.skip(length);
      } else {
        const pdf = pdfFromResponse(await reader.read(length), maxFileBytes);
        if (typeof pdf === 'string') ctx.stats.drop(pdf);
        else if (pdf && headers.has('warc-truncated')) ctx.stats.drop('truncated_record');
        else if (pdf) {
          ctx.stats.count('files');
          yield { source: uri || `${path}#record-${ctx.stats.counters.get('warc_records')}`, bytes: pdf };
        }
      }
    }
  } catch (error) {
    // A truncated or corrupt WARC ends here: the records before were read, the rest is counted lost.
    ctx.stats.drop('warc_read_error');
    ctx.log.warn(`${path}: ${(error as Error).message}`);
  } finally {
    stream.destroy();
  }
}

/** PDF responses from WARC files (one task per file keeps the scan sequential and resumable). */
export function warcPdfSource(paths: readonly string[], options: { maxFileBytes: number }): Source<PdfInput> {
  return {
    name: 'read-pdfs',
    async *read(ctx) {
      for (const path of paths) {
        ctx.stats.count('warc_files');
        yield* scan(path, options.maxFileBytes, ctx);
      }
    },
  };
}
