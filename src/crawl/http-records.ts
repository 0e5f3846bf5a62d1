// The HTTP messages of a fetch as WARC request/response blocks. Bodies are stored decoded (undici
// removes chunking; Content-Encoding is removed within the byte cap), so, as Common Crawl does, the
// original Content-Encoding, Transfer-Encoding and Content-Length headers are kept under X-Crawler-*
// names and Content-Length gives the stored payload's length.
import type { HttpResponse } from '../fetch/http-client.js';

const RENAMED = new Set(['content-encoding', 'transfer-encoding', 'content-length']);

export function requestBlock(url: string, headers: Record<string, string>): Buffer {
  const target = new URL(url);
  const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
}

export function responseBlock(response: HttpResponse): Buffer {
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText}`.trimEnd()];
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    const out = RENAMED.has(name) ? `x-crawler-${name}` : name;
    for (const v of Array.isArray(value) ? value : [value])
      lines.push(`${out}: ${v.replace(/[\r\n]+/g, ' ')}`);
  }
  lines.push(`content-length: ${response.body.byteLength}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), response.body]);
}
