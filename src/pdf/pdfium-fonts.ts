// Fonts for PDFium's non-embedded sans-serif fonts. PDFium in WebAssembly has no system fonts: for a
// font a PDF names but does not embed it falls back to the Foxit fonts built into it, which cannot
// stand in for a TrueType CID font (Arial in Identity-H, as office software writes it), whose glyphs
// then do not render at all. Liberation Sans (metric-compatible with Arial and Helvetica, shipped by
// pdfjs-dist for the same purpose) is offered for sans-serif faces; other faces keep PDFium's own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Pdfium } from './pdfium-module.js';

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts');
/** Handles are 1 + (bold ? 1 : 0) + (italic ? 2 : 0). */
const FILES = [
  'LiberationSans-Regular.ttf',
  'LiberationSans-Bold.ttf',
  'LiberationSans-Italic.ttf',
  'LiberationSans-BoldItalic.ttf',
];
/** Charsets Liberation Sans covers: ANSI, default, Greek, Turkish, Vietnamese, Baltic, Cyrillic, Central European. */
const CHARSETS = new Set([0, 1, 161, 162, 163, 186, 204, 238]);
const NOT_SANS =
  /times|roman|serif|georgia|garamond|book|palatino|cambria|courier|mono|consol|symbol|dingbat|wingding|webding|math|mincho|ming|song|kai|hei|gothic|batang|dotum|gulim/i;
/** PitchFamily bits: fixed pitch, and the Roman and Script families. */
const FIXED_PITCH = 0x01;
const ROMAN_FAMILY = 0x10;
const SCRIPT_FAMILY = 0x40;

/** Installs the font provider in this thread's PDFium (once, before documents are opened). */
export function installSansFallback(pdfium: Pdfium): void {
  const x = pdfium.exports;
  const fonts = new Map<number, Uint8Array>();
  const fontData = (handle: number): Uint8Array | undefined => {
    const file = FILES[handle - 1];
    if (!file) return undefined;
    let data = fonts.get(handle);
    if (!data) {
      data = readFileSync(join(FONT_DIR, file));
      fonts.set(handle, data);
    }
    return data;
  };
  const cString = (ptr: number): string => {
    const heap = pdfium.heap();
    let end = ptr;
    while (heap[end] !== 0 && end - ptr < 256) end++;
    return Buffer.from(heap.subarray(ptr, end)).toString('latin1');
  };
  const writeString = (text: string, buffer: number, size: number): number => {
    const bytes = Buffer.from(`${text}\0`, 'latin1');
    if (buffer && size >= bytes.length) pdfium.heap().set(bytes, buffer);
    return bytes.length;
  };
  const functions = [
    // Release(this)
    pdfium.addFunction(() => {}, 'vi'),
    // EnumFonts(this, mapper): the faces this provider has.
    pdfium.addFunction((_self, mapper) => {
      const name = x.malloc(16);
      pdfium.heap().set(Buffer.from('Arial\0', 'latin1'), name);
      x.FPDF_AddInstalledFont(mapper, name, 0);
      x.free(name);
    }, 'vii'),
    // MapFont(this, weight, italic, charset, pitchFamily, face, exact*) → handle, or 0 for PDFium's own.
    pdfium.addFunction((_self, weight, italic, charset, pitchFamily, face) => {
      if (!CHARSETS.has(charset)) return 0;
      if (pitchFamily & (FIXED_PITCH | ROMAN_FAMILY | SCRIPT_FAMILY)) return 0;
      if (NOT_SANS.test(cString(face))) return 0;
      return 1 + (weight >= 600 ? 1 : 0) + (italic ? 2 : 0);
    }, 'iiiiiiii'),
    // GetFont(this, face): only used for faces from EnumFonts.
    pdfium.addFunction(() => 1, 'iii'),
    // GetFontData(this, handle, table, buffer, size): the whole file (table 0) only.
    pdfium.addFunction((_self, handle, table, buffer, size) => {
      const data = table === 0 ? fontData(handle) : undefined;
      if (!data) return 0;
      if (buffer && size >= data.byteLength) pdfium.heap().set(data, buffer);
      return data.byteLength;
    }, 'iiiiii'),
    // GetFaceName(this, handle, buffer, size)
    pdfium.addFunction((_self, _handle, buffer, size) => writeString('Arial', buffer, size), 'iiiii'),
    // GetFontCharset(this, handle)
    pdfium.addFunction(() => 0, 'iii'),
    // DeleteFont(this, handle)
    pdfium.addFunction(() => {}, 'vii'),
  ];
  // FPDF_SYSFONTINFO: version, then the eight function pointers (32-bit each); kept for the thread's life.
  const info = x.malloc(4 * (1 + functions.length));
  const fields = new Int32Array(pdfium.heap().buffer, info, 1 + functions.length);
  fields[0] = 1;
  fields.set(functions, 1);
  x.FPDF_SetSystemFontInfo(info);
}
