import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { layoutOf, openDataset, readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { webDocumentsLayout } from '../../src/dataset/layouts/web-documents.js';
import { registerJob } from '../../src/jobs/index.js';
import { fromIterable } from '../../src/pipeline/stage.js';
import type { ImageTextPair, WebDocument } from '../../src/records/index.js';
import { defineJob, type JobDefinition } from '../../src/run/job.js';
import { runJob } from '../../src/run/run-job.js';
import { hostileRoutes } from '../helpers/hostile-routes.js';
import { type Handler, startServer } from '../helpers/local-server.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { pythonWithDatasets, runPythonJson } from '../helpers/python.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURES = [
  '320x240.jpg',
  '4.webp',
  'Landscape_6.jpg',
  'Crash_test.gif',
  'with-alpha.png',
  'truncated.jpg',
  'giant-image.jpg',
];

function fixtureRoutes(): Record<string, Handler> {
  return Object.fromEntries(
    FIXTURES.map((name) => [
      `/img/${name}`,
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end(readFileSync(corpus('images/sharp-fixtures', name)));
      },
    ]),
  );
}

async function readRows<R>(dir: string): Promise<R[]> {
  const handle = await openDataset(dir);
  const layout = layoutOf(handle);
  const out: R[] = [];
  for await (const row of readDatasetRows(handle)) out.push((await layout.fromRow(row)) as R);
  return out;
}

const FAST = ['--timeout-ms', '1500', '--connect-timeout-ms', '1000', '--retries', '1'];

