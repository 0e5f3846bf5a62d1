// The task side of PDF rendering: one worker thread that owns the engine (PDFium in WebAssembly, or
// pdfjs), with a time limit on every request and memory limits (the V8 heap via resourceLimits, PDFium's
// WebAssembly memory by its cap, process RSS by a watchdog). A request that runs over any of them kills
// the thread; the next request starts a fresh one and reopens its document, so one hostile page costs
// one page, never the run.
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WeftError } from '../errors.js';
import type { PdfMetadata } from '../records/pdf-page.js';
import { pdfiumWasmModule } from './pdfium-module.js';
import type {
  OpenedInfo,
  PdfBackend,
  RenderedPage,
  RenderSpec,
  WorkerFailureReason,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.js';

export interface PdfRendererOptions {
  /** The engine: `pdfium` (WebAssembly, the default) or `pdfjs`. */
  backend?: PdfBackend;
  /** Time limit for opening a document (parsing its structure and metadata). */
  openTimeoutMs: number;
  /** Time limit for one page: render, pixels and text layer. */
  pageTimeoutMs: number;
  /** Heap limit of the render thread: its V8 heap, and for PDFium also its WebAssembly memory. */
  maxHeapMb: number;
  /** The thread is killed when this process's resident memory passes this (canvas and image buffers live outside the heap). */
  maxRssMb: number;
}

export type FailureReason = WorkerFailureReason | 'timeout' | 'out_of_memory' | 'crashed';
export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: FailureReason; message: string };

export interface PdfDocument {
  source: string;
  pageCount: number;
  metadata: PdfMetadata;
  /** @internal */ id: number;
  /** @internal bytes kept to reopen the document after the thread was replaced. */ bytes: Uint8Array;
  /** @internal the thread generation the document is open in. */ generation: number;
}

const STARTUP_TIMEOUT_MS = 60_000;
const WATCHDOG_INTERVAL_MS = 50;
const OWN_GROWTH_BYTES = 128 * 1024 * 1024;

