// Dedup as a job over a multi-shard corpus with planted duplicates: near-duplicates at known Jaccard
// similarity across tasks (MinHash), exact copies, re-crawled URLs, repeated paragraphs in a domain,
// image sets and frequent images; the result must not depend on the number of workers.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openDataset, readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { webDocumentsLayout } from '../../src/dataset/layouts/web-documents.js';
import { DEFAULT_MINHASH, detectionProbability } from '../../src/dedup/minhash.js';
import { seededRandom } from '../../src/demo/synthetic-text.js';
import type { WebDocument } from '../../src/records/web-document.js';
import { runJob } from '../../src/run/run-job.js';
import { editToJaccard, randomWords } from '../helpers/planted.js';
import { tempDir } from '../helpers/temp-dir.js';
import { doc, img, writeDataset } from '../helpers/web-docs.js';

async function urlsOf(dir: string): Promise<string[]> {
  const layout = webDocumentsLayout({ images: 'urls' });
  const urls: string[] = [];
  for await (const row of readDatasetRows(await openDataset(dir)))
    urls.push((await layout.fromRow(row))!.url);
  return urls;
}

async function stagesOf(dir: string) {
  return (
    JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as {
      stages: {
        name: string;
        dropped: Record<string, number>;
        counters: Record<string, number>;
        histograms: Record<string, { counts: number[] }>;
      }[];
    }
  ).stages;
}

describe('near-duplicates (MinHash LSH) planted across tasks', () => {
  test('pairs above the threshold are found, pairs well below are not; the result does not depend on workers', async () => {
    const random = seededRandom(5);
    const targets = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.4, 0.2];
    const originals: WebDocument[] = [];
    const copies: { doc: WebDocument; jaccard: number; of: string }[] = [];
    for (let i = 0; i < 64; i++) {
      const base = randomWords(random, 300);
      const url = `https://news.example/${i}`;
      originals.push(doc(url, base.join(' ')));
      const { words, jaccard } = editToJaccard(random, base, targets[i % targets.length]!);
      copies.push({ doc: doc(`https://copy.example/${i}`, words.join(' ')), jaccard, of: url });
    }
    const input = await tempDir();
    // Originals in the first two shards, copies in the last two: every pair crosses tasks.
    await writeDataset(
      input,
      [
        originals.slice(0, 32),
        originals.slice(32),
        copies.slice(0, 32).map((c) => c.doc),
        copies.slice(32).map((c) => c.doc),
      ],
      webDocumentsLayout({ images: 'urls' }),
    );
    const out1 = join(await tempDir(), 'out');
    const out2 = join(await tempDir(), 'out');
    await runJob('dedup', { input, methods: ['minhash'] }, { outDir: out1, workers: 1, durable: false });
    await runJob('dedup', { input, methods: ['minhash'] }, { outDir: out2, workers: 2, durable: false });
    const kept = await urlsOf(out1);
    expect(await urlsOf(out2)).toEqual(kept);
    expect(kept.filter((u) => u.startsWith('https://news.example/'))).toHaveLength(64); // the first copy is kept
    const keptSet = new Set(kept);
    const threshold = 0.8;
    let truePositives = 0;
    let positives = 0;
    let found = 0;
    for (const c of copies) {
      const detected = !keptSet.has(c.doc.url);
      if (detected) found += 1;
      if (c.jaccard >= threshold) {
        positives += 1;
        if (detected) truePositives += 1;
      }
      if (c.jaccard >= 0.9) expect(detected, `J=${c.jaccard.toFixed(3)}`).toBe(true);
      if (c.jaccard <= 0.45) expect(detected, `J=${c.jaccard.toFixed(3)}`).toBe(false);
    }
    const recall = truePositives / positives;
    const precision = truePositives / found;
    console.log(
      `MinHash ${DEFAULT_MINHASH.bands}×${DEFAULT_MINHASH.rowsPerBand} on ${copies.length} planted pairs: recall ${recall.toFixed(3)} ` +
        `(J ≥ ${threshold}; theory at J=0.8: ${detectionProbability(0.8, 14, 8).toFixed(3)}), precision ${precision.toFixed(3)} ` +
        `(found pairs with J ≥ ${threshold}); by target J: ${targets
          .map(
            (t) =>
              `${t}: ${copies.filter((c, i) => targets[i % targets.length] === t && !keptSet.has(c.doc.url)).length}/8`,
          )
          .join(', ')}`,
    );
    expect(recall).toBeGreaterThan(0.9);
    const stages = await stagesOf(out1);
    const minhash = stages.find((s) => s.name === 'dedup/minhash')!;
    expect(minhash.dropped.near_duplicate).toBe(found);
    expect(minhash.counters.clusters).toBe(found);
    expect(minhash.histograms.cluster_size!.counts[0]).toBe(found); // every cluster is a pair
  });
});

