// PDFium compiled to WebAssembly (@embedpdf/pdfium, MIT; PDFium itself Apache-2.0), loaded in the render
// thread: the .wasm ships in the package and is compiled from disk (nothing is fetched), and the growth
// of its memory is capped, so a hostile file meets an allocation failure inside the sandbox, not the
// machine's limit. Fonts are parsed by FreeType inside that sandbox, never by native code in-process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Fn = (...args: number[]) => number;

// The project's lib has no WebAssembly types (ES only, no DOM): the little used here is declared.
interface WasmMemory {
  buffer: ArrayBuffer;
}
type WasmModule = object;
type WasmInstance = { exports: unknown };
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
  RuntimeError: new (...args: never[]) => Error;
}
/** WebAssembly traps (an abort, an out-of-bounds access, `unreachable`). */
export const WasmRuntimeError = Wasm.RuntimeError;

/** The raw PDFium exports the render thread uses (C signatures; pointers are offsets into `memory`). */
export interface PdfiumExports {
  memory: WasmMemory;
  malloc: Fn;
  free: Fn;
  PDFiumExt_Init: Fn;
  FPDF_LoadMemDocument: Fn;
  FPDF_CloseDocument: Fn;
  FPDF_GetLastError: Fn;
  FPDF_GetPageCount: Fn;
  FPDF_GetMetaText: Fn;
  FPDFCatalog_GetLanguage: Fn;
  FPDF_LoadPage: Fn;
  FPDF_ClosePage: Fn;
  FPDF_GetPageWidthF: Fn;
  FPDF_GetPageHeightF: Fn;
  FPDF_PageToDevice: Fn;
  FPDF_RenderPageBitmap: Fn;
  FPDF_RenderPageBitmapWithMatrix: Fn;
  FPDFPage_GetRotation: Fn;
  FPDF_GetFormType: Fn;
  PDFiumExt_OpenFormFillInfo: Fn;
  PDFiumExt_CloseFormFillInfo: Fn;
  PDFiumExt_InitFormFillEnvironment: Fn;
  PDFiumExt_ExitFormFillEnvironment: Fn;
  FORM_OnAfterLoadPage: Fn;
  FORM_OnBeforeClosePage: Fn;
  FPDF_FFLDraw: Fn;
  FPDF_SetFormFieldHighlightAlpha: Fn;
  FPDF_SetSystemFontInfo: Fn;
  FPDF_AddInstalledFont: Fn;
  FPDFBitmap_CreateEx: Fn;
  FPDFBitmap_FillRect: Fn;
  FPDFBitmap_Destroy: Fn;
  FPDFText_LoadPage: Fn;
  FPDFText_ClosePage: Fn;
  FPDFText_CountChars: Fn;
  FPDFText_GetUnicode: Fn;
  FPDFText_IsGenerated: Fn;
  FPDFText_HasUnicodeMapError: Fn;
  FPDFText_GetLooseCharBox: Fn;
  FPDFText_GetCharAngle: Fn;
  FPDFText_GetFontSize: Fn;
  FPDFText_GetMatrix: Fn;
  FPDFText_IsHyphen: Fn;
  FPDFText_GetCharOrigin: Fn;
}

/** FPDF_GetLastError codes. */
export const FPDF_ERR = { FILE: 2, FORMAT: 3, PASSWORD: 4, SECURITY: 5, PAGE: 6 } as const;
/** FPDF_RenderPageBitmap flags: annotations with appearance streams, RGB(A) byte order. */
export const FPDF_ANNOT = 0x01;
export const RENDER_FLAGS = FPDF_ANNOT | 0x10;
/** FPDFBitmap format: 24-bit, which RENDER_FLAGS's byte order makes RGB (what the encoder takes). */
export const BITMAP_BGR = 2;

export interface Pdfium {
  exports: PdfiumExports;
  /** A JavaScript function PDFium can call through a function pointer (`sig`: Emscripten's signature letters). */
  addFunction(fn: (...args: number[]) => unknown, sig: string): number;
  /** A fresh view of the module's memory (memory growth detaches older views). */
  heap(): Uint8Array;
  /** The last messages PDFium printed (an abort's reason), for error messages. */
  lastMessage(): string;
}

interface EmscriptenInfo {
  env: Record<string, unknown>;
  wasi_snapshot_preview1: Record<string, unknown>;
}

let compiled: WasmModule | undefined;

/**
 * PDFium's compiled module, once per process. Render threads instantiate this one module (it crosses
 * to them in workerData), so code V8 has already optimised in one thread serves the next: a fresh
 * compile per thread would run twice as slow until it warmed up again.
 */
export function pdfiumWasmModule(): WasmModule {
  compiled ??= new Wasm.Module(readFileSync(require.resolve('@embedpdf/pdfium/pdfium.wasm')));
  return compiled;
}

/**
 * Instantiates PDFium (`module` from pdfiumWasmModule) with its memory capped at `maxMemoryMb` (the module's own ceiling is 2 GiB).
 * When the cap is hit, PDFium's allocator fails: a recoverable failure where PDFium checks, an abort
 * (a trapped RuntimeError) where it does not; either way only this thread is affected.
 */
export async function loadPdfium(module: WasmModule, maxMemoryMb: number): Promise<Pdfium> {
  const capBytes = maxMemoryMb * 1024 * 1024;
  const messages: string[] = [];
  const note = (text: string) => {
    if (messages[messages.length - 1] === String(text)) return;
    messages.push(String(text));
    if (messages.length > 8) messages.shift();
  };
  const { init } = (await import('@embedpdf/pdfium')) as unknown as {
    init(overrides: Record<string, unknown>): Promise<{
      pdfium: {
        wasmExports: PdfiumExports;
        addFunction(fn: (...args: number[]) => unknown, sig: string): number;
      };
    }>;
  };
  const wrapped = await init({
    print: note,
    printErr: note,
    instantiateWasm(info: EmscriptenInfo, receive: (instance: WasmInstance) => void) {
      const resize = info.env.emscripten_resize_heap as (bytes: number) => number;
      info.env.emscripten_resize_heap = (bytes: number) => {
        if (bytes >>> 0 > capBytes) {
          note(`memory limit: ${Math.round((bytes >>> 0) / 2 ** 20)} MB asked, ${maxMemoryMb} MB allowed`);
          return 0;
        }
        return resize(bytes);
      };
      Wasm.instantiate(module, info).then(
        (instance) => receive(instance),
        (error: unknown) => note(`cannot instantiate PDFium: ${(error as Error).message}`),
      );
      return {};
    },
  });
  const exports = wrapped.pdfium.wasmExports;
  exports.PDFiumExt_Init();
  return {
    exports,
    addFunction: (fn, sig) => wrapped.pdfium.addFunction(fn, sig),
    heap: () => new Uint8Array(exports.memory.buffer),
    lastMessage: () => messages.join('; ').slice(-500),
  };
}
