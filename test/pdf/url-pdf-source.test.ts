// PDFs from URL lists, fetched from a real local server: pages for the PDFs, a named reason for
// everything else (404, not a PDF, robots.txt, X-Robots-Tag opt-out, too large).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { makePdf, textLine } from '../../src/pdf/make-pdf.js';
import { runJob } from '../../src/run/run-job.js';
import { startServer } from '../helpers/local-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const pdf = (label: string) =>
  Buffer.from(
    makePdf({ pages: [{ content: textLine(`${label} was fetched over HTTP for weft`, 72, 700) }] }),
  );

describe('weft pdf on URL lists', () => {
  test('fetches the PDFs of a list politely and names every failure', async () => {
    const big = Buffer.concat([pdf('big'), Buffer.alloc(300_000, 0x20)]);
    const server = await startServer({
      '/robots.txt': (_req, res) => {
        res.end('User-agent: *\nDisallow: /private/\n');
      },
      '/papers/a.pdf': (_req, res) => {
        res.setHeader('content-type', 'application/pdf');
        res.end(pdf('Paper A'));
      },
      '/download': (req, res) => {
        res.setHeader('content-type', 'application/octet-stream');
        res.end(req.url?.endsWith('id=2') ? pdf('Paper B') : 'nope');
      },
      '/page.html': (_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end('<html>not a pdf</html>');
      },
      '/private/c.pdf': (_req, res) => {
        res.end(pdf('Private'));
      },
      '/noai.pdf': (_req, res) => {
        res.setHeader('x-robots-tag', 'noai');
        res.end(pdf('Opted out'));
      },
      '/big.pdf': (_req, res) => {
        res.end(big);
      },
    });
    const dir = await tempDir();
    const list = join(dir, 'pdfs.csv');
    const urls = [
      '/papers/a.pdf',
      '/missing.pdf',
      '/download?id=2',
      '/page.html',
      '/private/c.pdf',
      '/noai.pdf',
      '/big.pdf',
    ].map((p) => `${server.url}${p}`);
    await writeFile(list, `url,note\n${urls.map((u, i) => `${u},row ${i}`).join('\n')}\n`);

    const out = join(dir, 'out');
    const summary = await runJob(
      'pdf',
      {
        inputs: [list],
        urlsPerTask: 4,
        maxFileBytes: 200_000,
        fetch: { allowedPrivateRanges: ['127.0.0.1/32'], perHostRequestsPerSecond: 0, retries: 0 },
      },
      { outDir: out, workers: 1, durable: false },
    );
    expect(summary.committed).toBe(true);
    expect(summary.tasks.total).toBe(2);
    const read = summary.stats!.stages[0]!;
    expect(read.name).toBe('read-pdfs');
    expect(read.counters.urls).toBe(urls.length);
    expect(read.dropped).toEqual({
      http_4xx: 1,
      not_a_pdf: 1,
      robots_disallowed: 1,
      opted_out: 1,
      too_large: 1,
    });
    const rows: Array<{ source: string; text: string }> = [];
    for await (const row of readDatasetRows(out))
      rows.push(row as unknown as { source: string; text: string });
    expect(rows.map((r) => [r.source, r.text])).toEqual([
      [urls[0], 'Paper A was fetched over HTTP for weft'],
      [urls[2], 'Paper B was fetched over HTTP for weft'],
    ]);
    // robots.txt is read once per origin, the disallowed PDF never.
    expect(server.hits.get('/private/c.pdf')).toBeUndefined();
  });

  test('private addresses are refused unless allowed one by one', async () => {
    const server = await startServer({
      '/a.pdf': (_req, res) => {
        res.end(pdf('Local'));
      },
    });
    const dir = await tempDir();
    const list = join(dir, 'urls.txt');
    await writeFile(list, `${server.url}/a.pdf\n`);
    const summary = await runJob(
      'pdf',
      { inputs: [list] },
      { outDir: join(dir, 'out'), workers: 1, durable: false },
    );
    expect(summary.rows).toBe(0);
    expect(summary.stats!.stages[0]!.dropped).toEqual({ private_address: 1 });
    expect(server.hits.get('/a.pdf')).toBeUndefined();
  });
});