describe('exact, URL, paragraph, image-set and frequent-image dedup', () => {
  test('each method removes its planted duplicates, in OBELICS order, keeping the right copy', async () => {
    const random = seededRandom(9);
    const prose = () => randomWords(random, 40).join(' ');
    const shared = 'Share this article with your friends and subscribe to the newsletter today';
    const a = prose();
    const tasks: WebDocument[][] = [[], [], []];
    // Exact copy under another URL (kept: the first in corpus order).
    tasks[0]!.push(doc('https://a.example/1', a, img('https://a.example/p1.jpg')));
    tasks[2]!.push(doc('https://b.example/copy', `  ${a}  `, img('https://b.example/p9.jpg')));
    // Same URL crawled twice: the later crawl is kept even though it comes first... in the other order.
    tasks[0]!.push({
      ...doc('https://a.example/2', prose(), img('https://a.example/p2.jpg')),
      crawlDate: '2025-06-01T00:00:00Z',
    });
    tasks[1]!.push({
      ...doc(
        'https://a.example/2#comments',
        'newer version of the page text here',
        img('https://a.example/p2b.jpg'),
      ),
      crawlDate: '2025-09-01T00:00:00Z',
    });
    // A paragraph repeated on three pages of one domain, once on another domain.
    for (let i = 0; i < 3; i++)
      tasks[i]!.push(
        doc(`https://c.example/${i}`, `${prose()}\n\n${shared}`, img(`https://c.example/own-${i}.jpg`)),
      );
    tasks[1]!.push(doc('https://d.example/1', `${prose()}\n\n${shared}`, img('https://d.example/own.jpg')));
    // Same image set, different text: the latest crawl is kept.
    tasks[1]!.push({
      ...doc(
        'https://e.example/old',
        prose(),
        img('https://cdn.example/x.jpg'),
        img('https://cdn.example/y.jpg'),
      ),
      crawlDate: '2024-01-01T00:00:00Z',
    });
    tasks[2]!.push({
      ...doc(
        'https://f.example/new',
        prose(),
        img('https://cdn.example/y.jpg'),
        img('https://cdn.example/x.jpg'),
      ),
      crawlDate: '2025-01-01T00:00:00Z',
    });
    // An image on 12 pages (> 10): removed from every page; the pages stay.
    for (let i = 0; i < 12; i++)
      tasks[i % 3]!.push(
        doc(
          `https://g.example/${i}`,
          prose(),
          img(`https://g.example/photo-${i}.jpg`),
          img('https://ads.example/banner-ad.gif'),
        ),
      );

    const input = await tempDir();
    await writeDataset(input, tasks, webDocumentsLayout({ images: 'urls' }));
    const out = join(await tempDir(), 'out');
    const summary = await runJob(
      'dedup',
      { input, methods: ['frequent-images', 'url', 'paragraphs', 'image-set', 'exact'] },
      { outDir: out, workers: 2, durable: false },
    );
    expect(summary.committed).toBe(true);
    const layout = webDocumentsLayout({ images: 'urls' });
    const docs: WebDocument[] = [];
    for await (const row of readDatasetRows(await openDataset(out))) docs.push((await layout.fromRow(row))!);
    const urls = docs.map((d) => d.url);
    expect(urls).toContain('https://a.example/1');
    expect(urls).not.toContain('https://b.example/copy');
    expect(urls).toContain('https://a.example/2#comments');
    expect(urls).not.toContain('https://a.example/2');
    expect(urls).toContain('https://f.example/new');
    expect(urls).not.toContain('https://e.example/old');
    const texts = (u: string) =>
      docs.find((d) => d.url === u)!.blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : []));
    for (let i = 0; i < 3; i++) expect(texts(`https://c.example/${i}`).join('\n\n')).not.toContain(shared);
    expect(texts('https://d.example/1').join('\n\n')).toContain(shared);
    for (const d of docs.filter((x) => x.url.startsWith('https://g.example/'))) {
      expect(
        d.blocks.filter((b) => b.kind === 'image').map((b) => (b.kind === 'image' ? b.src : '')),
      ).toEqual([`https://g.example/photo-${d.url.split('/').pop()}.jpg`]);
    }
    expect(docs.filter((x) => x.url.startsWith('https://g.example/'))).toHaveLength(12);

    const stages = await stagesOf(out);
    const byName = Object.fromEntries(stages.map((s) => [s.name, s]));
    expect(byName['dedup/frequent-images']!.counters['images_dropped.frequent_image']).toBe(12);
    expect(byName['dedup/url']!.dropped).toEqual({ duplicate_url: 1 });
    expect(byName['dedup/paragraphs']!.counters['paragraphs_dropped.repeated_in_domain']).toBe(3);
    expect(byName['dedup/image-set']!.dropped).toEqual({ duplicate_image_set: 1 });
    expect(byName['dedup/exact']!.dropped).toEqual({ duplicate_text: 1 });
  });
});
