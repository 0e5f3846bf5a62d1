// `weft pdf` end to end as a child process: directories and globs in, a dataset out that Python
// `datasets` loads, stats that name every drop, and usage/input errors with their exit codes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { demoPdf, fillerLines, makePdf, twoColumnPage } from '../../src/pdf/make-pdf.js';
import { expandInputs, groupFiles } from '../../src/pdf/pdf-inputs.js';
import { pythonWithDatasets, runPythonJson } from '../helpers/python.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

async function inputTree(): Promise<string> {
  const dir = await tempDir('weft-pdf-in-');
  await mkdir(join(dir, 'nested/deeper'), { recursive: true });
  await writeFile(join(dir, 'a-demo.pdf'), demoPdf());
  const paper = makePdf({
    info: { title: 'Paper' },
    pages: [twoColumnPage('Paper', fillerLines('A', 12), fillerLines('B', 12))],
  });
  await writeFile(join(dir, 'nested/deeper/paper.PDF'), paper);
  await writeFile(join(dir, 'nested/broken.pdf'), paper.subarray(0, 200));
  await writeFile(join(dir, 'nested/notes.txt'), 'not a pdf');
  return dir;
}

describe('pdf inputs', () => {
  test('directories (any case of .pdf), files and globs expand to sorted unique paths', async () => {
    const dir = await inputTree();
    const fromDir = (await expandInputs([dir])).pdfs;
    expect(fromDir.map((f) => f.path)).toEqual([
      join(dir, 'a-demo.pdf'),
      join(dir, 'nested/broken.pdf'),
      join(dir, 'nested/deeper/paper.PDF'),
    ]);
    const mixed = (await expandInputs(['nested/**/*.pdf', 'a-demo.pdf', dir], dir)).pdfs;
    expect(mixed.map((f) => f.path)).toEqual(fromDir.map((f) => f.path));
    expect(groupFiles(fromDir, 2).map((g) => g.length)).toEqual([2, 1]);
  });

  test('a missing input, an empty glob and a URL are E_INPUT errors naming the input', async () => {
    const dir = await inputTree();
    await expect(expandInputs(['missing.pdf'], dir)).rejects.toMatchObject({
      code: 'E_INPUT',
      message: expect.stringContaining('missing.pdf'),
    });
    await expect(expandInputs(['*.djvu'], dir)).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(expandInputs(['https://example.com/a.pdf'], dir)).rejects.toMatchObject({
      code: 'E_INPUT',
    });
  });
});

describe('weft pdf (CLI)', () => {
  test('renders a folder of PDFs: rows, reasons and a dataset Python loads', async () => {
    const dir = await inputTree();
    const out = join(await tempDir(), 'pages');
    const result = await runCli([
      'pdf',
      dir,
      '--out',
      out,
      '--json',
      '--workers',
      '2',
      '--files-per-task',
      '1',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
      rows: number;
      tasks: { total: number };
      stages: Array<{ name: string; in?: number; out: number; dropped: Record<string, number> }>;
    };
    expect(summary.tasks.total).toBe(3);
    const byName = Object.fromEntries(summary.stages.map((s) => [s.name, s]));
    expect(byName['read-pdfs']!.out).toBe(3);
    expect(byName['open-pdfs']!.dropped).toEqual({ invalid_pdf: 1 });
    // demo: page 1 text, page 2 blank (dropped), page 3 a drawing (kept, needs OCR); paper: 1 page.
    expect(byName['render-pages']!.dropped).toEqual({ blank_page: 1 });
    expect(summary.rows).toBe(3);

    if (!pythonWithDatasets) return;
    const loaded = runPythonJson<{
      n: number;
      rows: Array<{
        source: string;
        page: number;
        count: number;
        ocr: boolean;
        size: number[];
        mode: string;
        title: string | null;
        head: string;
      }>;
      features: Record<string, string>;
    }>(
      `
import json, sys
from datasets import load_from_disk
ds = load_from_disk(sys.argv[1])
rows = [{"source": r["source"].rsplit("/", 1)[-1], "page": r["page"], "count": r["page_count"], "ocr": r["needs_ocr"],
         "size": list(r["image"].size), "mode": r["image"].mode, "title": r["document_metadata"]["title"],
         "head": r["text"][:40]} for r in ds]
print(json.dumps({"n": len(ds), "rows": rows, "features": {k: type(v).__name__ for k, v in ds.features.items()}}))
`,
      [out],
    );
    expect(loaded.n).toBe(3);
    expect(loaded.features.image).toBe('Image');
    expect(loaded.rows).toEqual([
      expect.objectContaining({
        source: 'a-demo.pdf',
        page: 1,
        count: 3,
        ocr: false,
        size: [757, 980],
        mode: 'RGB',
        title: 'weft demo: two columns',
        head: expect.stringContaining('Rendered pages with their text'),
      }),
      expect.objectContaining({ source: 'a-demo.pdf', page: 3, ocr: true, head: '' }),
      expect.objectContaining({
        source: 'paper.PDF',
        page: 1,
        count: 1,
        head: expect.stringMatching(/^Paper\n\nA1 /),
      }),
    ]);
  });

  test('options: pdfjs, PNG at a DPI, blank pages kept, pages needing OCR dropped, documents over the page limit dropped', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'demo.pdf'), demoPdf());
    const out = join(await tempDir(), 'png');
    const result = await runCli(
      [
        'pdf',
        join(dir, '*.pdf'),
        '--out',
        out,
        '--json',
        '--workers',
        '1',
        '--format',
        'png',
        '--dpi',
        '50',
        '--keep-blank',
        '--needs-ocr',
        'drop',
        '--renderer',
        'pdfjs',
      ],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!);
    const render = summary.stages.find((s: { name: string }) => s.name === 'render-pages');
    // The blank page is kept but, with no text, needs OCR: both it and the drawing are dropped for that.
    expect(render.dropped).toEqual({ needs_ocr: 2 });
    expect(summary.rows).toBe(1);
    const rows = [];
    for await (const row of readDatasetRows(out)) rows.push(row as { image: { bytes: Uint8Array } });
    const image = rows[0]!.image.bytes;
    expect(Buffer.from(image.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
    expect(await sharp(image).metadata()).toMatchObject({ format: 'png', width: 425, height: 550 });

    const limited = await runCli([
      'pdf',
      dir,
      '--out',
      join(out, '..', 'limited'),
      '--json',
      '--max-pages',
      '2',
    ]);
    expect(limited.code, limited.stderr).toBe(0);
    const open = JSON.parse(limited.stdout.trim().split('\n').pop()!).stages.find(
      (s: { name: string }) => s.name === 'open-pdfs',
    );
    expect(open.dropped).toEqual({ too_many_pages: 1 });
  });

  test('usage and input errors exit non-zero with a message that names the problem', async () => {
    const out = join(await tempDir(), 'x');
    const missing = await runCli(['pdf', 'no-such-dir/', '--out', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-dir/');
    const badFormat = await runCli(['pdf', '.', '--out', out, '--format', 'gif']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--format');
    const badRenderer = await runCli(['pdf', '.', '--out', out, '--renderer', 'mupdf']);
    expect(badRenderer.code).toBe(2);
    expect(badRenderer.stderr).toContain('--renderer');
  });
});