describe.skipIf(!hasCorpora)('weft images', () => {
  it('downloads a captioned URL list, names every failure, and retries only the failed URLs', async () => {
    let flakyUp = false;
    const server = await startServer({
      ...hostileRoutes(),
      ...fixtureRoutes(),
      '/flaky.jpg': (_req, res) => {
        if (!flakyUp) {
          res.writeHead(503);
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end(readFileSync(corpus('images/sharp-fixtures/320x240.jpg')));
      },
    });
    const expected: Record<string, string> = {
      '/slow-drip': 'timeout',
      '/never-ending': 'too_large',
      '/huge-content-length': 'too_large',
      '/lying-content-type': 'not_an_image',
      '/loop-a': 'too_many_redirects',
      '/redirect-private': 'private_address',
      '/always-429': 'http_429',
      '/gzip-bomb': 'too_large',
      '/noai': 'opted_out',
      '/private/photo.jpg': 'robots_disallowed',
      '/flaky.jpg': 'http_5xx',
      '/img/truncated.jpg': 'decode_error',
      '/img/giant-image.jpg': 'too_many_pixels',
    };
    const good = FIXTURES.filter((f) => !['truncated.jpg', 'giant-image.jpg'].includes(f)).map(
      (f) => `/img/${f}`,
    );
    const dir = await tempDir();
    const list = join(dir, 'urls.csv');
    const paths = [...Object.keys(expected), ...good, good[0]!]; // one URL twice: fetched once
    await writeFile(
      list,
      `url,caption,license\n${paths.map((p, i) => `${server.url}${p},"caption ""${i}"", with comma",cc-by`).join('\n')}\n`,
    );
    const out = join(dir, 'out');
    const started = performance.now();
    const result = await runCli(
      [
        'images',
        list,
        '--out',
        out,
        '--allow-private-range',
        '127.0.0.1/32',
        '--urls-per-task',
        '7',
        '--workers',
        '2',
        '--json',
        ...FAST,
      ],
      { timeoutMs: 60_000 },
    );
    expect(result.stderr).not.toMatch(/Error:/);
    expect(result.code).toBe(0);
    expect(performance.now() - started).toBeLessThan(30_000);

    const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8'));
    const download = stats.phases.download[0];
    expect(download.in).toBe(paths.length - 1);
    expect(download.out).toBe(good.length);
    const byReason: Record<string, number> = {};
    for (const reason of Object.values(expected)) byReason[reason] = (byReason[reason] ?? 0) + 1;
    expect(download.dropped).toEqual(byReason);
    expect(server.hits.get(good[0]!)).toBe(1);
    expect(server.hits.get('/robots.txt')).toBe(1);

    const failures = (await readFile(join(out, 'failures.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { url: string; reason: string });
    expect(Object.fromEntries(failures.map((f) => [new URL(f.url).pathname, f.reason]))).toEqual(expected);

    const pairs = await readRows<ImageTextPair>(out);
    expect(pairs).toHaveLength(good.length + 1);
    for (const pair of pairs) {
      const meta = await sharp(pair.image!.bytes).metadata();
      expect([meta.width, meta.height]).toEqual([pair.image!.widthPx, pair.image!.heightPx]);
      expect(pair.caption).toMatch(/^caption "\d+", with comma$/);
      expect(pair.extra).toEqual({ license: 'cc-by' });
      expect(pair.image!.phash).toMatch(/^[0-9a-f]{16}$/);
    }

    // The server recovers; a retry run fetches only the transient failures (timeouts, 429, 5xx).
    flakyUp = true;
    const before = new Map(server.hits);
    const retryOut = join(dir, 'retry');
    const retry = await runCli(
      ['images', '--retry-failed', out, '--out', retryOut, '--workers', '1', ...FAST],
      {
        timeoutMs: 60_000,
      },
    );
    expect(retry.code).toBe(0);
    const retried = await readRows<ImageTextPair>(retryOut);
    expect(retried.map((p) => new URL(p.url).pathname)).toEqual(['/flaky.jpg']);
    expect(retried[0]!.caption).toMatch(/^caption "\d+", with comma$/);
    for (const path of good) expect(server.hits.get(path)).toBe(before.get(path));
    expect(server.hits.get('/img/truncated.jpg')).toBe(before.get('/img/truncated.jpg'));
  });

  it('fills documents in place, fetching a URL shared by documents of different tasks once', async () => {
    const server = await startServer(fixtureRoutes());
    const shared = `${server.url}/img/4.webp`;
    const doc = (i: number, images: string[]): WebDocument => ({
      kind: 'web-document',
      url: `https://example.org/page${i}`,
      blocks: [
        { kind: 'text', text: `Page ${i} intro.` },
        ...images.map((src) => ({ kind: 'image' as const, src, alt: `alt ${src.split('/').pop()}` })),
        { kind: 'text', text: `Page ${i} end.` },
      ],
    });
    const docs = [
      [doc(0, [shared, `${server.url}/img/320x240.jpg`]), doc(1, [shared])],
      [doc(2, [shared, `${server.url}/img/missing.jpg`]), doc(3, [])],
    ];
    const sourceJob = defineJob({
      name: 'test-documents',
      description: 'documents with image URLs',
      options: z.object({}),
      planTasks: () => docs.map((_, i) => ({ label: `docs ${i}`, input: i })),
      layout: () => webDocumentsLayout({ images: 'urls' }),
      buildPipeline: (_o, task) => ({
        source: fromIterable('docs', docs[task.input as number]!),
        stages: [],
      }),
    });
    registerJob('test-documents', async () => sourceJob as unknown as JobDefinition);
    const dir = await tempDir();
    await runJob(sourceJob as unknown as JobDefinition, {}, { outDir: join(dir, 'docs'), workers: 1 });
    const summary = await runJob(
      'images',
      { input: join(dir, 'docs'), fetch: { allowedPrivateRanges: ['127.0.0.1/32'], retries: 0 } },
      { outDir: join(dir, 'out'), workers: 1 },
    );
    expect(summary.committed).toBe(true);
    expect(server.hits.get('/img/4.webp')).toBe(1);
    const attach = summary.stats!.stages.find((s) => s.name === 'attach-images')!;
    expect(attach.counters).toMatchObject({ images_attached: 4, 'images_dropped.http_4xx': 1 });

    const out = await readRows<WebDocument>(join(dir, 'out'));
    expect(out).toHaveLength(4);
    const first = out.find((d) => d.url.endsWith('page2'))!;
    expect(first.blocks.map((b) => b.kind)).toEqual(['text', 'image', 'text']);
    const image = first.blocks[1] as Extract<WebDocument['blocks'][number], { kind: 'image' }>;
    expect(image.src).toBe(shared);
    expect(image.alt).toBe('alt 4.webp');
    expect(image.image!.widthPx).toBe(980);

    if (pythonWithDatasets) {
      const loaded = runPythonJson<{ rows: number; sizes: number[][] }>(
        `import sys, json, datasets
ds = datasets.load_from_disk(sys.argv[1])
sizes = [list(im.size) for row in ds for im in row["images"] if im is not None]
print(json.dumps({"rows": len(ds), "sizes": sizes}))`,
        [join(dir, 'out')],
      );
      expect(loaded.rows).toBe(4);
      expect(loaded.sizes).toHaveLength(4);
    }
  });
});
