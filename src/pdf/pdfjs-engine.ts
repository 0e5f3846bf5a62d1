// pdfjs for the render threads: loaded once per thread (its own fake worker runs in that thread), with
// the parameters weft opens every document with, its metadata and its text layer as positioned runs.
// The pdfjs thread renders with it; the PDFium thread uses it for the text of pages whose glyphs PDFium
// cannot map to Unicode (pdfjs recovers more of those from the font programs).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PdfMetadata } from '../records/pdf-page.js';
import type { TextRun } from './reading-order.js';
import { cleanString, Failure } from './worker-serve.js';

const require = createRequire(import.meta.url);
type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type Xmp = { get(name: string): unknown } | null;

let loading: Promise<Pdfjs> | undefined;

/** pdfjs, loaded on first use in this thread. */
export function loadPdfjs(): Promise<Pdfjs> {
  loading ??= (async () => {
    // pdfjs's legacy build bundles core-js, which replaces Array.prototype.push and JSON.parse/stringify
    // with slower polyfills on Node 20. A render thread runs only weft's own code beside pdfjs, so the
    // natives are put back once it has loaded (pdfjs needs none of what those polyfills add).
    const natives = { push: Array.prototype.push, parse: JSON.parse, stringify: JSON.stringify };
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    // Loading the worker module up front makes pdfjs use it in this thread (globalThis.pdfjsWorker).
    const workerModule = 'pdfjs-dist/legacy/build/pdf.worker.mjs';
    await import(workerModule);
    Array.prototype.push = natives.push;
    JSON.parse = natives.parse;
    JSON.stringify = natives.stringify;
    return pdfjs;
  })();
  return loading;
}

const assets = `${dirname(require.resolve('pdfjs-dist/package.json'))}/`;
export const pdfjsParams = {
  // Standard 14 fonts and CMaps ship with pdfjs: non-embedded and CJK fonts render without system fonts.
  standardFontDataUrl: join(assets, 'standard_fonts/'),
  cMapUrl: join(assets, 'cmaps/'),
  cMapPacked: true,
  wasmUrl: join(assets, 'wasm/'),
  iccUrl: join(assets, 'iccs/'),
  useSystemFonts: false,
  disableFontFace: true,
  // Hostile input: no eval of PostScript functions, no XFA forms.
  isEvalSupported: false,
  enableXfa: false,
  // Images above this many pixels are skipped instead of decoded (a 600 dpi A3 scan is ~70 Mpx).
  maxImageSize: 2 ** 27,
  verbosity: 0,
};

/** Opens a document with pdfjs; unreadable and encrypted files are failures with their reason. */
export async function openPdfjs(data: Uint8Array, password?: string): Promise<PDFDocumentProxy> {
  const pdfjs = await loadPdfjs();
  let doc: PDFDocumentProxy;
  try {
    doc = await pdfjs.getDocument({ ...pdfjsParams, data, ...(password ? { password } : {}) }).promise;
  } catch (error) {
    const name = (error as Error)?.name;
    const message = (error as Error)?.message ?? String(error);
    throw new Failure(name === 'PasswordException' ? 'encrypted' : 'invalid_pdf', message);
  }
  if (doc.numPages < 1) {
    await doc.destroy();
    throw new Failure('no_pages', 'the document has no pages');
  }
  return doc;
}

export async function readPdfjsMetadata(doc: PDFDocumentProxy): Promise<PdfMetadata> {
  const metadata: PdfMetadata = {};
  let info: Record<string, unknown> = {};
  let xmp: Xmp = null;
  try {
    const meta = await doc.getMetadata();
    info = (meta.info ?? {}) as Record<string, unknown>;
    xmp = meta.metadata as unknown as Xmp;
  } catch {
    return metadata;
  }
  const fromXmp = (name: string): string | undefined => {
    const value = xmp?.get(name);
    return cleanString(Array.isArray(value) ? value.join(', ') : value);
  };
  const title = cleanString(info.Title) ?? fromXmp('dc:title');
  const author = cleanString(info.Author) ?? fromXmp('dc:creator');
  const language = cleanString(info.Language) ?? fromXmp('dc:language');
  const creator = cleanString(info.Creator) ?? fromXmp('xmp:creatortool');
  const producer = cleanString(info.Producer) ?? fromXmp('pdf:producer');
  if (title) metadata.title = title;
  if (author) metadata.author = author;
  if (language) metadata.language = language;
  if (creator) metadata.creator = creator;
  if (producer) metadata.producer = producer;
  return metadata;
}

/** Text runs from pdfjs's text content, boxed in page points (top-left origin) at scale 1. */
export async function pdfjsTextRuns(page: PDFPageProxy, viewportTransform: number[]): Promise<TextRun[]> {
  const pdfjs = await loadPdfjs();
  const content = await page.getTextContent();
  const runs: TextRun[] = [];
  for (const item of content.items) {
    if (!('str' in item) || item.str.trim() === '') continue;
    const tx = pdfjs.Util.transform(viewportTransform, item.transform) as number[];
    const style = content.styles[item.fontName];
    const fontSize = Math.hypot(tx[2]!, tx[3]!);
    if (!(fontSize > 0)) continue;
    const ascent = style?.ascent ? style.ascent : style?.descent ? 1 + style.descent : 0.8;
    const descent = style?.descent ? -style.descent : 0.2;
    const angle = Math.atan2(tx[1]!, tx[0]!) + (style?.vertical ? Math.PI / 2 : 0);
    const length = style?.vertical ? item.height : item.width;
    const ox = tx[4]!;
    const oy = tx[5]!;
    if (Math.abs(angle) < 0.02) {
      runs.push({
        text: item.str,
        x0: ox,
        x1: ox + length,
        y0: oy - ascent * fontSize,
        y1: oy + descent * fontSize,
        fontSize,
        rtl: item.dir === 'rtl',
      });
      continue;
    }
    // Rotated text: the axis-aligned box around the rotated run.
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const xs = [
      ox,
      ox + length * cos,
      ox + ascent * fontSize * sin,
      ox + length * cos + ascent * fontSize * sin,
    ];
    const ys = [
      oy,
      oy + length * sin,
      oy - ascent * fontSize * cos,
      oy + length * sin - ascent * fontSize * cos,
    ];
    runs.push({
      text: item.str,
      x0: Math.min(...xs),
      x1: Math.max(...xs),
      y0: Math.min(...ys),
      y1: Math.max(...ys),
      fontSize,
      rotated: true,
      ...(Math.abs(sin) > 0.7 ? { flow: sin > 0 ? ('down' as const) : ('up' as const) } : {}),
    });
  }
  return runs;
}
