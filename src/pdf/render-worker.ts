// The render thread: opens PDFs with pdfjs (its own fake worker, in this thread), renders pages onto an
// @napi-rs/canvas and extracts the text layer in reading order. The task side enforces time and memory
// limits by terminating this thread, so nothing here needs to defend against hangs.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PdfMetadata } from '../records/pdf-page.js';
import { inkRatio, textQuality } from './page-checks.js';
import { orderText, type TextRun } from './reading-order.js';
import type {
  OpenedInfo,
  RenderedPage,
  RenderSpec,
  WorkerFailureReason,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.js';

const require = createRequire(import.meta.url);

// pdfjs's legacy build bundles core-js, which replaces Array.prototype.push and JSON.parse/stringify
// with slower polyfills on Node 20. This thread runs only pdfjs, so the natives are put back once it
// has loaded (pdfjs needs none of what those polyfills add).
const natives = { push: Array.prototype.push, parse: JSON.parse, stringify: JSON.stringify };
const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
// Loading the worker module up front makes pdfjs use it in this thread (globalThis.pdfjsWorker).
const workerModule = 'pdfjs-dist/legacy/build/pdf.worker.mjs';
await import(workerModule);
Array.prototype.push = natives.push;
JSON.parse = natives.parse;
JSON.stringify = natives.stringify;
const { createCanvas } = require('@napi-rs/canvas') as typeof import('@napi-rs/canvas');
type Canvas = import('@napi-rs/canvas').Canvas;
type Xmp = { get(name: string): unknown } | null;

const assets = `${dirname(require.resolve('pdfjs-dist/package.json'))}/`;
const baseParams = {
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

const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const docs = new Map<number, PDFDocumentProxy>();
let canvas: Canvas | undefined;

function cleanString(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Metadata from hostile files carries NULs and other control characters.
  const text = value.replace(/[\u0000-\u001f]+/g, ' ').trim();
  return text ? text.slice(0, 1000) : undefined;
}

async function readMetadata(doc: PDFDocumentProxy): Promise<PdfMetadata> {
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

class Failure extends Error {
  constructor(
    readonly reason: WorkerFailureReason,
    message: string,
  ) {
    super(message);
  }
}

async function open(docId: number, data: Uint8Array, password?: string): Promise<OpenedInfo> {
  let doc: PDFDocumentProxy;
  try {
    doc = await pdfjs.getDocument({ ...baseParams, data, ...(password ? { password } : {}) }).promise;
  } catch (error) {
    const name = (error as Error)?.name;
    const message = (error as Error)?.message ?? String(error);
    throw new Failure(name === 'PasswordException' ? 'encrypted' : 'invalid_pdf', message);
  }
  if (doc.numPages < 1) {
    await doc.destroy();
    throw new Failure('no_pages', 'the document has no pages');
  }
  docs.set(docId, doc);
  return { pageCount: doc.numPages, metadata: await readMetadata(doc) };
}

/** Text runs from pdfjs's text content, boxed in page points (top-left origin) at scale 1. */
async function textRuns(page: PDFPageProxy, viewportTransform: number[]): Promise<TextRun[]> {
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

async function renderPage(docId: number, pageNumber: number, spec: RenderSpec): Promise<RenderedPage> {
  const doc = docs.get(docId);
  if (!doc) throw new Failure('unknown_document', `document ${docId} is not open`);
  let page: PDFPageProxy;
  try {
    page = await doc.getPage(pageNumber);
  } catch (error) {
    throw new Failure('page_unreadable', (error as Error)?.message ?? String(error));
  }
  try {
    const base = page.getViewport({ scale: 1 });
    const widthPt = base.width;
    const heightPt = base.height;
    if (!(widthPt >= 1 && heightPt >= 1 && widthPt < 1e6 && heightPt < 1e6)) {
      throw new Failure('page_invalid_size', `page size ${widthPt}×${heightPt} pt`);
    }
    let scale = spec.dpi ? spec.dpi / 72 : spec.maxSidePx / Math.max(widthPt, heightPt);
    let size = (v: number) => Math.max(1, Math.round(v * scale));
    if (size(widthPt) * size(heightPt) > spec.maxPixels) {
      scale = Math.sqrt(spec.maxPixels / (widthPt * heightPt));
      size = (v: number) => Math.max(1, Math.floor(v * scale));
    }
    const widthPx = size(widthPt);
    const heightPx = size(heightPt);
    const viewport = page.getViewport({ scale });
    const started = performance.now();
    // One canvas per thread, reused while the page size stays the same (allocation is not free).
    let target = canvas;
    if (!target || target.width !== widthPx || target.height !== heightPx) {
      target = createCanvas(widthPx, heightPx);
      canvas = target;
    }
    target.getContext('2d').setTransform(1, 0, 0, 1, 0, 0);
    try {
      type RenderCanvas = Parameters<PDFPageProxy['render']>[0]['canvas'];
      await page.render({ canvas: target as unknown as RenderCanvas, viewport }).promise;
    } catch (error) {
      canvas = undefined; // its state may be half-way through a drawing
      throw new Failure('render_failed', (error as Error)?.message ?? String(error));
    }
    const pixels = new Uint8Array(target.data());
    const renderMs = performance.now() - started;
    const textStarted = performance.now();
    let ordered = { text: '', words: [] as RenderedPage['words'] };
    let quality = { chars: 0, bad: 0 };
    if (spec.text) {
      try {
        const runs = await textRuns(page, base.transform);
        // Judged on the raw text layer; control characters (fonts without a Unicode map) then become
        // spaces, so that what is readable on such a page stays readable in `text`. NFKC folds
        // presentation forms (Arabic, ligatures such as ﬁ) into the letters they stand for.
        quality = textQuality(runs.map((r) => r.text).join(''));
        for (const run of runs) run.text = run.text.replace(CONTROL_CHARS, ' ').normalize('NFKC');
        ordered = orderText(runs, widthPt, heightPt);
      } catch {
        // A broken text layer leaves the page without text (it is then flagged for OCR), not unrendered.
      }
    }
    return {
      widthPx,
      heightPx,
      pixels,
      inkRatio: inkRatio(pixels, widthPx, heightPx),
      widthPt,
      heightPt,
      text: ordered.text,
      words: ordered.words,
      textChars: quality.chars,
      badChars: quality.bad,
      renderMs,
      textMs: performance.now() - textStarted,
    };
  } finally {
    page.cleanup();
  }
}

async function handle(
  request: WorkerRequest,
): Promise<{ response: WorkerResponse; transfer: ArrayBuffer[] }> {
  const { id } = request;
  try {
    switch (request.type) {
      case 'open':
        return {
          response: {
            id,
            ok: true,
            type: 'opened',
            info: await open(request.doc, request.data, request.password),
          },
          transfer: [],
        };
      case 'page': {
        const page = await renderPage(request.doc, request.page, request.spec);
        return {
          response: { id, ok: true, type: 'page', page },
          transfer: [page.pixels.buffer as ArrayBuffer],
        };
      }
      case 'close': {
        const doc = docs.get(request.doc);
        docs.delete(request.doc);
        await doc?.destroy().catch(() => {});
        return { response: { id, ok: true, type: 'closed' }, transfer: [] };
      }
    }
  } catch (error) {
    const reason = error instanceof Failure ? error.reason : 'render_failed';
    const message = (error as Error)?.message ?? String(error);
    return { response: { id, ok: false, reason, message: message.slice(0, 500) }, transfer: [] };
  }
}

const port = parentPort;
if (!port) throw new Error('render-worker must run in a worker thread');
// Requests are handled one after another: pdfjs is not made for concurrent renders on one thread.
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(async () => {
    const { response, transfer } = await handle(request);
    port.postMessage(response, transfer);
  });
});
port.postMessage({ type: 'ready' });
