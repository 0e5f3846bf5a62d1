// Acceptance on the real corpus, for each engine (PDFium, the default, and pdfjs): every PDF of pdfjs's
// test set in one run (real documents, small feature files, broken and fuzzed ones), and the reading
// order of tracemonkey.pdf's two columns.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { PDF_BACKENDS } from '../../src/pdf/worker-protocol.js';
import type { StageStatsJson } from '../../src/pipeline/stats.js';
import { type RunSummary, runJob } from '../../src/run/run-job.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

interface ReaderVerdict {
  path: string;
  pdfium_pages?: number;
  pypdf_strict_pages?: number;
}

interface PageRow {
  source: string;
  page: number;
  page_count: number;
  text: string;
  width: number;
  height: number;
  needs_ocr: boolean;
}

const sumOf = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe.skipIf(!hasCorpora).each(PDF_BACKENDS)(
  'weft pdf --renderer %s on the pdfjs corpus (one run)',
  (renderer) => {
    let summary: RunSummary;
    let rows: PageRow[];
    let stage: (name: string) => StageStatsJson;
    const pdfFiles = hasCorpora
      ? ['documents', 'small', 'broken-or-fuzzed'].flatMap((d) =>
          readdirSync(corpus('pdf/pdfjs', d))
            .filter((f) => f.toLowerCase().endsWith('.pdf'))
            .map((f) => join(corpus('pdf/pdfjs', d), f)),
        )
      : [];

    beforeAll(async () => {
      const out = await tempDir('weft-pdf-corpus-');
      summary = await runJob(
        'pdf',
        // Blank pages kept: "opens" is about the reader, and some test files are blank by design.
        {
          inputs: [corpus('pdf/pdfjs')],
          renderer,
          dropBlank: false,
          filesPerTask: 16,
          pageTimeoutMs: 20_000,
          maxRssMb: 2048,
        },
        { outDir: join(out, 'ds'), workers: 2, durable: false },
      );
      rows = [];
      for await (const row of readDatasetRows(join(out, 'ds'))) rows.push(row as unknown as PageRow);
      const stages = summary.stats!.stages;
      stage = (name) => stages.find((s) => s.name === name)!;
    }, 300_000);

    test('the run finishes and commits, with no failed task', () => {
      expect(summary.committed).toBe(true);
      expect(summary.tasks.failed).toBe(0);
      expect(summary.failures).toEqual([]);
      expect(stage('read-pdfs').out).toBe(pdfFiles.length);
    });

    test('every file and every page is accounted for: a row or a counted reason', () => {
      const open = stage('open-pdfs');
      expect(open.in).toBe(pdfFiles.length);
      expect(open.out + sumOf(open.dropped)).toBe(pdfFiles.length);
      const render = stage('render-pages');
      expect(render.counters.pages).toBe(render.out + sumOf(render.dropped));
      expect(render.out).toBe(rows.length);
      // Documents that opened but gave no row lost all their pages to counted reasons.
      const withRows = new Set(rows.map((r) => r.source));
      expect(sumOf(render.dropped)).toBeGreaterThanOrEqual(open.out - withRows.size);
      // Encrypted files without the password are named as such.
      expect(open.dropped.encrypted).toBeGreaterThanOrEqual(2);
    });

    test('the files other readers open yield pages', () => {
      const verdicts = JSON.parse(
        readFileSync(corpus('pdf/OPENS-IN-OTHER-READERS.json'), 'utf8'),
      ) as ReaderVerdict[];
      const bothOpen = verdicts.filter((v) => (v.pdfium_pages ?? 0) > 0 && (v.pypdf_strict_pages ?? 0) > 0);
      expect(bothOpen.length).toBeGreaterThan(150);
      const pagesBySource = new Map<string, number>();
      for (const r of rows) pagesBySource.set(r.source, (pagesBySource.get(r.source) ?? 0) + 1);
      const missing = bothOpen.filter((v) => !pagesBySource.has(corpus(v.path)));
      expect(missing.map((v) => v.path)).toEqual([]);
      // Page counts agree with pdfium's wherever both readers agree with each other.
      const disagree = bothOpen.filter(
        (v) =>
          v.pdfium_pages === v.pypdf_strict_pages && pagesBySource.get(corpus(v.path)) !== v.pdfium_pages,
      );
      expect(disagree.map((v) => v.path)).toEqual([]);
    });

    test('glyphs without a Unicode map: their text is recovered where the font program allows', () => {
      // Fonts without a ToUnicode map: PDFium guesses (and marks) them, pdfjs reads the font programs;
      // under PDFium these pages take pdfjs's text, so both engines read them the same.
      const text = (path: string) => rows.find((r) => r.source === corpus(path));
      expect(text('pdf/pdfjs/small/issue4722.pdf')?.text).toBe('DESCRIPTION');
      expect(text('pdf/pdfjs/small/french_diacritics.pdf')?.text).toMatch(/^à À â Â ä Ä ç Ç é É/);
      expect(text('pdf/pdfjs/small/french_diacritics.pdf')?.needs_ocr).toBe(false);
    });

    test('pages are rendered at 980 px on their longest side', () => {
      for (const r of rows) expect(Math.max(r.width, r.height)).toBe(980);
    });

    test('tracemonkey.pdf (two columns): text comes out in reading order', () => {
      const source = corpus('pdf/pdfjs/documents/tracemonkey.pdf');
      const pages = rows.filter((r) => r.source === source).sort((a, b) => a.page - b.page);
      expect(pages.map((p) => p.page)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
      const inOrder = (text: string, passages: string[]) => {
        const at = passages.map((p) => text.indexOf(p));
        expect(
          at.every((i) => i >= 0),
          `missing: ${passages.filter((_, k) => at[k]! < 0).join(' | ')}`,
        ).toBe(true);
        expect(at).toEqual([...at].sort((a, b) => a - b));
        // Each passage starts a line: lines belong to one column, never two columns glued together.
        const lines = text.split('\n');
        for (const p of passages)
          expect(
            lines.some((l) => l.startsWith(p)),
            p,
          ).toBe(true);
      };
      // Page 1: title, abstract (left), introduction (left) running on into the right column.
      inOrder(pages[0]!.text, [
        'Trace-based Just-in-Time Type Specialization for Dynamic',
        'Abstract',
        'is available, traditional compilers need to emit generic code that can',
        '1. Introduction',
        'example, is the de facto standard for client-side web programming',
        'and is used for the application logic of browser-based productivity',
        'We present a trace-based compilation technique for dynamic',
      ]);
      // Page 4: the left column ends mid-section; the right column carries on.
      inOrder(pages[3]!.text, [
        'i=4. On this iteration, TraceMonkey calls T16',
        '3. Trace Trees',
        'ate on unboxed values in simple variables and arrays as much as',
        'A trace records all its intermediate values in a small activation',
        'Representation specialization: objects.',
      ]);
    });
  },
);
