// The PDFium render thread: opens PDFs with PDFium (WebAssembly), renders pages into a bitmap in the
// module's memory and takes the text layer from PDFium's text page (from pdfjs, opened on demand, for
// pages whose glyphs PDFium cannot map to Unicode). The task side enforces time and process-memory
// limits by terminating this thread; the module's own memory is capped here, and a trapped abort (its
// state is then unknown) makes the thread exit after answering.
import { workerData } from 'node:worker_threads';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PdfMetadata } from '../records/pdf-page.js';
import { inkRatio } from './page-checks.js';
import { installSansFallback } from './pdfium-fonts.js';
import {
  BITMAP_BGR,
  FPDF_ANNOT,
  FPDF_ERR,
  loadPdfium,
  RENDER_FLAGS,
  WasmRuntimeError,
} from './pdfium-module.js';
import { pdfiumTextRuns, textStats } from './pdfium-text.js';
import { letterView, type ViewTransform, viewTransform } from './pdfium-view.js';
import { openPdfjs, pdfjsTextRuns } from './pdfjs-engine.js';
import type { OpenedInfo, RenderedPage, RenderSpec } from './worker-protocol.js';
import {
  cleanString,
  Failure,
  type PageText,
  pageSize,
  pageText,
  serveRenderRequests,
} from './worker-serve.js';

const { maxMemoryMb, module } = workerData as {
  maxMemoryMb: number;
  module: Parameters<typeof loadPdfium>[0];
};
const pdfium = await loadPdfium(module, maxMemoryMb);
installSansFallback(pdfium);
const x = pdfium.exports;

interface OpenDoc {
  handle: number;
  /** The file's bytes in module memory: PDFium reads from them for as long as the document is open. */
  data: number;
  size: number;
  password?: string;
  /** The same document in pdfjs, opened the first time a page needs its text from there. */
  pdfjs?: Promise<PDFDocumentProxy>;
  /** Documents with interactive forms: PDFium's form environment, which draws the fields' values. */
  form?: { info: number; handle: number };
}

/** Share of a page's characters PDFium cannot map above which pdfjs is asked for the page's text. */
const UNMAPPED_FALLBACK_RATIO = 0.05;
const docs = new Map<number, OpenDoc>();
let poisoned = false;

/** A WebAssembly trap (an abort, the memory cap, a bad access) or a stack exhausted mid-call. */
function isTrap(error: unknown): boolean {
  return (
    error instanceof WasmRuntimeError || (error instanceof RangeError && /call stack/i.test(error.message))
  );
}

/** Runs PDFium code; a trap fails the request and poisons the thread (PDFium's state is then unknown). */
function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof Failure) throw error;
    const message = (error as Error)?.message ?? String(error);
    if (!isTrap(error)) throw new Failure('render_failed', message);
    poisoned = true;
    const said = pdfium.lastMessage();
    const full = said && !message.includes(said) ? `${message} (${said})` : message;
    throw new Failure(
      /memory limit|out of memory|Cannot enlarge/i.test(full) ? 'out_of_memory' : 'crashed',
      full,
    );
  }
}

function allocate(bytes: number): number {
  const ptr = x.malloc(bytes);
  if (!ptr)
    throw new Failure('out_of_memory', `cannot allocate ${Math.round(bytes / 2 ** 20)} MB in PDFium memory`);
  return ptr;
}

/** A UTF-16 string PDFium writes into a buffer (the call returns the bytes needed, terminator included). */
function readUtf16(call: (buffer: number, length: number) => number): string | undefined {
  const needed = call(0, 0);
  if (!(needed > 2) || needed > 1 << 20) return undefined;
  const buffer = allocate(needed);
  try {
    call(buffer, needed);
    return Buffer.from(pdfium.heap().subarray(buffer, buffer + needed - 2)).toString('utf16le');
  } finally {
    x.free(buffer);
  }
}

function metaText(handle: number, tag: string): string | undefined {
  const name = allocate(tag.length + 1);
  try {
    pdfium.heap().set(Buffer.from(`${tag}\0`, 'latin1'), name);
    return cleanString(readUtf16((buffer, length) => x.FPDF_GetMetaText(handle, name, buffer, length)));
  } finally {
    x.free(name);
  }
}

function readMetadata(handle: number): PdfMetadata {
  const metadata: PdfMetadata = {};
  const language = cleanString(
    readUtf16((buffer, length) => x.FPDFCatalog_GetLanguage(handle, buffer, length)),
  );
  const fields = { title: 'Title', author: 'Author', creator: 'Creator', producer: 'Producer' } as const;
  for (const [key, tag] of Object.entries(fields)) {
    const value = metaText(handle, tag);
    if (value) metadata[key as keyof typeof fields] = value;
  }
  if (language) metadata.language = language;
  return metadata;
}

