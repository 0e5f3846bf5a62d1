// Reads what image processing must know before decoding (format, stored size, and whether the file is
// already "clean": 8-bit sRGB or grey, one frame, no EXIF/XMP/IPTC/ICC) straight from JPEG, PNG and WebP
// headers, so most downloads skip a separate libvips header call. Conservative by design: any structure
// it does not fully understand gives `clean: undefined` (or no answer at all), and the caller asks sharp.
import type { ImageFormat } from '../records/image.js';

export interface HeaderFacts {
  format: Extract<ImageFormat, 'jpeg' | 'png' | 'webp'>;
  /** Stored size (before any EXIF orientation), as libvips reads it. */
  widthPx: number;
  heightPx: number;
  /**
   * true: what sharp's metadata would call keepable (8-bit, sRGB or grey, one frame, no EXIF, XMP,
   * IPTC or ICC); false: certainly not; undefined: not sure, ask sharp.
   */
  clean: boolean | undefined;
}

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u32be = (b: Uint8Array, i: number) =>
  ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32le = (b: Uint8Array, i: number) => u24le(b, i) + b[i + 3]! * 0x1000000;

function startsWith(b: Uint8Array, at: number, end: number, text: string): boolean {
  if (at + text.length > end) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Format, size and cleanliness from the header, or undefined when not a JPEG/PNG/WebP we can read. */
export function readImageHeader(bytes: Uint8Array): HeaderFacts | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return readJpeg(bytes);
  if (bytes.length >= 8 && u32be(bytes, 0) === 0x89504e47 && u32be(bytes, 4) === 0x0d0a1a0a)
    return readPng(bytes);
  if (bytes.length >= 16 && startsWith(bytes, 0, 4, 'RIFF') && startsWith(bytes, 8, 12, 'WEBP'))
    return readWebp(bytes);
  return undefined;
}

// libjpeg reads markers up to the first scan (SOS); libvips attaches EXIF (APP1 "Exif"), XMP (APP1
// "http://ns.adobe.com/xap/1.0/"), ICC (APP2 "ICC_PROFILE") and IPTC (APP13 "Photoshop 3.0") from them.
const JPEG_METADATA = ['Exif', 'http://ns.adobe.com/xap/1.0/', 'ICC_PROFILE', 'Photoshop 3.0'];
const isFrameHeader = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function readJpeg(b: Uint8Array): HeaderFacts | undefined {
  let frame: { widthPx: number; heightPx: number; judged: boolean; components: number } | undefined;
  let metadata = false;
  let unsure = false;
  for (let i = 2; i + 4 <= b.length; ) {
    if (b[i] !== 0xff) break;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xda) {
      if (!frame) return undefined;
      const { widthPx, heightPx } = frame;
      // Metadata or CMYK rule keeping out whatever else the file holds; anything odd: ask libvips.
      const clean =
        metadata || frame.components === 4
          ? false
          : unsure || !frame.judged || (frame.components !== 1 && frame.components !== 3)
            ? undefined
            : true;
      return { format: 'jpeg', widthPx, heightPx, clean };
    }
    if (marker === 0xd8 || marker === 0xd9 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) break;
    const length = u16be(b, i + 2);
    const start = i + 4;
    const end = i + 2 + length;
    if (length < 2 || end > b.length) break;
    if (marker === 0xe1 || marker === 0xe2 || marker === 0xed) {
      if (JPEG_METADATA.some((prefix) => startsWith(b, start, end, prefix))) metadata = true;
      else unsure = true;
    } else if (marker >= 0xe3 && marker <= 0xef && marker !== 0xec && marker !== 0xee) {
      unsure = true; // APPn other than JFIF, Ducky (APP12) and Adobe (APP14): not known to be harmless
    } else if (isFrameHeader(marker)) {
      if (frame || length < 8) return undefined;
      const widthPx = u16be(b, start + 3);
      const heightPx = u16be(b, start + 1);
      if (widthPx === 0 || heightPx === 0) return undefined; // height set later by DNL: ask libvips
      // Only baseline, extended and progressive Huffman 8-bit frames are judged here.
      const judged = marker <= 0xc2 && b[start] === 8;
      frame = { widthPx, heightPx, judged, components: b[start + 5]! };
    }
    i = end;
  }
  // No scan (truncated or not a JPEG we follow): the size is still right if a frame header was read.
  return frame
    ? { format: 'jpeg', widthPx: frame.widthPx, heightPx: frame.heightPx, clean: undefined }
    : undefined;
}

// PNG: IHDR gives size, bit depth and colour type; metadata lives in iCCP, eXIf and the XMP iTXt chunk.
// Only chunks before the first IDAT are judged; metadata chunks after it make the answer "unsure".
// Checked against sharp's metadata (test/images/image-header.test.ts): none of these sets a flag.
const PNG_HARMLESS = new Set([
  'PLTE',
  'tRNS',
  'pHYs',
  'bKGD',
  'tIME',
  'sBIT',
  'hIST',
  'sPLT',
  'gAMA',
  'cHRM',
  'sRGB',
  'iDOT',
]);
const PNG_TEXT = new Set(['tEXt', 'zTXt', 'iTXt']);

