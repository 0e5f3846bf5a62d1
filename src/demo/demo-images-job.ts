// The foundation demo job: synthetic pictures with captions → image-text pairs, filtered by size.
import { z } from 'zod';
import { imageTextPairsLayout } from '../dataset/layouts/image-text-pairs.js';
import { imageSize } from '../filters/image-size.js';
import { mapConcurrent } from '../pipeline/map-concurrent.js';
import type { Source, Stage } from '../pipeline/stage.js';
import { type ImageTextPair, sha256Hex } from '../records/index.js';
import { defineJob } from '../run/job.js';
import { renderSyntheticImage, type SyntheticImageSpec, syntheticImageSpec } from './synthetic-images.js';

const DemoImagesOptions = z.strictObject({
  /** Pictures to generate. */
  count: z.number().int().min(0).max(1_000_000).default(64),
  seed: z.number().int().default(42),
  imagesPerTask: z.number().int().positive().default(16),
  /** Images below this side length are dropped (some generated ones are deliberately tiny). */
  minSidePx: z.number().int().positive().default(64),
  maxAspectRatio: z.number().min(1).default(3),
});

function specSource(seed: number, start: number, end: number): Source<SyntheticImageSpec> {
  return {
    name: 'generate-specs',
    async *read() {
      for (let i = start; i < end; i++) yield syntheticImageSpec(seed, i);
    },
  };
}

const renderImages: Stage<SyntheticImageSpec, ImageTextPair> = {
  name: 'render-images',
  async *run(specs, ctx) {
    const render = async (spec: SyntheticImageSpec): Promise<ImageTextPair> => {
      const bytes = await renderSyntheticImage(spec);
      ctx.stats.count('bytes', bytes.byteLength);
      return {
        kind: 'image-text-pair',
        url: `weft-demo://images/${spec.index}.${spec.format === 'jpeg' ? 'jpg' : 'png'}`,
        caption: spec.caption,
        captionSource: 'generated',
        image: {
          bytes,
          format: spec.format,
          widthPx: spec.widthPx,
          heightPx: spec.heightPx,
          sha256: sha256Hex(bytes),
          source: `demo-${spec.index}.${spec.format === 'jpeg' ? 'jpg' : 'png'}`,
        },
      };
    };
    yield* mapConcurrent(specs, render, { concurrency: 4 });
  },
};

export const demoImagesJob = defineJob({
  name: 'demo-images',
  description: 'Synthetic captioned pictures (weft demo)',
  options: DemoImagesOptions,
  planTasks({ count, imagesPerTask }) {
    const tasks = [];
    for (let start = 0; start < count; start += imagesPerTask) {
      const end = Math.min(count, start + imagesPerTask);
      tasks.push({ label: `images ${start}-${end - 1}`, input: { start, end } });
    }
    return tasks;
  },
  layout: () => imageTextPairsLayout(),
  buildPipeline(options, task) {
    const { start, end } = task.input as { start: number; end: number };
    return {
      source: specSource(options.seed, start, end),
      stages: [
        renderImages,
        imageSize({ minSidePx: options.minSidePx, maxAspectRatio: options.maxAspectRatio }),
      ],
    };
  },
});
