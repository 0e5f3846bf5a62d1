// The pdfjs render thread: opens PDFs with pdfjs (its own fake worker, in this thread), renders pages onto an
// @napi-rs/canvas and extracts the text layer in reading order. The task side enforces time and memory
// limits by terminating this thread, so nothing here needs to defend against hangs.
import { createRequire } from 'node:module';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { inkRatio } from './page-checks.js';
import { loadPdfjs, openPdfjs, pdfjsTextRuns, readPdfjsMetadata } from './pdfjs-engine.js';
import type { OpenedInfo, RenderedPage, RenderSpec } from './worker-protocol.js';
import { Failure, pageSize, pageText, serveRenderRequests } from './worker-serve.js';

const require = createRequire(import.meta.url);
const { createCanvas } = require('@napi-rs/canvas') as typeof import('@napi-rs/canvas');
type Canvas = import('@napi-rs/canvas').Canvas;

await loadPdfjs();
const docs = new Map<number, PDFDocumentProxy>();
let canvas: Canvas | undefined;

async function open(docId: number, data: Uint8Array, password?: string): Promise<OpenedInfo> {
  const doc = await openPdfjs(data, password);
  docs.set(docId, doc);
  return { pageCount: doc.numPages, metadata: await readPdfjsMetadata(doc) };
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
    const { scale, widthPx, heightPx } = pageSize(widthPt, heightPt, spec);
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
    let text: ReturnType<typeof pageText> = { text: '', words: [], textChars: 0, badChars: 0 };
    if (spec.text) {
      try {
        text = pageText(await pdfjsTextRuns(page, base.transform), widthPt, heightPt);
      } catch {
        // A broken text layer leaves the page without text (it is then flagged for OCR), not unrendered.
      }
    }
    return {
      widthPx,
      heightPx,
      pixels,
      channels: 4,
      inkRatio: inkRatio(pixels, widthPx, heightPx),
      widthPt,
      heightPt,
      ...text,
      renderMs,
      textMs: performance.now() - textStarted,
    };
  } finally {
    page.cleanup();
  }
}

serveRenderRequests({
  open,
  renderPage,
  async close(docId) {
    const doc = docs.get(docId);
    docs.delete(docId);
    await doc?.destroy().catch(() => {});
  },
});
