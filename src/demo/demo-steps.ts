// The steps of `weft demo`, in order: each is a job run into a subfolder of the demo's --out.
// Steps read earlier steps' outputs and the local demo site through the context; nothing uses the network.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CardOptions } from '../release/card.js';
import type { DemoSite } from './demo-site.js';

export interface StepContext {
  /** The demo's output folder (each step writes `outDir/<step.dir>`). */
  outDir: string;
  /** A website on 127.0.0.1, started on first use. */
  site(): Promise<DemoSite>;
  /** A temporary folder for generated input files. */
  inputsDir: string;
}

export interface DemoStep {
  dir: string;
  job: string;
  options:
    | Record<string, unknown>
    | ((ctx: StepContext) => Record<string, unknown> | Promise<Record<string, unknown>>);
  what: string;
  /** What the data cannot say about itself, for its card. */
  card?: CardOptions;
}

// The demo site is on 127.0.0.1: allow that one private address, nothing else.
const localFetch = { allowedPrivateRanges: ['127.0.0.1/32'], perHostRequestsPerSecond: 0 };
const generated: CardOptions = { license: 'apache-2.0', languages: ['en'] };

export const demoSteps: DemoStep[] = [
  {
    dir: 'images',
    job: 'demo-images',
    options: { count: 96 },
    what: 'synthetic captioned images (image-text pairs)',
    card: { ...generated, prettyName: 'weft demo: synthetic captioned images' },
  },
  {
    dir: 'sft',
    job: 'sft',
    options: ({ outDir }) => ({
      sources: [
        { name: 'demo-captions', path: join(outDir, 'images'), format: 'caption' },
        {
          name: 'demo-shapes',
          path: join(outDir, 'images'),
          format: 'caption',
          prompts: ['Which shape and colours are in this picture?', 'Name the shape you see and its colour.'],
        },
      ],
      template: { imageTokens: 64 },
    }),
    what: 'SFT conversations in The Cauldron layout, two caption sources merged per image',
    card: { ...generated, prettyName: 'weft demo: SFT conversations' },
  },
  {
    dir: 'images-checked',
    job: 'check',
    options: ({ outDir }) => ({
      input: join(outDir, 'images'),
      scorer: 'nsfw',
      maxScore: 0.8,
      cacheDir: join(outDir, '.cache'),
    }),
    what: 'the images scored by the bundled NSFW classifier (nsfw_score column), unsafe ones dropped',
    card: { ...generated, prettyName: 'weft demo: NSFW-checked images' },
  },
  {
    dir: 'crawl',
    job: 'crawl',
    options: async (ctx) => {
      const seeds = join(ctx.inputsDir, 'seeds.txt');
      await writeFile(seeds, `${(await ctx.site()).url}/\n`);
      return { seeds, maxDepth: 2, fetch: localFetch };
    },
    what: 'a polite crawl of a local demo site into WARC/1.1 files (crawl log + warc/)',
    card: { ...generated, prettyName: 'weft demo: crawl log' },
  },
  {
    dir: 'web-images',
    job: 'images',
    options: async (ctx) => {
      const list = join(ctx.inputsDir, 'image-urls.csv');
      const rows = (await ctx.site()).images.map((i) => `${i.url},"${i.caption.replace(/"/g, '""')}"`);
      await writeFile(list, `url,caption\n${rows.join('\n')}\n`);
      return { input: list, fetch: localFetch };
    },
    what: "the demo site's pictures downloaded, validated and resized to 980 px (image-text pairs)",
    card: { ...generated, prettyName: 'weft demo: downloaded images' },
  },
];