function readPng(b: Uint8Array): HeaderFacts | undefined {
  if (b.length < 33 || u32be(b, 8) !== 13 || !startsWith(b, 12, 16, 'IHDR')) return undefined;
  const widthPx = u32be(b, 16);
  const heightPx = u32be(b, 20);
  const bitDepth = b[24]!;
  const colourType = b[25]!;
  if (widthPx === 0 || heightPx === 0 || widthPx > 0x7fffffff || heightPx > 0x7fffffff) return undefined;
  const facts: HeaderFacts = { format: 'png', widthPx, heightPx, clean: undefined };
  if (bitDepth === 16) return { ...facts, clean: false };
  if (![1, 2, 4, 8].includes(bitDepth) || ![0, 2, 3, 4, 6].includes(colourType)) return facts;
  let metadata = false;
  let unsure = false;
  let seenData = false;
  for (let i = 33; i + 12 <= b.length; ) {
    const length = u32be(b, i);
    const type = String.fromCharCode(b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
    const end = i + 12 + length;
    if (end > b.length) break;
    if (type === 'IEND') return { ...facts, clean: metadata ? false : unsure ? undefined : true };
    let isMetadata = type === 'iCCP' || type === 'eXIf';
    if (PNG_TEXT.has(type)) {
      // The keyword: up to 79 Latin-1 characters before a NUL.
      const xmp = startsWith(b, i + 8, end, 'XML:com.adobe.xmp\0');
      if (xmp && type === 'iTXt') isMetadata = true;
      else if (xmp || startsWith(b, i + 8, end, 'Raw profile type')) unsure = true;
    } else if (type === 'IDAT') {
      seenData = true;
    } else if (type === 'acTL' || type === 'fcTL' || type === 'fdAT') {
      return facts; // APNG: let libvips say how many frames it sees
    } else if (!isMetadata && !PNG_HARMLESS.has(type)) {
      unsure = true; // e.g. cICP, mDCv, cLLi: not known to leave libvips' colour handling alone
    }
    if (isMetadata) {
      if (seenData) unsure = true;
      else metadata = true;
    }
    i = end;
  }
  return facts; // no IEND: truncated, libvips decides
}

// WebP: a simple file (VP8 or VP8L first) has no metadata; an extended one (VP8X) lists ICC, EXIF,
// XMP, alpha and animation in its flags, and the chunks themselves must agree with the flags.
function readWebp(b: Uint8Array): HeaderFacts | undefined {
  const riffEnd = Math.min(b.length, 8 + u32le(b, 4));
  const first = String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!);
  if (first === 'VP8 ') {
    if (b.length < 30 || b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    const widthPx = u16le(b, 26) & 0x3fff;
    const heightPx = u16le(b, 28) & 0x3fff;
    if (widthPx === 0 || heightPx === 0) return undefined;
    return { format: 'webp', widthPx, heightPx, clean: onlyChunk(b, 12, riffEnd) };
  }
  if (first === 'VP8L') {
    if (b.length < 25 || b[20] !== 0x2f) return undefined;
    const bits = u32le(b, 21);
    const widthPx = (bits & 0x3fff) + 1;
    const heightPx = ((bits >>> 14) & 0x3fff) + 1;
    return { format: 'webp', widthPx, heightPx, clean: onlyChunk(b, 12, riffEnd) };
  }
  if (first === 'VP8X') {
    if (b.length < 30) return undefined;
    const flags = b[20]!;
    const widthPx = u24le(b, 24) + 1;
    const heightPx = u24le(b, 27) + 1;
    const facts: HeaderFacts = { format: 'webp', widthPx, heightPx, clean: undefined };
    const chunks = new Set<string>();
    for (let i = 12; i + 8 <= riffEnd; ) {
      const size = u32le(b, i + 4);
      chunks.add(String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!));
      i += 8 + size + (size & 1);
      if (i > riffEnd) return facts;
    }
    const flagged = {
      ICCP: (flags & 0x20) !== 0,
      EXIF: (flags & 0x08) !== 0,
      'XMP ': (flags & 0x04) !== 0,
      ANIM: (flags & 0x02) !== 0,
    };
    let any = false;
    for (const [chunk, flag] of Object.entries(flagged)) {
      if (flag !== chunks.has(chunk)) return facts; // flags and chunks disagree: libvips decides
      any ||= flag;
    }
    return { ...facts, clean: !any };
  }
  return undefined;
}

/** A simple WebP is clean when its one image chunk is all the RIFF holds. */
function onlyChunk(b: Uint8Array, at: number, riffEnd: number): boolean | undefined {
  const size = u32le(b, at + 4);
  const next = at + 8 + size + (size & 1);
  return next >= riffEnd ? true : undefined;
}
