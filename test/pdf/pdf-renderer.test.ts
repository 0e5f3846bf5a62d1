// The render thread on PDFs made by hand, for each engine (PDFium in WebAssembly, pdfjs): text and
// layout, metadata, and the limits that keep a hostile page from costing more than itself (time, the
// engine's heap, process memory).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { fillerLines, type MadePage, makePdf, textLine, twoColumnPage } from '../../src/pdf/make-pdf.js';
import { PdfRenderer, type PdfRendererOptions } from '../../src/pdf/pdf-renderer.js';
import { PDF_BACKENDS } from '../../src/pdf/worker-protocol.js';
import { corpus, hasCorpora } from '../helpers/paths.js';

const spec = { maxSidePx: 980, maxPixels: 40_000_000, text: true };
const renderers: PdfRenderer[] = [];

function renderer(options: Partial<PdfRendererOptions> & Pick<PdfRendererOptions, 'backend'>): PdfRenderer {
  const r = new PdfRenderer({
    openTimeoutMs: 20_000,
    pageTimeoutMs: 20_000,
    maxHeapMb: 1024,
    maxRssMb: 8192,
    ...options,
  });
  renderers.push(r);
  return r;
}

afterEach(async () => {
  for (const r of renderers.splice(0)) await r.dispose();
});

const textPage = (label: string): MadePage => ({
  content: textLine(`${label} has plain text on it`, 72, 700),
});
/** A million strokes (a 45 kB file): pdfjs takes minutes on it. */
const slowPage = (): MadePage => ({
  content: Buffer.from('1 1 m 500 700 l S\n'.repeat(1_000_000)),
  compress: true,
});
/** An array of `numbers` numbers in one operator: hundreds of MB of JS heap from a ~20 kB file. */
const heapBombPage = (numbers = 10_000_000): MadePage => ({
  content: Buffer.concat([
    Buffer.from('BT /F1 10 Tf 72 700 Td ['),
    Buffer.alloc(numbers * 2, '1 '),
    Buffer.from('] TJ ET\n'),
  ]),
  compress: true,
});

async function openOk(r: PdfRenderer, bytes: Uint8Array) {
  const opened = await r.open('test.pdf', bytes);
  if (!opened.ok) throw new Error(`open failed: ${opened.reason} ${opened.message}`);
  return opened.value;
}