export function renderWorkerPath(backend: PdfBackend = 'pdfium'): string {
  const file = backend === 'pdfjs' ? './pdfjs-worker.js' : './pdfium-worker.js';
  const here = fileURLToPath(new URL(file, import.meta.url));
  if (existsSync(here)) return here;
  // Running from TypeScript sources (tests): the compiled worker lives in dist/.
  const compiled = here.replace(`${sep}src${sep}`, `${sep}dist${sep}`);
  if (existsSync(compiled)) return compiled;
  throw new WeftError('E_TASK_FAILED', `PDF render worker ${compiled} is missing: run "npm run build" first`);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Settle = (response: WorkerResponse | { ok: false; reason: FailureReason; message: string }) => void;

export class PdfRenderer {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private generation = 0;
  private nextId = 1;
  private nextDoc = 1;
  private pending: { id: number; settle: Settle } | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Threads replaced after a limit was hit (for stats and tests). */
  restarts = 0;

  constructor(private readonly options: PdfRendererOptions) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const backend = this.options.backend ?? 'pdfium';
    let module: object | undefined;
    try {
      if (backend === 'pdfium') module = pdfiumWasmModule();
    } catch (error) {
      const message = `cannot load PDFium (@embedpdf/pdfium): ${(error as Error).message}`;
      return Promise.reject(new WeftError('E_TASK_FAILED', message, { cause: error }));
    }
    const worker = new Worker(renderWorkerPath(backend), {
      workerData: { maxMemoryMb: this.options.maxHeapMb, ...(module ? { module } : {}) },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb, maxYoungGenerationSizeMb: 48 },
      stdout: false,
      stderr: false,
    });
    // An idle thread must not keep the process alive; a pending request's timer does while it runs.
    worker.unref();
    this.worker = worker;
    this.generation += 1;
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the PDF render thread did not start in time')),
        STARTUP_TIMEOUT_MS,
      );
      worker.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    }).catch((error: unknown) => {
      this.discard(worker);
      throw new WeftError(
        'E_TASK_FAILED',
        `cannot start the PDF render thread: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    });
    worker.on('message', (message: WorkerResponse) => {
      if (this.pending && message.id === this.pending.id) this.pending.settle(message);
      // The thread's engine trapped and the thread is exiting: the next request gets a fresh one.
      if (!message.ok && message.fatal && this.worker === worker) {
        this.discard(worker);
        this.restarts += 1;
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const reason: FailureReason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out_of_memory' : 'crashed';
      this.fail(worker, reason, error.message);
    });
    worker.on('exit', (code) => this.fail(worker, 'crashed', `render thread exited with code ${code}`));
    return this.ready;
  }

  /** Forgets a thread; a later request starts a fresh one. Termination is not awaited (native code may hold it). */
  private discard(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = undefined;
    worker.unref();
    void worker.terminate().catch(() => {});
  }

  private fail(worker: Worker, reason: FailureReason, message: string): void {
    if (this.worker !== worker) return;
    this.discard(worker);
    this.restarts += 1;
    this.pending?.settle({ ok: false, reason, message });
  }

  /** Public operations run one at a time, in call order (the thread handles one request at a time). */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async request(
    message: DistributiveOmit<WorkerRequest, 'id'>,
    timeoutMs: number,
  ): Promise<WorkerResponse | { ok: false; reason: FailureReason; message: string }> {
    await this.start();
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise((resolve) => {
      const maxRss = this.options.maxRssMb * 1024 * 1024;
      // Only a request that is itself growing memory is stopped: memory a killed thread left behind
      // (and the allocator kept) must not doom the requests after it.
      const startRss = process.memoryUsage.rss();
      const timer = setTimeout(
        () => this.fail(worker, 'timeout', `no answer within ${timeoutMs} ms`),
        timeoutMs,
      );
      const watchdog = setInterval(() => {
        const rss = process.memoryUsage.rss();
        if (rss > maxRss && rss > startRss + OWN_GROWTH_BYTES)
          this.fail(worker, 'out_of_memory', `process memory ${Math.round(rss / 2 ** 20)} MB`);
      }, WATCHDOG_INTERVAL_MS);
      this.pending = {
        id,
        settle: (response) => {
          clearTimeout(timer);
          clearInterval(watchdog);
          this.pending = undefined;
          resolve(response);
        },
      };
      const transfer = message.type === 'open' ? [message.data.buffer as ArrayBuffer] : [];
      worker.postMessage({ ...message, id } as WorkerRequest, transfer);
    });
  }

  private async openIn(doc: PdfDocument): Promise<Outcome<OpenedInfo>> {
    // A copy goes to the thread; ours stays to reopen the document if the thread is replaced.
    const response = await this.request(
      { type: 'open', doc: doc.id, data: new Uint8Array(doc.bytes) },
      this.options.openTimeoutMs,
    );
    if (!response.ok) return response;
    if (response.type !== 'opened') return { ok: false, reason: 'crashed', message: 'unexpected answer' };
    doc.generation = this.generation;
    return { ok: true, value: response.info };
  }

  open(source: string, bytes: Uint8Array): Promise<Outcome<PdfDocument>> {
    return this.exclusive(async () => {
      const doc: PdfDocument = {
        source,
        pageCount: 0,
        metadata: {},
        id: this.nextDoc++,
        bytes,
        generation: 0,
      };
      const opened = await this.openIn(doc);
      if (!opened.ok) return opened;
      doc.pageCount = opened.value.pageCount;
      doc.metadata = opened.value.metadata;
      return { ok: true, value: doc };
    });
  }

  renderPage(doc: PdfDocument, page: number, spec: RenderSpec): Promise<Outcome<RenderedPage>> {
    return this.exclusive(async () => {
      if (doc.generation !== this.generation || !this.worker) {
        const reopened = await this.openIn(doc);
        if (!reopened.ok) return reopened;
      }
      const response = await this.request(
        { type: 'page', doc: doc.id, page, spec },
        this.options.pageTimeoutMs,
      );
      if (!response.ok) return response;
      if (response.type !== 'page') return { ok: false, reason: 'crashed', message: 'unexpected answer' };
      return { ok: true, value: response.page };
    });
  }

  close(doc: PdfDocument): Promise<void> {
    return this.exclusive(async () => {
      if (doc.generation === this.generation && this.worker) {
        await this.request({ type: 'close', doc: doc.id }, this.options.openTimeoutMs);
      }
      doc.bytes = new Uint8Array(0);
    });
  }

  dispose(): Promise<void> {
    return this.exclusive(() => this.stop());
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (worker) {
      worker.removeAllListeners('exit');
      await worker.terminate().catch(() => {});
    }
  }
}