function open(docId: number, bytes: Uint8Array, password?: string): OpenedInfo {
  return guarded(() => {
    const data = allocate(Math.max(1, bytes.byteLength));
    pdfium.heap().set(bytes, data);
    let secret = 0;
    if (password) {
      const encoded = Buffer.from(`${password}\0`, 'utf8');
      secret = allocate(encoded.byteLength);
      pdfium.heap().set(encoded, secret);
    }
    const handle = x.FPDF_LoadMemDocument(data, bytes.byteLength, secret);
    if (secret) x.free(secret);
    if (!handle) {
      const code = x.FPDF_GetLastError();
      x.free(data);
      const encrypted = code === FPDF_ERR.PASSWORD || code === FPDF_ERR.SECURITY;
      throw new Failure(
        encrypted ? 'encrypted' : 'invalid_pdf',
        `PDFium cannot open the file (error ${code})`,
      );
    }
    const pageCount = x.FPDF_GetPageCount(handle);
    if (!(pageCount >= 1)) {
      x.FPDF_CloseDocument(handle);
      x.free(data);
      throw new Failure('no_pages', 'the document has no pages');
    }
    const doc: OpenDoc = { handle, data, size: bytes.byteLength, ...(password ? { password } : {}) };
    // Form fields are widgets drawn from their values, not the page's content: like a viewer (and pdfjs,
    // pdftoppm), PDFium needs its form environment to draw them. PDFium here runs no JavaScript.
    if (x.FPDF_GetFormType(handle) !== 0) {
      const info = x.PDFiumExt_OpenFormFillInfo();
      const form = info ? x.PDFiumExt_InitFormFillEnvironment(handle, info) : 0;
      if (form) {
        // No viewer highlight over the fields: the image shows the page, not an editor.
        x.FPDF_SetFormFieldHighlightAlpha(form, 0);
        doc.form = { info, handle: form };
      } else if (info) x.PDFiumExt_CloseFormFillInfo(info);
    }
    docs.set(docId, doc);
    return { pageCount, metadata: readMetadata(handle) };
  });
}

/**
 * Renders a page into an RGB bitmap: through PDFium's own page box, or through `view` (page points
 * to view points, scaled by `scale`) where that box is unusable.
 */
function render(
  page: number,
  widthPx: number,
  heightPx: number,
  form: number,
  custom?: { view: ViewTransform; scale: number },
): Uint8Array {
  const stride = widthPx * 3;
  const buffer = allocate(stride * heightPx);
  try {
    const bitmap = x.FPDFBitmap_CreateEx(widthPx, heightPx, BITMAP_BGR, buffer, stride);
    if (!bitmap) throw new Failure('out_of_memory', `cannot create a ${widthPx}×${heightPx} bitmap`);
    try {
      // White paper, then the page and its annotations, in RGB byte order, rows packed.
      x.FPDFBitmap_FillRect(bitmap, 0, 0, widthPx, heightPx, 0xffffffff);
      if (!custom) {
        x.FPDF_RenderPageBitmap(bitmap, page, 0, 0, widthPx, heightPx, 0, RENDER_FLAGS);
        // Then the form fields on top (as Chrome does), without the annotation pop-ups.
        if (form) x.FPDF_FFLDraw(form, bitmap, page, 0, 0, widthPx, heightPx, 0, RENDER_FLAGS & ~FPDF_ANNOT);
      } else {
        const { view: v, scale } = custom;
        // FS_MATRIX (a b c d e f) then FS_RECTF (left top right bottom), floats.
        const args = allocate(40);
        try {
          const floats = new Float32Array(pdfium.heap().buffer, args, 10);
          floats.set([v.a * scale, v.b * scale, v.c * scale, v.d * scale, v.e * scale, v.f * scale]);
          floats.set([0, 0, widthPx, heightPx], 6);
          x.FPDF_RenderPageBitmapWithMatrix(bitmap, page, args, args + 24, RENDER_FLAGS);
        } finally {
          x.free(args);
        }
      }
    } finally {
      x.FPDFBitmap_Destroy(bitmap);
    }
    return pdfium.heap().slice(buffer, buffer + stride * heightPx);
  } finally {
    x.free(buffer);
  }
}

const NO_TEXT: PageText = { text: '', words: [], textChars: 0, badChars: 0 };

