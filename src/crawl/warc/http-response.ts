// The HTTP response inside a WARC response record: status, headers, and the body with chunked
// transfer-encoding and gzip/deflate/br content-encoding undone (with a cap on the decoded size).
// Archives often keep the headers of an encoding they already undid, so a body that is not really
// chunked or compressed is taken as it is, and noted.
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

export interface HttpResponse {
  status: number;
  /** Header fields by lower-case name; repeated fields joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Things worth counting that did not stop the page: `not_really_chunked`, `body_truncated`, … */
  notes: string[];
}

export type HttpProblem =
  | 'bad_http_response'
  | 'bad_chunked_encoding'
  | 'bad_content_encoding'
  | 'content_too_large';

export type HttpResult = { ok: true; response: HttpResponse } | { ok: false; reason: HttpProblem };

const STATUS = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/i;

/** Splits a header block off `block`; tolerant of bare LF line ends. */
export function splitHead(block: Buffer): { head: string; bodyStart: number } | undefined {
  const crlf = block.indexOf('\r\n\r\n');
  const lf = block.indexOf('\n\n');
  if (crlf < 0 && lf < 0) {
    // Headers with no body at all.
    return block.length < 65536 ? { head: block.toString('latin1'), bodyStart: block.length } : undefined;
  }
  if (crlf >= 0 && (lf < 0 || crlf < lf))
    return { head: block.toString('latin1', 0, crlf), bodyStart: crlf + 4 };
  return { head: block.toString('latin1', 0, lf), bodyStart: lf + 2 };
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

function isHex(line: string): boolean {
  return /^[0-9a-fA-F]{1,8}\s*(?:;.*)?$/.test(line);
}

/** Undoes chunked transfer-encoding. `undefined`: the body is not chunked at all. */
function dechunk(body: Buffer, notes: string[]): Buffer | 'bad' | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  let first = true;
  while (at < body.length) {
    const nl = body.indexOf(0x0a, at);
    const line = body.toString('latin1', at, nl < 0 ? Math.min(body.length, at + 20) : nl).trim();
    if (!isHex(line)) {
      if (first) return undefined;
      // Trailing junk after a complete last chunk is harmless; a broken size line mid-body is not.
      return 'bad';
    }
    if (nl < 0) break;
    first = false;
    const size = Number.parseInt(line, 16);
    at = nl + 1;
    if (size === 0) return Buffer.concat(parts);
    if (at + size > body.length) {
      notes.push('body_truncated');
      parts.push(body.subarray(at));
      return Buffer.concat(parts);
    }
    parts.push(body.subarray(at, at + size));
    at += size;
    // CRLF after the chunk data.
    if (body[at] === 0x0d) at++;
    if (body[at] === 0x0a) at++;
    else if (at < body.length) return 'bad';
  }
  if (first) return undefined;
  notes.push('body_truncated');
  return Buffer.concat(parts);
}

function looksLikeText(body: Buffer): boolean {
  for (let i = 0; i < Math.min(body.length, 64); i++) {
    const b = body[i]!;
    if (b === 0x3c) return true; // '<'
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf)
      return false;
  }
  return false;
}

function decodeContent(
  body: Buffer,
  encoding: string,
  maxBytes: number,
  notes: string[],
): Buffer | HttpProblem {
  const options = { maxOutputLength: maxBytes, finishFlush: constants.Z_SYNC_FLUSH };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') {
      if (body[0] !== 0x1f || body[1] !== 0x8b) {
        notes.push('not_really_compressed');
        return body;
      }
      return gunzipSync(body, options);
    }
    if (encoding === 'deflate') {
      if (looksLikeText(body)) {
        notes.push('not_really_compressed');
        return body;
      }
      // "deflate" is zlib-wrapped by the spec and raw in practice; try both.
      try {
        return inflateSync(body, options);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
        return inflateRawSync(body, options);
      }
    }
    if (encoding === 'br') {
      if (looksLikeText(body)) {
        notes.push('not_really_compressed');
        return body;
      }
      return brotliDecompressSync(body, {
        maxOutputLength: maxBytes,
        finishFlush: constants.BROTLI_OPERATION_FLUSH,
      });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return 'content_too_large';
    return 'bad_content_encoding';
  }
  // identity, none, and labels nobody implements: the body is what it is.
  return body;
}

export function parseHttpResponse(block: Buffer, options: { maxBodyBytes: number }): HttpResult {
  const split = splitHead(block);
  if (!split) return { ok: false, reason: 'bad_http_response' };
  const lines = split.head.split(/\r?\n/);
  const status = STATUS.exec(lines[0] ?? '');
  if (!status) return { ok: false, reason: 'bad_http_response' };
  const headers = parseHeaders(lines.slice(1));
  const notes: string[] = [];
  let body = block.subarray(split.bodyStart);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const dechunked = dechunk(body, notes);
    if (dechunked === 'bad') return { ok: false, reason: 'bad_chunked_encoding' };
    if (dechunked === undefined) notes.push('not_really_chunked');
    else body = dechunked;
  }
  if (body.length > options.maxBodyBytes) return { ok: false, reason: 'content_too_large' };
  const encodings = (headers['content-encoding'] ?? '')
    .toLowerCase()
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'identity');
  for (const encoding of encodings.reverse()) {
    const decoded = decodeContent(body, encoding, options.maxBodyBytes, notes);
    if (typeof decoded === 'string') return { ok: false, reason: decoded };
    body = decoded;
  }
  return { ok: true, response: { status: Number(status[1]), headers, body, notes } };
}
