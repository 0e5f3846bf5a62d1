// Demo web documents (no network): prose with images from a few synthetic sites, plus what filters
// and dedup exist for: share-bar and cookie paragraphs, site logos on every page, tiny icons, exact
// copies under other URLs, edited near-copies and re-crawls of the same URL.
import { z } from 'zod';
import { webDocumentsLayout } from '../dataset/layouts/web-documents.js';
import type { Source } from '../pipeline/stage.js';
import { type ImageValue, sha256Hex } from '../records/image.js';
import type { Block, WebDocument } from '../records/web-document.js';
import { defineJob } from '../run/job.js';
import { renderSyntheticImage, syntheticImageSpec } from './synthetic-images.js';
import { seededRandom, syntheticParagraph } from './synthetic-text.js';

const DemoDocumentsOptions = z.strictObject({
  count: z.number().int().min(0).max(100_000).default(60),
  seed: z.number().int().default(7),
  docsPerTask: z.number().int().positive().default(20),
  sites: z.number().int().min(1).default(3),
});
type DemoDocumentsOptions = z.output<typeof DemoDocumentsOptions>;

const BOILERPLATE = [
  'Share this post on Facebook, Twitter and Pinterest. Subscribe to our newsletter and follow us for more!',
  'This website uses cookies. Read our privacy policy and cookie policy. Accept cookies.',
];

async function image(
  seed: number,
  index: number,
  force?: { widthPx: number; heightPx: number },
): Promise<ImageValue> {
  const spec = { ...syntheticImageSpec(seed, index), ...force };
  if (!force && (spec.widthPx < 160 || spec.widthPx / spec.heightPx > 2)) {
    spec.widthPx = 320 + (index % 5) * 40;
    spec.heightPx = 240;
  }
  const bytes = await renderSyntheticImage(spec);
  return {
    bytes,
    format: spec.format,
    widthPx: spec.widthPx,
    heightPx: spec.heightPx,
    sha256: sha256Hex(bytes),
  };
}

/** Document `i` before planting duplicates: a deterministic function of (seed, i). */
async function originalDocument(o: DemoDocumentsOptions, i: number): Promise<WebDocument> {
  const random = seededRandom(o.seed * 7919 + i);
  const site = `https://site-${i % o.sites}.example`;
  const blocks: Block[] = [{ kind: 'text', text: `Article ${i}` }];
  const paragraphs = 3 + Math.floor(random() * 3);
  for (let p = 0; p < paragraphs; p++) {
    blocks.push({ kind: 'text', text: syntheticParagraph(random, 3 + Math.floor(random() * 3)) });
    if (p === 0) {
      const src = `${site}/media/photo-${i}.jpg`;
      blocks.push({ kind: 'image', src, alt: `photo ${i}`, image: await image(o.seed, i) });
    }
  }
  blocks.push({ kind: 'text', text: BOILERPLATE[i % BOILERPLATE.length]! });
  blocks.push({
    kind: 'image',
    src: `${site}/assets/site-logo.png`,
    image: await image(o.seed, 100_000 + (i % o.sites), { widthPx: 200, heightPx: 160 }),
  });
  if (i % 4 === 0) {
    blocks.push({
      kind: 'image',
      src: `${site}/static/rss.png`,
      image: await image(o.seed, 200_000, { widthPx: 32, heightPx: 32 }),
    });
  }
  return {
    kind: 'web-document',
    url: `${site}/articles/${i}`,
    blocks,
    crawlDate: `2025-0${1 + (i % 6)}-1${i % 10}T12:00:00Z`,
  };
}

/** Every 10th document copies an earlier one (other URL); every 10th + 5 edits one; every 10th + 7 re-crawls one. */
async function demoDocument(o: DemoDocumentsOptions, i: number): Promise<WebDocument> {
  const source = i - 3 - (i % 7);
  if (i < 10 || source < 0) return originalDocument(o, i);
  if (i % 10 === 0)
    return { ...(await originalDocument(o, source)), url: `https://mirror.example/copy/${i}` };
  if (i % 10 === 5) {
    const doc = await originalDocument(o, source);
    const random = seededRandom(i);
    // Edited text and its own photo: only MinHash can tell it is the same article.
    const photo = await image(o.seed, i);
    const blocks = doc.blocks.map((b) =>
      b.kind === 'text' && b.text.length > 200
        ? { ...b, text: b.text.replace(/\b(old|small|quiet|busy)\b/g, (w) => (random() < 0.5 ? 'new' : w)) }
        : b.kind === 'image' && b.src.includes('/media/')
          ? { ...b, src: `${b.src}?v=${i}`, image: photo }
          : b,
    );
    return { ...doc, url: `${doc.url}?edited=${i}`, blocks };
  }
  if (i % 10 === 7) return { ...(await originalDocument(o, source)), crawlDate: '2026-01-01T00:00:00Z' };
  return originalDocument(o, i);
}

function documentSource(o: DemoDocumentsOptions, start: number, end: number): Source<WebDocument> {
  return {
    name: 'generate-documents',
    async *read() {
      for (let i = start; i < end; i++) yield demoDocument(o, i);
    },
  };
}

export const demoDocumentsJob = defineJob({
  name: 'demo-documents',
  description: 'Synthetic interleaved web documents with planted boilerplate and duplicates (weft demo)',
  options: DemoDocumentsOptions,
  planTasks({ count, docsPerTask }) {
    const tasks = [];
    for (let start = 0; start < count; start += docsPerTask) {
      const end = Math.min(count, start + docsPerTask);
      tasks.push({ label: `documents ${start}-${end - 1}`, input: { start, end } });
    }
    return tasks;
  },
  layout: () => webDocumentsLayout({ images: 'bytes' }),
  buildPipeline(options, task) {
    const { start, end } = task.input as { start: number; end: number };
    return { source: documentSource(options, start, end), stages: [] };
  },
});