describe.each(PDF_BACKENDS)('PdfRenderer (%s)', (backend) => {
  test('renders a page at 980 px on its longest side with its text in reading order and the metadata', async () => {
    const left = fillerLines('L', 30, 6);
    const right = fillerLines('R', 30, 6);
    const bytes = makePdf({
      info: { title: 'Two columns', author: 'A. Author' },
      language: 'de-CH',
      pages: [twoColumnPage('Heading', left, right)],
    });
    const r = renderer({ backend });
    const doc = await openOk(r, bytes);
    expect(doc.pageCount).toBe(1);
    expect(doc.metadata).toMatchObject({ title: 'Two columns', author: 'A. Author', language: 'de-CH' });
    const page = await r.renderPage(doc, 1, spec);
    if (!page.ok) throw new Error(page.message);
    // US Letter, 612 × 792 pt.
    expect([page.value.widthPx, page.value.heightPx]).toEqual([757, 980]);
    expect(page.value.pixels.byteLength).toBe(757 * 980 * page.value.channels);
    expect(page.value.inkRatio).toBeGreaterThan(0.005);
    const lines = page.value.text.split('\n').filter(Boolean);
    expect(lines).toEqual(['Heading', ...left, ...right]);
    expect(page.value.words.map((w) => w.text)).toEqual(lines.flatMap((line) => line.split(' ')));
    // The heading starts 72 pt from the left edge, its baseline 72 pt below the top (16 pt type).
    const heading = page.value.words[0]!;
    expect(heading.x0).toBeCloseTo(72 / 612, 2);
    expect(heading.y0).toBeLessThan(72 / 792);
    expect(heading.y1).toBeGreaterThan(72 / 792);
    expect(heading.y1 - heading.y0).toBeLessThan(24 / 792);
  });

  test('a page box that does not start at the origin: words are placed relative to the page', async () => {
    const r = renderer({ backend });
    // MediaBox [200 300 812 1092]: the text sits 72 pt from the page's left edge, 92 pt below its top.
    const page = {
      content: textLine('Offset page text', 272, 1000),
      originPt: [200, 300] as [number, number],
    };
    const doc = await openOk(r, makePdf({ pages: [page] }));
    const rendered = await r.renderPage(doc, 1, spec);
    if (!rendered.ok) throw new Error(rendered.message);
    expect(rendered.value.text).toBe('Offset page text');
    const first = rendered.value.words[0]!;
    expect(first.x0).toBeCloseTo(72 / 612, 2);
    expect(first.y0).toBeLessThan(92 / 792);
    expect(first.y1).toBeGreaterThan(92 / 792);
    expect(rendered.value.inkRatio).toBeGreaterThan(0);
  });

  test('colours come out as drawn, in RGB order', async () => {
    const r = renderer({ backend });
    const doc = await openOk(r, makePdf({ pages: [{ content: '0.2 0.4 0.8 rg 72 400 200 150 re f' }] }));
    const page = await r.renderPage(doc, 1, { ...spec, text: false });
    if (!page.ok) throw new Error(page.message);
    const { pixels, widthPx, heightPx, channels } = page.value;
    const at = (xPt: number, yPt: number) => {
      const i =
        (Math.round((1 - yPt / 792) * heightPx) * widthPx + Math.round((xPt / 612) * widthPx)) * channels;
      return [...pixels.slice(i, i + 3)];
    };
    expect(at(150, 475)).toEqual([51, 102, 204]);
    expect(at(400, 200)).toEqual([255, 255, 255]);
  });

  test('a page with an empty MediaBox is taken as US Letter, as other readers do', async () => {
    const r = renderer({ backend });
    const empty = { content: textLine('No page box here', 72, 700), widthPt: 0, heightPt: 0 };
    const doc = await openOk(r, makePdf({ pages: [empty] }));
    const page = await r.renderPage(doc, 1, spec);
    if (!page.ok) throw new Error(page.message);
    expect([page.value.widthPx, page.value.heightPx]).toEqual([757, 980]);
    expect(page.value.text).toBe('No page box here');
    expect(page.value.words[0]!.x0).toBeCloseTo(72 / 612, 2);
    expect(page.value.inkRatio).toBeGreaterThan(0);
  });

  test('renders at a DPI, and caps the pixel count', async () => {
    const r = renderer({ backend });
    const doc = await openOk(r, makePdf({ pages: [textPage('A page')] }));
    const at144 = await r.renderPage(doc, 1, { ...spec, dpi: 144 });
    if (!at144.ok) throw new Error(at144.message);
    expect([at144.value.widthPx, at144.value.heightPx]).toEqual([1224, 1584]);
    const capped = await r.renderPage(doc, 1, { ...spec, dpi: 600, maxPixels: 1_000_000 });
    if (!capped.ok) throw new Error(capped.message);
    expect(capped.value.widthPx * capped.value.heightPx).toBeLessThanOrEqual(1_000_000);
    expect(capped.value.widthPx / capped.value.heightPx).toBeCloseTo(612 / 792, 2);
  });

  test('a page with /Rotate 90 renders landscape; its words keep page-relative boxes', async () => {
    const r = renderer({ backend });
    const doc = await openOk(r, makePdf({ pages: [{ ...textPage('Turned'), rotate: 90 }] }));
    const page = await r.renderPage(doc, 1, spec);
    if (!page.ok) throw new Error(page.message);
    expect([page.value.widthPx, page.value.heightPx]).toEqual([980, 757]);
    expect(page.value.text).toBe('Turned has plain text on it');
    // Text drawn along the width of the unrotated page runs down the rotated one: each word lies
    // below the one before it, in a narrow column.
    const words = page.value.words;
    expect(words.map((w) => w.text)).toEqual(['Turned', 'has', 'plain', 'text', 'on', 'it']);
    for (const [i, w] of words.entries()) {
      expect(w.x1 - w.x0).toBeLessThan(0.03);
      if (i > 0) expect(w.y0).toBeGreaterThanOrEqual(words[i - 1]!.y1 - 1e-6);
    }
  });

  test('bytes that are not a PDF, and an empty file, are invalid_pdf', async () => {
    const r = renderer({ backend });
    const garbage = await r.open(
      'garbage.pdf',
      new TextEncoder().encode('<html>not a pdf</html>'.repeat(50)),
    );
    expect(garbage).toMatchObject({ ok: false, reason: 'invalid_pdf' });
    const empty = await r.open('empty.pdf', new Uint8Array(0));
    expect(empty).toMatchObject({ ok: false, reason: 'invalid_pdf' });
  });

  test('a page that runs past its time limit is stopped; the next page renders in a fresh thread', async () => {
    const r = renderer({ backend, pageTimeoutMs: 4_000 });
    const doc = await openOk(r, makePdf({ pages: [textPage('First'), slowPage(), textPage('Third')] }));
    const first = await r.renderPage(doc, 1, spec);
    expect(first.ok).toBe(true);
    const started = performance.now();
    const slow = await r.renderPage(doc, 2, spec);
    expect(slow).toMatchObject({ ok: false, reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(10_000);
    const third = await r.renderPage(doc, 3, spec);
    if (!third.ok) throw new Error(third.message);
    expect(third.value.text).toBe('Third has plain text on it');
    expect(r.restarts).toBe(1);
  });

  test('a page that blows the render thread heap is stopped at its limit; the document goes on', async () => {
    const r = renderer({ backend, maxHeapMb: 64 });
    const doc = await openOk(r, makePdf({ pages: [heapBombPage(), textPage('Second')] }));
    // pdfjs runs out of V8 heap; PDFium out of its capped WebAssembly memory, and its thread exits.
    const bomb = await r.renderPage(doc, 1, spec);
    expect(bomb).toMatchObject({ ok: false, reason: 'out_of_memory' });
    const second = await r.renderPage(doc, 2, spec);
    if (!second.ok) throw new Error(second.message);
    expect(second.value.text).toBe('Second has plain text on it');
    expect(r.restarts).toBe(1);
  });

  test('the process-memory watchdog stops a thread whose memory grows past the limit', async () => {
    const limitMb = Math.round(process.memoryUsage.rss() / 2 ** 20) + 300;
    const r = renderer({ backend, maxHeapMb: 4096, maxRssMb: limitMb });
    const doc = await openOk(r, makePdf({ pages: [heapBombPage(), textPage('Second')] }));
    const bomb = await r.renderPage(doc, 1, spec);
    expect(bomb).toMatchObject({ ok: false, reason: 'out_of_memory' });
    if (!bomb.ok) expect(bomb.message).toMatch(/process memory/);
    expect(process.memoryUsage.rss() / 2 ** 20).toBeLessThan(limitMb + 1024);
    const second = await r.renderPage(doc, 2, spec);
    expect(second.ok).toBe(true);
  });

  test('an image declared with billions of pixels is skipped, not decoded', async () => {
    const bytes = makePdf({
      pages: [
        {
          content: `q 500 0 0 500 50 50 cm /Im1 Do Q\n${textLine('Under a bomb', 72, 700)}`,
          resources: '/XObject << /Im1 100 0 R >>',
        },
      ],
      objects: [
        {
          dict: '<< /Type /XObject /Subtype /Image /Width 60000 /Height 60000 /ColorSpace /DeviceRGB /BitsPerComponent 8 >>',
          stream: new Uint8Array(1024),
        },
      ],
    });
    const r = renderer({ backend, maxHeapMb: 256 });
    const doc = await openOk(r, bytes);
    const page = await r.renderPage(doc, 1, spec);
    if (!page.ok) throw new Error(`${page.reason}: ${page.message}`);
    expect(page.value.text).toBe('Under a bomb');
  });
});

describe.skipIf(!hasCorpora)('PdfRenderer (pdfium): glyphs without a Unicode map', () => {
  test('the page text is re-read with pdfjs unless textFallback is off', async () => {
    // A font without a ToUnicode map: PDFium reads the raw codes, pdfjs reads the font program.
    const bytes = new Uint8Array(readFileSync(corpus('pdf/pdfjs/small/issue4722.pdf')));
    const r = renderer({ backend: 'pdfium' });
    const doc = await openOk(r, bytes);
    const withFallback = await r.renderPage(doc, 1, { ...spec, textFallback: true });
    const without = await r.renderPage(doc, 1, { ...spec, textFallback: false });
    if (!withFallback.ok || !without.ok) throw new Error('render failed');
    expect(withFallback.value.text).toBe('DESCRIPTION');
    expect(without.value.text).not.toBe('DESCRIPTION');
    expect(without.value.text).toHaveLength('DESCRIPTION'.length);
  });
});