async function renderPage(docId: number, pageNumber: number, spec: RenderSpec): Promise<RenderedPage> {
  const doc = docs.get(docId);
  if (!doc) throw new Failure('unknown_document', `document ${docId} is not open`);
  const page = guarded(() => x.FPDF_LoadPage(doc.handle, pageNumber - 1));
  if (!page) throw new Failure('page_unreadable', `PDFium cannot load page ${pageNumber}`);
  const form = doc.form?.handle ?? 0;
  let textPage = 0;
  try {
    if (form) guarded(() => x.FORM_OnAfterLoadPage(page, form));
    const { rendered, view } = guarded(() => renderLoaded(page, form, spec));
    if (!spec.text) return { ...rendered, ...NO_TEXT, textMs: 0 };
    const textStarted = performance.now();
    // A page whose text cannot be read is left without text (then flagged for OCR), not unrendered.
    textPage = guarded(() => x.FPDFText_LoadPage(page));
    let text: PageText | undefined;
    if (textPage && spec.textFallback) {
      // Glyphs PDFium cannot map: pdfjs, which reads more of them from the font programs, is asked
      // first; PDFium's own text is only put together when pdfjs does not read better.
      const stats = guarded(() => textStats(pdfium, textPage));
      if (stats.unmapped > 0 && stats.unmapped >= UNMAPPED_FALLBACK_RATIO * stats.chars) {
        const fromPdfjs = await pdfjsPageText(doc, pageNumber);
        const readable = stats.chars - stats.unreadable - stats.unmapped;
        if (fromPdfjs && fromPdfjs.textChars - fromPdfjs.badChars > readable) text = fromPdfjs;
      }
    }
    if (!text && textPage) {
      text = guarded(() => {
        try {
          const runs = pdfiumTextRuns(pdfium, textPage, view);
          return pageText(runs.runs, rendered.widthPt, rendered.heightPt, runs.unmapped);
        } catch (error) {
          if (isTrap(error)) throw error;
          return undefined;
        }
      });
    }
    return { ...rendered, ...(text ?? NO_TEXT), textMs: performance.now() - textStarted };
  } finally {
    if (!poisoned) {
      guarded(() => {
        if (textPage) x.FPDFText_ClosePage(textPage);
        if (form) x.FORM_OnBeforeClosePage(page, form);
        x.FPDF_ClosePage(page);
      });
    }
  }
}

/** Renders a loaded page; also the view its text is placed in. */
function renderLoaded(
  page: number,
  form: number,
  spec: RenderSpec,
): { rendered: Omit<RenderedPage, keyof PageText | 'textMs'>; view: ViewTransform } {
  // Width and height after the page's /Rotate, as rendered.
  let widthPt = x.FPDF_GetPageWidthF(page);
  let heightPt = x.FPDF_GetPageHeightF(page);
  let fallback: ViewTransform | undefined;
  if (!(widthPt >= 1 && heightPt >= 1 && widthPt < 1e6 && heightPt < 1e6)) {
    ({ view: fallback, widthPt, heightPt } = letterView(x.FPDFPage_GetRotation(page)));
  }
  const { widthPx, heightPx, scale } = pageSize(widthPt, heightPt, spec);
  const started = performance.now();
  const pixels = render(page, widthPx, heightPx, form, fallback && { view: fallback, scale });
  const renderMs = performance.now() - started;
  return {
    rendered: {
      widthPx,
      heightPx,
      pixels,
      channels: 3,
      inkRatio: inkRatio(pixels, widthPx, heightPx, 3),
      widthPt,
      heightPt,
      renderMs,
    },
    view: fallback ?? viewTransform(pdfium, page, widthPt, heightPt),
  };
}

/** The page's text as pdfjs reads it, or nothing where pdfjs cannot read it either. */
async function pdfjsPageText(doc: OpenDoc, pageNumber: number): Promise<PageText | undefined> {
  try {
    doc.pdfjs ??= openPdfjs(pdfium.heap().slice(doc.data, doc.data + doc.size), doc.password);
    const page = await (await doc.pdfjs).getPage(pageNumber);
    try {
      const base = page.getViewport({ scale: 1 });
      return pageText(await pdfjsTextRuns(page, base.transform), base.width, base.height);
    } finally {
      page.cleanup();
    }
  } catch {
    return undefined;
  }
}

async function close(docId: number): Promise<void> {
  const doc = docs.get(docId);
  docs.delete(docId);
  if (!doc) return;
  if (!poisoned) {
    guarded(() => {
      if (doc.form) {
        x.PDFiumExt_ExitFormFillEnvironment(doc.form.handle);
        x.PDFiumExt_CloseFormFillInfo(doc.form.info);
      }
      x.FPDF_CloseDocument(doc.handle);
      x.free(doc.data);
    });
  }
  await doc.pdfjs?.then((d) => d.destroy()).catch(() => {});
}

serveRenderRequests({ open, renderPage, close, poisoned: () => poisoned });
