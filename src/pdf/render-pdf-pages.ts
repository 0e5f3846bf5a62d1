// The two PDF stages: `open-pdfs` (files in, opened documents out, file-level reasons dropped) and
// `render-pages` (documents in, one PdfPage per kept page out, page-level reasons dropped). Rendering
// and text extraction run in the render thread; encoding (sharp) runs here, overlapped with the next
// page's render.
import sharp from 'sharp';
import type { Stage } from '../pipeline/stage.js';
import { sha256Hex } from '../records/image.js';
import type { PdfPage } from '../records/pdf-page.js';
import { isBlankPage, needsOcr } from './page-checks.js';
import type { PdfInput } from './pdf-inputs.js';
import type { FailureReason, PdfDocument, PdfRenderer } from './pdf-renderer.js';
import type { RenderedPage, RenderSpec } from './worker-protocol.js';

export type PageFormat = 'jpeg' | 'webp' | 'png';

export interface OpenPdfsOptions {
  maxFileBytes: number;
  maxPages: number;
  /** `drop`: documents over `maxPages` are dropped (MINT-1T); `truncate`: their first pages are kept. */
  overMaxPages: 'drop' | 'truncate';
}

export interface RenderPagesOptions {
  spec: RenderSpec;
  maxPages: number;
  format: PageFormat;
  quality: number;
  /** JPEG: optimised Huffman tables (smaller files, slower encoding). */
  jpegOptimizeCoding: boolean;
  dropBlank: boolean;
  minInkRatio: number;
  minTextChars: number;
  maxBadCharRatio: number;
  /** `flag`: keep pages with a thin text layer, `needs_ocr` true; `drop`: drop them. */
  onNeedsOcr: 'flag' | 'drop';
  /** After this many pages of one file killed the render thread (time or memory), its other pages are skipped. */
  maxKillsPerFile: number;
}

const OPEN_REASONS: Partial<Record<FailureReason, string>> = {
  timeout: 'open_timeout',
  out_of_memory: 'open_out_of_memory',
  crashed: 'open_crashed',
};

export function openPdfs(renderer: PdfRenderer, options: OpenPdfsOptions): Stage<PdfInput, PdfDocument> {
  return {
    name: 'open-pdfs',
    async *run(inputs, ctx) {
      for await (const input of inputs) {
        if (ctx.signal.aborted) break;
        if (input.bytes.byteLength > options.maxFileBytes) {
          ctx.stats.drop('file_too_large');
          continue;
        }
        const opened = await renderer.open(input.source, input.bytes);
        if (!opened.ok) {
          const reason = OPEN_REASONS[opened.reason] ?? opened.reason;
          ctx.stats.drop(reason);
          ctx.log.debug(`${input.source}: ${reason}: ${opened.message}`);
          continue;
        }
        const doc = opened.value;
        ctx.stats.histogram('page_count', doc.pageCount, { min: 0, max: 100, bins: 20 });
        if (doc.pageCount > options.maxPages && options.overMaxPages === 'drop') {
          ctx.stats.drop('too_many_pages');
          await renderer.close(doc);
          continue;
        }
        yield doc;
      }
    },
  };
}

const PAGE_REASONS: Partial<Record<FailureReason, string>> = {
  timeout: 'render_timeout',
  out_of_memory: 'render_out_of_memory',
  crashed: 'render_crashed',
  encrypted: 'render_failed',
  invalid_pdf: 'render_failed',
  no_pages: 'render_failed',
  unknown_document: 'render_failed',
};
const KILLS: ReadonlySet<FailureReason> = new Set(['timeout', 'out_of_memory', 'crashed']);

/**
 * Encodes a rendered page. `optimizeCoding` (JPEG) computes Huffman tables for the image: about 6%
 * smaller files for twice the encode time; off, as pdftoppm and libjpeg default.
 */
