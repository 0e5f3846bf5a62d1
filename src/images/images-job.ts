// `weft images`: image URLs → image bytes. Documents keep their order and text, with each image block
// given its bytes (the URL stays in the metadata) or removed with the reason counted; pairs and URL
// lists become image–text pairs, a pair whose image failed is dropped with the reason.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageTextPairsLayout } from '../dataset/layouts/image-text-pairs.js';
import { webDocumentsLayout } from '../dataset/layouts/web-documents.js';
import type { Stage } from '../pipeline/stage.js';
import type { ImageValue } from '../records/image.js';
import { defineJob } from '../run/job.js';
import { downloadPhase, imageUrlsPhase } from './download-phases.js';
import { ImageStoreReader, type ImageStoreReader as Reader } from './image-store.js';
import {
  type ImagesRecord,
  imagesInputSource,
  loadUrlFilter,
  planImagesTasks,
  resolveInputFormat,
} from './images-input.js';
import { ImagesOptions } from './images-options.js';

/** Reads dataset_info.json synchronously (layouts are chosen synchronously): documents or pairs, and score columns. */
function inputShape(options: ImagesOptions): { documents: boolean; scoreNames: string[] } {
  if (resolveInputFormat(options) !== 'dataset') return { documents: false, scoreNames: [] };
  let features: Record<string, unknown> = {};
  try {
    const info = JSON.parse(readFileSync(join(options.input, 'dataset_info.json'), 'utf8')) as {
      features?: Record<string, unknown>;
    };
    features = info.features ?? {};
  } catch {
    // No dataset_info.json: the reader falls back to the shard schema; treat as pairs unless it has texts.
  }
  const names = Object.keys(features);
  return {
    documents: names.includes('texts') && names.includes('images'),
    scoreNames: names.filter((n) => n.endsWith('_score')).map((n) => n.slice(0, -'_score'.length)),
  };
}

async function lookupImage(reader: Reader, url: string): Promise<ImageValue | { reason: string }> {
  const found = await reader.lookup(url);
  if (!found) return { reason: 'not_downloaded' };
  const { entry, bytes } = found;
  if (!entry.ok || !bytes) return { reason: entry.ok ? 'not_downloaded' : entry.reason };
  const image: ImageValue = {
    bytes,
    format: entry.format,
    widthPx: entry.widthPx,
    heightPx: entry.heightPx,
    sha256: entry.sha256,
    source: url,
  };
  if (entry.phash) image.phash = entry.phash;
  return image;
}

function attachImages(options: ImagesOptions, storesFile: string): Stage<ImagesRecord, ImagesRecord> {
  return {
    name: 'attach-images',
    async *run(records, ctx) {
      const reader = new ImageStoreReader(JSON.parse(await readFile(storesFile, 'utf8')) as string[]);
      const filter = await loadUrlFilter(options);
      try {
        for await (const record of records) {
          if (record.kind === 'image-text-pair') {
            if (record.image) {
              yield record;
              continue;
            }
            if (filter && !filter.has(record.url)) {
              ctx.stats.drop('not_retried');
              continue;
            }
            const result = await lookupImage(reader, record.url);
            if ('reason' in result) ctx.stats.drop(result.reason);
            else yield { ...record, image: result };
            continue;
          }
          if (filter && !record.blocks.some((b) => b.kind === 'image' && !b.image && filter.has(b.src))) {
            ctx.stats.drop('not_retried');
            continue;
          }
          const blocks: typeof record.blocks = [];
          for (const block of record.blocks) {
            if (block.kind !== 'image' || block.image) {
              blocks.push(block);
              continue;
            }
            if (filter && !filter.has(block.src)) {
              ctx.stats.count('images_dropped.not_retried');
              continue;
            }
            const result = await lookupImage(reader, block.src);
            if ('reason' in result) {
              ctx.stats.count(`images_dropped.${result.reason}`);
            } else {
              ctx.stats.count('images_attached');
              blocks.push({ ...block, image: result });
            }
          }
          yield { ...record, blocks };
        }
      } finally {
        await reader.close();
      }
    },
  };
}

export const imagesJob = defineJob({
  name: 'images',
  description: 'Image URLs downloaded, validated and resized (weft images)',
  options: ImagesOptions,
  planTasks: (options) => planImagesTasks(options),
  layout(options) {
    const shape = inputShape(options);
    return shape.documents
      ? webDocumentsLayout({ images: 'bytes', scoreNames: shape.scoreNames })
      : imageTextPairsLayout({ scoreNames: shape.scoreNames });
  },
  phases: [imageUrlsPhase, downloadPhase],
  async buildPipeline(options, task, ctx) {
    return {
      source: await imagesInputSource(options, task),
      stages: [attachImages(options, join(ctx.phaseDir('download'), 'stores.json'))],
    };
  },
});
