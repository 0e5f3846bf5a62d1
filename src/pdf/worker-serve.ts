// What the two render threads (pdfium, pdfjs) share: the request loop, failure reasons, the page size
// for a render spec, metadata cleaning and the text layer's last steps (quality, clean-up, reading
// order). Each thread only supplies open / render / close for its engine.
import { parentPort } from 'node:worker_threads';
import { textQuality } from './page-checks.js';
import { orderText, type TextRun } from './reading-order.js';
import type {
  OpenedInfo,
  RenderedPage,
  RenderSpec,
  WorkerFailureReason,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.js';

export class Failure extends Error {
  constructor(
    readonly reason: WorkerFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export interface RenderEngine {
  open(docId: number, data: Uint8Array, password?: string): Promise<OpenedInfo> | OpenedInfo;
  renderPage(docId: number, pageNumber: number, spec: RenderSpec): Promise<RenderedPage> | RenderedPage;
  close(docId: number): Promise<void> | void;
  /** True once the engine's state cannot be trusted (a trapped WebAssembly abort): the thread then exits. */
  poisoned?(): boolean;
}

export function cleanString(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Metadata from hostile files carries NULs and other control characters.
  const text = value.replace(/[\u0000-\u001f]+/g, ' ').trim();
  return text ? text.slice(0, 1000) : undefined;
}

/** Pixel size and scale for a page of `widthPt` × `heightPt` points; throws for absurd page sizes. */
export function pageSize(
  widthPt: number,
  heightPt: number,
  spec: RenderSpec,
): { scale: number; widthPx: number; heightPx: number } {
  if (!(widthPt >= 1 && heightPt >= 1 && widthPt < 1e6 && heightPt < 1e6)) {
    throw new Failure('page_invalid_size', `page size ${widthPt}×${heightPt} pt`);
  }
  let scale = spec.dpi ? spec.dpi / 72 : spec.maxSidePx / Math.max(widthPt, heightPt);
  let size = (v: number) => Math.max(1, Math.round(v * scale));
  if (size(widthPt) * size(heightPt) > spec.maxPixels) {
    scale = Math.sqrt(spec.maxPixels / (widthPt * heightPt));
    size = (v: number) => Math.max(1, Math.floor(v * scale));
  }
  return { scale, widthPx: size(widthPt), heightPx: size(heightPt) };
}

const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export type PageText = Pick<RenderedPage, 'text' | 'words' | 'textChars' | 'badChars'>;

/**
 * Text, word boxes and text-layer quality from positioned runs (page points, top-left origin). Quality is
 * judged on the raw runs (`extraBad` adds characters the engine itself knows are unmapped); control
 * characters then become spaces, so that what is readable on such a page stays readable, and NFKC
 * folds presentation forms (Arabic, ligatures such as ﬁ) into the letters they stand for.
 */
export function pageText(runs: TextRun[], widthPt: number, heightPt: number, extraBad = 0): PageText {
  const quality = textQuality(runs.map((r) => r.text).join(''));
  for (const run of runs) {
    const text = run.text.replace(CONTROL_CHARS, ' ').normalize('NFKC');
    // Folding can change the number of characters (ﬁ → fi): their edges no longer line up.
    if (run.charEdges && text.length !== run.text.length) delete run.charEdges;
    run.text = text;
  }
  const ordered = orderText(runs, widthPt, heightPt);
  return {
    text: ordered.text,
    words: ordered.words,
    textChars: quality.chars,
    badChars: Math.min(quality.chars, quality.bad + extraBad),
  };
}

async function handle(
  engine: RenderEngine,
  request: WorkerRequest,
): Promise<{ response: WorkerResponse; transfer: ArrayBuffer[] }> {
  const { id } = request;
  try {
    switch (request.type) {
      case 'open': {
        const info = await engine.open(request.doc, request.data, request.password);
        return { response: { id, ok: true, type: 'opened', info }, transfer: [] };
      }
      case 'page': {
        const page = await engine.renderPage(request.doc, request.page, request.spec);
        return {
          response: { id, ok: true, type: 'page', page },
          transfer: [page.pixels.buffer as ArrayBuffer],
        };
      }
      case 'close':
        await engine.close(request.doc);
        return { response: { id, ok: true, type: 'closed' }, transfer: [] };
    }
  } catch (error) {
    const reason = error instanceof Failure ? error.reason : 'render_failed';
    const message = (error as Error)?.message ?? String(error);
    return { response: { id, ok: false, reason, message: message.slice(0, 500) }, transfer: [] };
  }
}

/** Answers the task's requests one after another (neither engine is made for concurrent renders). */
export function serveRenderRequests(engine: RenderEngine): void {
  const port = parentPort;
  if (!port) throw new Error('a PDF render thread must run in a worker thread');
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      const { response, transfer } = await handle(engine, request);
      const fatal = engine.poisoned?.() === true;
      if (fatal && !response.ok) response.fatal = true;
      port.postMessage(response, transfer);
      // The answer says so first: the task side stops using this thread and starts a fresh one.
      if (fatal) setImmediate(() => process.exit(1));
    });
  });
  port.postMessage({ type: 'ready' });
}