export async function encodePage(
  page: Pick<RenderedPage, 'pixels' | 'widthPx' | 'heightPx' | 'channels'>,
  format: PageFormat,
  quality: number,
  optimizeCoding = false,
): Promise<Uint8Array> {
  const raw = { width: page.widthPx, height: page.heightPx, channels: page.channels };
  let image = sharp(page.pixels, { raw });
  if (page.channels === 4) image = image.removeAlpha();
  if (format === 'png') return image.png({ compressionLevel: 6 }).toBuffer();
  if (format === 'webp') return image.webp({ quality }).toBuffer();
  return image.jpeg({ quality, optimiseCoding: optimizeCoding }).toBuffer();
}

export function renderPages(renderer: PdfRenderer, options: RenderPagesOptions): Stage<PdfDocument, PdfPage> {
  return {
    name: 'render-pages',
    async *run(docs, ctx) {
      const toRecord = async (doc: PdfDocument, pageNumber: number, page: RenderedPage, flagged: boolean) => {
        try {
          const bytes = await encodePage(page, options.format, options.quality, options.jpegOptimizeCoding);
          const record: PdfPage = {
            kind: 'pdf-page',
            source: doc.source,
            page: pageNumber,
            pageCount: doc.pageCount,
            image: {
              bytes,
              format: options.format,
              widthPx: page.widthPx,
              heightPx: page.heightPx,
              sha256: sha256Hex(bytes),
              source: `${doc.source}#page=${pageNumber}`,
            },
            text: page.text,
            words: page.words,
            needsOcr: flagged,
            metadata: doc.metadata,
          };
          ctx.stats.count('image_bytes', bytes.byteLength);
          return record;
        } catch (error) {
          ctx.stats.drop('encode_failed');
          ctx.log.warn(`${doc.source} page ${pageNumber}: cannot encode: ${(error as Error).message}`);
          return undefined;
        }
      };

      try {
        for await (const doc of docs) {
          // The previous page's encoding runs while the thread renders the next page.
          let encoding: Promise<PdfPage | undefined> | undefined;
          let kills = 0;
          const last = Math.min(doc.pageCount, options.maxPages);
          try {
            for (let p = 1; p <= last; p++) {
              if (ctx.signal.aborted) break;
              if (kills >= options.maxKillsPerFile) {
                ctx.stats.count('pages', last - p + 1);
                ctx.stats.drop('skipped_after_failures', last - p + 1);
                break;
              }
              ctx.stats.count('pages');
              const rendering = renderer.renderPage(doc, p, options.spec);
              if (encoding) {
                const record = await encoding;
                encoding = undefined;
                if (record) yield record;
              }
              const result = await rendering;
              if (!result.ok) {
                if (KILLS.has(result.reason)) kills++;
                const reason = PAGE_REASONS[result.reason] ?? result.reason;
                ctx.stats.drop(reason);
                ctx.log.debug(`${doc.source} page ${p}: ${reason}: ${result.message}`);
                continue;
              }
              const page = result.value;
              ctx.stats.observe('render_ms', page.renderMs);
              ctx.stats.observe('text_ms', page.textMs);
              if (options.dropBlank && isBlankPage(page.inkRatio, options)) {
                ctx.stats.drop('blank_page');
                continue;
              }
              const flagged = needsOcr(page.textChars, page.badChars, options);
              if (flagged) {
                if (options.onNeedsOcr === 'drop') {
                  ctx.stats.drop('needs_ocr');
                  continue;
                }
                ctx.stats.count('needs_ocr');
              }
              encoding = toRecord(doc, p, page, flagged);
            }
            if (doc.pageCount > last) ctx.stats.count('pages_over_limit', doc.pageCount - last);
            if (encoding) {
              const record = await encoding;
              if (record) yield record;
            }
          } finally {
            await renderer.close(doc);
          }
        }
      } finally {
        ctx.stats.count('thread_restarts', renderer.restarts);
        await renderer.dispose();
      }
    },
  };
}
