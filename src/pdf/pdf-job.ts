// `weft pdf`: PDF files → one row per rendered page with its text in reading order. Files are split
// into tasks of a few files each; every task renders in its own worker thread with time and memory
// limits, so a hostile PDF costs its own pages and a counted reason, never the run.
import { z } from 'zod';
import { pdfPagesLayout } from '../dataset/layouts/pdf-pages.js';
import { WeftError } from '../errors.js';
import { FetchOptions } from '../fetch/fetch-options.js';
import { DEFAULT_OPT_OUT_DIRECTIVES } from '../fetch/opt-out.js';
import { planUrlList, type UrlListFormat, type UrlListRange } from '../images/url-list.js';
import { defineJob } from '../run/job.js';
import { expandInputs, groupFiles, pdfFileSource } from './pdf-inputs.js';
import { PdfRenderer } from './pdf-renderer.js';
import { openPdfs, renderPages } from './render-pdf-pages.js';
import { urlPdfSource } from './url-pdf-source.js';
import { warcPdfSource } from './warc-pdf-source.js';
import { PDF_BACKENDS } from './worker-protocol.js';

export const PdfJobOptions = z.strictObject({
  /** PDF files, directories (every *.pdf below) and globs. */
  inputs: z.array(z.string().min(1)).min(1),
  /** Working directory the inputs are relative to (the CLI passes its own). */
  cwd: z.string().optional(),
  /** Files per task: tasks are the unit of parallelism and of resume. */
  filesPerTask: z.number().int().positive().max(10_000).default(8),
  /** The engine: PDFium (WebAssembly; several times faster) or pdfjs. */
  renderer: z.enum(PDF_BACKENDS).default('pdfium'),
  /** Longest side of each page image (Idefics2's maximum is 980). */
  maxSidePx: z.number().int().min(16).max(20_000).default(980),
  /** Render at this resolution instead (maxSidePx is then ignored; maxPixels still caps). */
  dpi: z.number().positive().max(1200).optional(),
  /** Pixel cap per page image (pages larger at the asked size are rendered smaller). */
  maxPixels: z.number().int().positive().default(40_000_000),
  format: z.enum(['jpeg', 'webp', 'png']).default('jpeg'),
  /** JPEG / WebP quality. */
  quality: z.number().int().min(1).max(100).default(90),
  /** JPEG: optimised Huffman tables, about 6% smaller files for twice the encoding time. */
  jpegOptimizeCoding: z.boolean().default(false),
  /** Extract the text layer (text, words). */
  text: z.boolean().default(true),
  /** PDFium: pages whose glyphs it cannot map to Unicode take their text from pdfjs when that reads better. */
  textFallback: z.boolean().default(true),
  /** Drop pages with (almost) no ink. */
  dropBlank: z.boolean().default(true),
  /** Share of pixels that must differ from the background for a page not to be blank. */
  minInkRatio: z.number().min(0).max(1).default(0.0001),
  /** Pages with fewer readable text-layer characters need OCR. */
  minTextChars: z.number().int().min(0).default(20),
  /** Pages whose text layer has more than this share of unreadable characters need OCR. */
  maxBadCharRatio: z.number().min(0).max(1).default(0.3),
  /** `flag`: keep pages that need OCR with needs_ocr = true; `drop`: drop them. */
  needsOcr: z.enum(['flag', 'drop']).default('flag'),
  /** Larger files are dropped before they are read (MINT-1T: 50 MB). */
  maxFileBytes: z.number().int().positive().default(50_000_000),
  /** Documents with more pages are dropped, or truncated (MINT-1T: 50). */
  maxPages: z.number().int().positive().default(50),
  overMaxPages: z.enum(['drop', 'truncate']).default('drop'),
  /** Time limit for one page (render + text), and for opening one document. */
  pageTimeoutMs: z.number().int().positive().default(30_000),
  openTimeoutMs: z.number().int().positive().default(30_000),
  /** Heap limit of a render thread (V8 heap; for PDFium also its WebAssembly memory). */
  maxHeapMb: z.number().int().min(64).default(1024),
  /** Resident memory of a task process above which its render thread is killed. */
  maxRssMb: z.number().int().min(256).default(3072),
  /** After this many pages of a file hit a limit, the rest of the file is skipped. */
  maxKillsPerFile: z.number().int().positive().default(2),
  /** URL lists: URLs per task, the URL column / field, and documents fetched ahead of rendering. */
  urlsPerTask: z.number().int().positive().default(500),
  urlField: z.string().min(1).default('url'),
  prefetch: z.number().int().positive().max(64).default(4),
  /** Fetching (URL lists): robots.txt, timeouts, retries, per-host limits, private addresses. */
  fetch: FetchOptions.prefault({}),
  /** X-Robots-Tag directives that refuse a fetched PDF. */
  optOutDirectives: z.array(z.string()).default([...DEFAULT_OPT_OUT_DIRECTIVES]),
});
export type PdfJobOptions = z.output<typeof PdfJobOptions>;

