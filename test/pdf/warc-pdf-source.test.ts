// PDFs out of WARC files: a WARC written here with PDF and non-PDF responses (plain, chunked, gzip
// content-encoding, truncated), in plain and per-record-gzip form, and the corpus WARCs (none holds a
// PDF; some are broken), read without a crash.
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { demoPdf, makePdf, textLine } from '../../src/pdf/make-pdf.js';
import type { PdfInput } from '../../src/pdf/pdf-inputs.js';
import { warcPdfSource } from '../../src/pdf/warc-pdf-source.js';
import { StageStats } from '../../src/pipeline/stats.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { stageContext } from '../helpers/run-stage.js';
import { tempDir } from '../helpers/temp-dir.js';

function record(type: string, uri: string, block: Buffer, extra: Record<string, string> = {}): Buffer {
  const headers = {
    'WARC-Type': type,
    'WARC-Record-ID': `<urn:uuid:${uri.length}-${block.length}>`,
    'WARC-Date': '2024-02-03T04:05:06Z',
    'WARC-Target-URI': uri,
    'Content-Type': type === 'response' ? 'application/http; msgtype=response' : 'application/warc-fields',
    ...extra,
    'Content-Length': String(block.length),
  };
  const head = `WARC/1.0\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), block, Buffer.from('\r\n\r\n')]);
}

function http(headers: Record<string, string>, body: Buffer): Buffer {
  const head = `HTTP/1.1 200 OK\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

const paper = Buffer.from(makePdf({ pages: [{ content: textLine('A paper found in a crawl', 72, 700) }] }));
const records = [
  record('warcinfo', '', Buffer.from('software: weft-test\r\n')),
  record(
    'request',
    'https://example.com/a.pdf',
    Buffer.from('GET /a.pdf HTTP/1.1\r\nHost: example.com\r\n\r\n'),
  ),
  record(
    'response',
    'https://example.com/index.html',
    http({ 'Content-Type': 'text/html' }, Buffer.from('<html>hi</html>')),
  ),
  record('response', 'https://example.com/a.pdf', http({ 'Content-Type': 'application/pdf' }, paper)),
  record(
    'response',
    'https://example.com/b',
    http(
      {
        'Content-Type': 'application/octet-stream',
        'Transfer-Encoding': 'chunked',
        'Content-Encoding': 'gzip',
      },
      chunked(gzipSync(Buffer.from(demoPdf())), 1000),
    ),
  ),
  record('response', 'https://example.com/cut.pdf', http({ 'Content-Type': 'application/pdf' }, paper), {
    'WARC-Truncated': 'length',
  }),
  record(
    'response',
    'https://example.com/fake.pdf',
    http({ 'Content-Type': 'application/pdf' }, Buffer.from('<html>')),
  ),
];

async function scan(
  path: string,
  maxFileBytes = 50_000_000,
): Promise<{ pdfs: PdfInput[]; stats: StageStats }> {
  const stats = new StageStats('read-pdfs');
  const pdfs: PdfInput[] = [];
  for await (const pdf of warcPdfSource([path], { maxFileBytes }).read(stageContext(stats))) pdfs.push(pdf);
  return { pdfs, stats };
}

describe('warcPdfSource', () => {
  test('finds PDF responses in plain and per-record gzipped WARCs, and names what it skips', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'crawl.warc'), Buffer.concat(records));
    await writeFile(join(dir, 'crawl.warc.gz'), Buffer.concat(records.map((r) => gzipSync(r))));
    for (const name of ['crawl.warc', 'crawl.warc.gz']) {
      const { pdfs, stats } = await scan(join(dir, name));
      expect(pdfs.map((p) => p.source)).toEqual(['https://example.com/a.pdf', 'https://example.com/b']);
      expect(Buffer.from(pdfs[0]!.bytes).equals(paper)).toBe(true);
      expect(Buffer.from(pdfs[1]!.bytes).equals(Buffer.from(demoPdf()))).toBe(true);
      expect(Object.fromEntries(stats.dropped)).toEqual({ truncated_record: 1, not_a_pdf_payload: 1 });
      expect(stats.counters.get('records_read')).toBe(records.length);
    }
  });

  test('PDFs over the size limit are dropped, and a WARC cut short keeps what came before', async () => {
    const dir = await tempDir();
    const whole = Buffer.concat(records.slice(0, 5));
    await writeFile(join(dir, 'cut.warc'), whole.subarray(0, whole.length - 500));
    const { pdfs, stats } = await scan(join(dir, 'cut.warc'), 1_000_000);
    expect(pdfs.map((p) => p.source)).toEqual(['https://example.com/a.pdf']);
    expect(Object.fromEntries(stats.dropped)).toEqual({ truncated_record: 1 });
    const small = await scan(join(dir, 'cut.warc'), 1000);
    expect(small.pdfs).toEqual([]);
  });

  test.skipIf(!hasCorpora)('reads every corpus WARC (none holds a PDF) without a crash', async () => {
    const files = ['warcio-py', 'warcio-js', 'resiliparse', 'commoncrawl-whirlwind'].flatMap((d) =>
      readdirSync(corpus('warc', d))
        .filter((f) => /\.warc(\.gz)?$/.test(f))
        .map((f) => corpus('warc', d, f)),
    );
    expect(files.length).toBeGreaterThan(10);
    let records = 0;
    for (const file of files) {
      const { pdfs, stats } = await scan(file);
      expect(pdfs).toEqual([]);
      records += stats.counters.get('records_read') ?? 0;
    }
    expect(records).toBeGreaterThan(50);
  });

  test('weft pdf takes WARC files: one row per page, the URL as source', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'crawl.warc.gz'), Buffer.concat(records.map((r) => gzipSync(r))));
    const out = join(dir, 'out');
    const result = await runCli([
      'pdf',
      join(dir, 'crawl.warc.gz'),
      '--out',
      out,
      '--json',
      '--workers',
      '1',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(summary.rows).toBe(3); // a.pdf page 1, the demo's pages 1 and 3 (page 2 is blank)
    expect(summary.stages[0]).toMatchObject({ name: 'read-pdfs', out: 2 });
  });
});
