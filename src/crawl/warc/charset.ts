// Bytes of an HTML page to correct Unicode: byte order mark, then the HTTP charset, then <meta charset>,
// then the archive's own guess, then UTF-8 if the bytes are valid UTF-8, else windows-1252 (what browsers
// do). A declared Latin-1 on bytes that are valid multi-byte UTF-8 is the classic server misconfiguration:
// UTF-8 wins there. Legacy encodings go through iconv-lite (Node 20's TextDecoder maps windows-1252 wrong).
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type CharsetSource = 'bom' | 'http' | 'meta' | 'archive' | 'sniffed' | 'fallback';

export interface DecodedText {
  text: string;
  /** Canonical name of the encoding used. */
  charset: string;
  source: CharsetSource;
}

// WHATWG Encoding Standard labels whose decoder differs from the label's literal meaning.
const ALIASES: Record<string, string> = {
  'iso-8859-1': 'windows-1252',
  iso88591: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  ascii: 'windows-1252',
  'us-ascii': 'windows-1252',
  cp1252: 'windows-1252',
  'x-cp1252': 'windows-1252',
  'iso-8859-9': 'windows-1254',
  'iso-8859-11': 'windows-874',
  'tis-620': 'windows-874',
  gb2312: 'gbk',
  gb_2312: 'gbk',
  'gb_2312-80': 'gbk',
  'x-gbk': 'gbk',
  chinese: 'gbk',
  'euc-kr': 'cp949',
  'ks_c_5601-1987': 'cp949',
  'windows-949': 'cp949',
  'x-sjis': 'shift_jis',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
  ms_kanji: 'shift_jis',
  'windows-31j': 'shift_jis',
  'x-euc-jp': 'euc-jp',
  'big5-hkscs': 'big5',
  'x-mac-roman': 'macintosh',
  unicode: 'utf-16le',
  'utf-16': 'utf-16le',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
};

const LATIN = new Set(['windows-1252']);

/** Canonical encoding for a label, or undefined when nothing can decode it. */
export function canonicalCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const clean = label
    .trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase();
  if (clean === '') return undefined;
  const name = ALIASES[clean] ?? clean;
  if (name === 'utf-8' || name === 'utf-16le' || name === 'utf-16be') return name;
  return iconv.encodingExists(name) ? name : undefined;
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /charset\s*=\s*["']?([^"';,\s]+)/i.exec(contentType ?? '');
  return m?.[1];
}

const META = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)/i;

/** The charset a `<meta>` in the first 4 KiB declares (both `charset=` and `http-equiv` forms). */
export function charsetFromMeta(body: Buffer): string | undefined {
  return META.exec(body.toString('latin1', 0, Math.min(body.length, 4096)))?.[1];
}

/** True when `body` is valid UTF-8, allowing a multi-byte sequence cut off at the very end. */
export function isUtf8Lenient(body: Buffer): boolean {
  let end = body.length;
  let back = 0;
  while (back < 3 && end > 0 && (body[end - 1]! & 0xc0) === 0x80) {
    end--;
    back++;
  }
  if (end > 0 && body[end - 1]! >= 0xc0) end--;
  else end = body.length;
  return isUtf8(body.subarray(0, end));
}

function hasHighBytes(body: Buffer): boolean {
  for (let i = 0; i < body.length; i++) if (body[i]! >= 0x80) return true;
  return false;
}

function decodeWith(body: Buffer, charset: string): string {
  if (charset === 'utf-8') return body.toString('utf8');
  if (charset === 'utf-16le') return body.toString('utf16le');
  return iconv.decode(body, charset);
}

export function decodeHtmlBytes(
  body: Buffer,
  hints: { contentType?: string | undefined; archiveCharset?: string | undefined } = {},
): DecodedText {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)
    return { text: body.toString('utf8', 3), charset: 'utf-8', source: 'bom' };
  if (body[0] === 0xff && body[1] === 0xfe)
    return { text: body.subarray(2).toString('utf16le'), charset: 'utf-16le', source: 'bom' };
  if (body[0] === 0xfe && body[1] === 0xff)
    return { text: iconv.decode(body.subarray(2), 'utf-16be'), charset: 'utf-16be', source: 'bom' };

  const declared: [CharsetSource, string | undefined][] = [
    ['http', canonicalCharset(charsetFromContentType(hints.contentType))],
    ['meta', canonicalCharset(charsetFromMeta(body))],
    ['archive', canonicalCharset(hints.archiveCharset)],
  ];
  for (const [source, found] of declared) {
    if (!found) continue;
    // A page cannot really be UTF-16 without a BOM when its <meta> was readable as ASCII.
    let charset = found.startsWith('utf-16') ? 'utf-8' : found;
    if (LATIN.has(charset) && hasHighBytes(body) && isUtf8Lenient(body)) charset = 'utf-8';
    return { text: decodeWith(body, charset), charset, source };
  }
  if (isUtf8Lenient(body)) return { text: body.toString('utf8'), charset: 'utf-8', source: 'sniffed' };
  return { text: iconv.decode(body, 'windows-1252'), charset: 'windows-1252', source: 'fallback' };
}
