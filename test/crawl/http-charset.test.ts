// The HTTP layer inside WARC response records and charset detection, on bytes built here with real
// encoders (zlib, brotli, iconv-lite).
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, test } from 'vitest';
import { decodeHtmlBytes, isUtf8Lenient } from '../../src/crawl/warc/charset.js';
import { parseHttpResponse } from '../../src/crawl/warc/http-response.js';
import { normalizeWarcDate } from '../../src/crawl/warc/warc-date.js';
import { chunked, httpResponse } from '../../src/crawl/warc/warc-writer.js';

const html = Buffer.from('<html><body><p>Hello, world — ünïcödé</p></body></html>');
const parse = (block: Buffer, maxBodyBytes = 1 << 20) => parseHttpResponse(block, { maxBodyBytes });

describe('HTTP responses', () => {
  test('chunked + gzip is undone', () => {
    const r = parse(
      httpResponse(
        200,
        { 'Transfer-Encoding': 'chunked', 'Content-Encoding': 'gzip' },
        chunked(gzipSync(html), 7),
      ),
    );
    expect(r.ok && r.response.body.equals(html)).toBe(true);
  });

  test('deflate (zlib-wrapped and raw) and br are undone', () => {
    for (const body of [deflateSync(html), deflateRawSync(html)]) {
      const r = parse(httpResponse(200, { 'Content-Encoding': 'deflate' }, body));
      expect(r.ok && r.response.body.equals(html)).toBe(true);
    }
    const br = parse(httpResponse(200, { 'Content-Encoding': 'br' }, brotliCompressSync(html)));
    expect(br.ok && br.response.body.equals(html)).toBe(true);
  });

  test('headers of an encoding the archive already undid are noted, not fatal', () => {
    const r = parse(httpResponse(200, { 'Transfer-Encoding': 'chunked', 'Content-Encoding': 'gzip' }, html));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.response.body.equals(html)).toBe(true);
      expect(r.response.notes).toEqual(['not_really_chunked', 'not_really_compressed']);
    }
  });

  test('a chunk-size line that breaks mid-body is bad_chunked_encoding', () => {
    const r = parse(
      httpResponse(200, { 'Transfer-Encoding': 'chunked' }, '5\r\nhello\r\nxyz\r\nworld\r\n0\r\n\r\n'),
    );
    expect(r).toEqual({ ok: false, reason: 'bad_chunked_encoding' });
  });

  test('a truncated gzip body yields what was there (archives cut long pages)', () => {
    const long = Buffer.from(`<p>${'lorem ipsum dolor '.repeat(2000)}</p>`);
    const gz = gzipSync(long);
    const r = parse(httpResponse(200, { 'Content-Encoding': 'gzip' }, gz.subarray(0, gz.length >> 1)));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.response.body.length).toBeGreaterThan(1000);
      expect(long.subarray(0, r.response.body.length).equals(r.response.body)).toBe(true);
    }
  });

  test('a gzip bomb stops at the cap as content_too_large', () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20));
    expect(parse(httpResponse(200, { 'Content-Encoding': 'gzip' }, bomb), 1 << 20)).toEqual({
      ok: false,
      reason: 'content_too_large',
    });
  });

  test('garbage that claims gzip is bad_content_encoding; no status line is bad_http_response', () => {
    const fake = Buffer.concat([
      Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]),
      Buffer.from('not deflate at all'),
    ]);
    expect(parse(httpResponse(200, { 'Content-Encoding': 'gzip' }, fake))).toEqual({
      ok: false,
      reason: 'bad_content_encoding',
    });
    expect(parse(Buffer.from('<html>no http here</html>'))).toEqual({
      ok: false,
      reason: 'bad_http_response',
    });
  });

  test('bare-LF headers and repeated fields', () => {
    const r = parse(
      Buffer.from('HTTP/1.0 200 OK\nContent-Type: text/html\nSet-Cookie: a\nSet-Cookie: b\n\n<p>x</p>'),
    );
    expect(r.ok && r.response.headers['set-cookie']).toBe('a, b');
    expect(r.ok && r.response.body.toString()).toBe('<p>x</p>');
  });
});

describe('charset detection', () => {
  const text = 'Grüße aus Köln – „Zitat“ kostet 5 €';

  test('windows-1252 from the HTTP header decodes the C1 range correctly (not as Latin-1)', () => {
    const d = decodeHtmlBytes(iconv.encode(`<p>${text}</p>`, 'windows-1252'), {
      contentType: 'text/html; charset=iso-8859-1',
    });
    expect(d).toMatchObject({ charset: 'windows-1252', source: 'http' });
    expect(d.text).toBe(`<p>${text}</p>`);
  });

  test('Shift_JIS and EUC-JP from <meta>', () => {
    const ja = '<html><head><meta charset="Shift_JIS"></head><body>京都の朝の散歩</body></html>';
    expect(decodeHtmlBytes(iconv.encode(ja, 'shift_jis')).text).toBe(ja);
    const euc = '<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP"><p>ヘッドポーター</p>';
    expect(decodeHtmlBytes(iconv.encode(euc, 'euc-jp'))).toMatchObject({
      text: euc,
      charset: 'euc-jp',
      source: 'meta',
    });
  });

  test('BOM wins; UTF-8 declared as Latin-1 is recognized; unknown labels fall through', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    expect(decodeHtmlBytes(bom, { contentType: 'text/html; charset=windows-1252' })).toMatchObject({
      text,
      source: 'bom',
    });
    expect(
      decodeHtmlBytes(Buffer.from(text), { contentType: 'text/html; charset=ISO-8859-1' }),
    ).toMatchObject({
      text,
      charset: 'utf-8',
    });
    expect(decodeHtmlBytes(Buffer.from(text), { contentType: 'text/html; charset=x-klingon' })).toMatchObject(
      {
        text,
        source: 'sniffed',
      },
    );
    expect(decodeHtmlBytes(iconv.encode(text, 'windows-1252'))).toMatchObject({ text, source: 'fallback' });
  });

  test('UTF-8 cut inside a multi-byte character still counts as UTF-8', () => {
    const bytes = Buffer.from('abc €');
    expect(isUtf8Lenient(bytes.subarray(0, bytes.length - 1))).toBe(true);
    expect(isUtf8Lenient(Buffer.from([0x61, 0xff, 0x62]))).toBe(false);
  });
});

describe('WARC dates', () => {
  test.each([
    ['2024-05-18T01:58:10Z', '2024-05-18T01:58:10Z'],
    ['2024-05-18T01:58:10.123456Z', '2024-05-18T01:58:10Z'],
    ['2008-10-294T05:21:46-0700', '2008-10-20T12:21:46Z'],
    ['20140216050221', '2014-02-16T05:02:21Z'],
    ['2014-13-45T00:00:00Z', undefined],
    ['yesterday', undefined],
  ])('%s → %s', (raw, iso) => {
    expect(normalizeWarcDate(raw)).toBe(iso);
  });
});
