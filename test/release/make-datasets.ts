// Small real datasets of every record kind for the card and export tests: a registered job whose
// records carry synthetic images, scores, sources and languages, with a filter so stats.json has a
// funnel with drop reasons. Runs through runJob in-process (workers: 1).
import { z } from 'zod';
import { pdfPagesLayout } from '../../src/dataset/layouts/pdf-pages.js';
import { sftSamplesLayout } from '../../src/dataset/layouts/sft-samples.js';
import { webDocumentsLayout } from '../../src/dataset/layouts/web-documents.js';
import { renderSyntheticImage, syntheticImageSpec } from '../../src/demo/synthetic-images.js';
import { registerJob } from '../../src/jobs/index.js';
import { defineStage } from '../../src/pipeline/stage.js';
import { type AnyRecord, type ImageValue, sha256Hex } from '../../src/records/index.js';
import { defineJob, type JobDefinition } from '../../src/run/job.js';
import { runJob } from '../../src/run/run-job.js';

const Options = z.strictObject({
  kind: z.enum(['sft', 'web', 'pdf']),
  count: z.number().int().min(0).default(30),
});

async function image(index: number): Promise<ImageValue> {
  const spec = syntheticImageSpec(5, index);
  const bytes = await renderSyntheticImage(spec);
  return {
    bytes,
    format: spec.format,
    widthPx: spec.widthPx,
    heightPx: spec.heightPx,
    sha256: sha256Hex(bytes),
  };
}

export async function makeRecord(kind: 'sft' | 'web' | 'pdf', i: number): Promise<AnyRecord> {
  if (kind === 'sft') {
    const sources = ['vqav2', 'chartqa', 'ai2d'];
    const turns = Array.from({ length: 1 + (i % 3) }, (_, t) => ({
      user: `Question ${t} about picture ${i}?`,
      assistant: `Answer ${'x'.repeat(i % 7)}`,
      source: sources[(i + (i % 4 === 0 ? t : 0)) % 3]!,
    }));
    return {
      kind: 'sft-sample',
      images: i % 5 === 4 ? [] : [await image(i), ...(i % 3 === 0 ? [await image(i + 100)] : [])],
      turns,
      scores: { quality: i % 6 === 5 ? null : (i % 10) / 10 },
    };
  }
  if (kind === 'web') {
    return {
      kind: 'web-document',
      url: `https://${['example.com', 'www.blog.org', 'news.net'][i % 3]}/page/${i}`,
      language: i % 4 === 0 ? 'fr' : 'en',
      warc: { filename: `crawl-${i % 2}.warc.gz`, offset: i * 1000, length: 900 },
      blocks: [
        { kind: 'text', text: `Document ${i} ${'words '.repeat(i + 1)}` },
        ...(i % 3 === 2
          ? []
          : [{ kind: 'image' as const, src: `https://example.com/img/${i}.jpg`, image: await image(i) }]),
        { kind: 'image', src: `https://example.com/missing/${i}.jpg` },
        { kind: 'text', text: 'The end.' },
      ],
    };
  }
  return {
    kind: 'pdf-page',
    source: `doc-${i % 4}.pdf`,
    page: 1 + Math.floor(i / 4),
    pageCount: 10,
    image: await image(i),
    text: i % 5 === 0 ? '' : `Page text ${i} `.repeat(i),
    words: [{ text: 'Page', x0: 0.1, y0: 0.1, x1: 0.2, y1: 0.15 }],
    needsOcr: i % 5 === 0,
    metadata: { title: `Doc ${i % 4}` },
  };
}

export const testRecordsJob = defineJob({
  name: 'test-records',
  description: 'Records of one kind for card and export tests',
  options: Options,
  planTasks: ({ count }) => [
    { label: 'first half', input: { start: 0, end: Math.floor(count / 2) } },
    { label: 'second half', input: { start: Math.floor(count / 2), end: count } },
  ],
  layout: ({ kind }) =>
    kind === 'sft'
      ? sftSamplesLayout({ scoreNames: ['quality'] })
      : kind === 'web'
        ? webDocumentsLayout({ images: 'bytes' })
        : pdfPagesLayout(),
  buildPipeline({ kind }, task) {
    const { start, end } = task.input as { start: number; end: number };
    return {
      source: {
        name: 'make-records',
        async *read() {
          for (let i = start; i < end; i++) yield await makeRecord(kind, i);
        },
      },
      stages: [
        defineStage<AnyRecord>('drop-every-seventh', async function* (records, ctx) {
          let i = start;
          for await (const record of records) {
            if (i++ % 7 === 6) ctx.stats.drop(i % 2 === 0 ? 'robots_disallowed' : 'too_short');
            else yield record;
          }
        }),
      ],
    };
  },
});

registerJob('test-records', async () => testRecordsJob as unknown as JobDefinition);

export async function buildRecords(kind: 'sft' | 'web' | 'pdf', outDir: string, count = 30): Promise<void> {
  await runJob('test-records', { kind, count }, { outDir, workers: 1, durable: false });
}

export async function buildPairs(outDir: string, count = 40): Promise<void> {
  await runJob('demo-images', { count, imagesPerTask: 20 }, { outDir, workers: 1, durable: false });
}