/**
 * What one task reads. Every kind ends in a Source of PdfInput (bytes + source name), so new input
 * kinds (URL lists fetched by the downloader) only add a case here and a source.
 */
type PdfTaskInput =
  | { kind: 'files'; files: string[] }
  | { kind: 'warc'; path: string }
  | { kind: 'urls'; path: string; format: UrlListFormat; range: UrlListRange };

export const pdfJob = defineJob({
  name: 'pdf',
  description: 'Rendered PDF pages with their text in reading order',
  options: PdfJobOptions,
  async planTasks(options) {
    const { pdfs, warcs, urlLists } = await expandInputs(options.inputs, options.cwd);
    const tasks: Array<{ label: string; input: PdfTaskInput }> = groupFiles(pdfs, options.filesPerTask).map(
      (group) => {
        const first = group[0]!.path;
        const label = group.length === 1 ? first : `${first} (+${group.length - 1})`;
        return { label, input: { kind: 'files' as const, files: group.map((f) => f.path) } };
      },
    );
    for (const path of warcs) tasks.push({ label: path, input: { kind: 'warc', path } });
    for (const { path, format } of urlLists) {
      const ranges = await planUrlList(path, format, options.urlsPerTask);
      ranges.forEach((range, i) => {
        tasks.push({
          label: `${path} [${i + 1}/${ranges.length}]`,
          input: { kind: 'urls', path, format, range },
        });
      });
    }
    return tasks;
  },
  layout: () => pdfPagesLayout(),
  buildPipeline(options, task) {
    const input = task.input as PdfTaskInput;
    const limits = { maxFileBytes: options.maxFileBytes };
    let source: ReturnType<typeof pdfFileSource>;
    if (input.kind === 'files') source = pdfFileSource(input.files, limits);
    else if (input.kind === 'warc') source = warcPdfSource([input.path], limits);
    else if (input.kind === 'urls') {
      source = urlPdfSource(input, {
        ...limits,
        fetch: options.fetch,
        optOutDirectives: options.optOutDirectives,
        urlField: options.urlField,
        prefetch: options.prefetch,
      });
    } else throw new WeftError('E_CONFIG', `pdf job: unknown task input ${JSON.stringify(input)}`);
    const renderer = new PdfRenderer({
      backend: options.renderer,
      openTimeoutMs: options.openTimeoutMs,
      pageTimeoutMs: options.pageTimeoutMs,
      maxHeapMb: options.maxHeapMb,
      maxRssMb: options.maxRssMb,
    });
    return {
      source,
      stages: [
        openPdfs(renderer, {
          maxFileBytes: options.maxFileBytes,
          maxPages: options.maxPages,
          overMaxPages: options.overMaxPages,
        }),
        renderPages(renderer, {
          spec: {
            maxSidePx: options.maxSidePx,
            ...(options.dpi ? { dpi: options.dpi } : {}),
            maxPixels: options.maxPixels,
            text: options.text,
            textFallback: options.textFallback,
          },
          maxPages: options.maxPages,
          format: options.format,
          quality: options.quality,
          jpegOptimizeCoding: options.jpegOptimizeCoding,
          dropBlank: options.dropBlank,
          minInkRatio: options.minInkRatio,
          minTextChars: options.minTextChars,
          maxBadCharRatio: options.maxBadCharRatio,
          onNeedsOcr: options.needsOcr,
          maxKillsPerFile: options.maxKillsPerFile,
        }),
      ],
    };
  },
});
