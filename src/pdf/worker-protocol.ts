// Messages between a task and its PDF render thread (node:worker_threads). Only plain data and
// transferred buffers cross: the thread owns pdfjs and the documents, the task owns policy and encoding.
import type { PdfMetadata } from '../records/pdf-page.js';
import type { PositionedWord } from './reading-order.js';

/** The engine a render thread runs. */
export type PdfBackend = 'pdfium' | 'pdfjs';
export const PDF_BACKENDS = ['pdfium', 'pdfjs'] as const satisfies readonly PdfBackend[];

export interface RenderSpec {
  /** Longest side of the rendered page in pixels (ignored when `dpi` is set). */
  maxSidePx: number;
  /** Render at this resolution instead of a fixed longest side. */
  dpi?: number;
  /** Pixel cap for one page (width × height); larger pages are rendered smaller. */
  maxPixels: number;
  /** Extract the text layer too. */
  text: boolean;
  /**
   * PDFium only: a page whose glyphs PDFium cannot map to Unicode (fonts without a ToUnicode map) takes
   * its text from pdfjs, which recovers more of them from the font programs, when that reads better.
   */
  textFallback?: boolean;
}

export type WorkerRequest =
  | { id: number; type: 'open'; doc: number; data: Uint8Array; password?: string }
  | { id: number; type: 'page'; doc: number; page: number; spec: RenderSpec }
  | { id: number; type: 'close'; doc: number };

export interface OpenedInfo {
  pageCount: number;
  metadata: PdfMetadata;
}

export interface RenderedPage {
  widthPx: number;
  heightPx: number;
  /** Pixels, row-major, opaque (the page background is painted white): RGB or RGBA by `channels`. */
  pixels: Uint8Array;
  channels: 3 | 4;
  /** Share of pixels that differ visibly from the page background (0..1). */
  inkRatio: number;
  /** Page size in points (1/72 in) after the page's own rotation. */
  widthPt: number;
  heightPt: number;
  text: string;
  words: PositionedWord[];
  /** Non-space characters in the text layer, and how many of them are unreadable (U+FFFD, private use, controls). */
  textChars: number;
  badChars: number;
  renderMs: number;
  textMs: number;
}

/**
 * Failure reasons the thread itself reports. Timeouts and kills at the V8 heap or process memory limit
 * are decided by the task side; a WebAssembly engine that hits its own memory cap or traps says so
 * (`out_of_memory`, `crashed`) and its thread exits.
 */
export type WorkerFailureReason =
  | 'out_of_memory'
  | 'crashed'
  | 'encrypted'
  | 'invalid_pdf'
  | 'no_pages'
  | 'page_unreadable'
  | 'render_failed'
  | 'page_invalid_size'
  | 'unknown_document';

export type WorkerResponse =
  | { id: number; ok: true; type: 'opened'; info: OpenedInfo }
  | { id: number; ok: true; type: 'page'; page: RenderedPage }
  | { id: number; ok: true; type: 'closed' }
  /** `fatal`: the thread's engine cannot be trusted any more and the thread exits after this answer. */
  | { id: number; ok: false; reason: WorkerFailureReason; message: string; fatal?: boolean };
