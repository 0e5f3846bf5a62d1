// The steps of `weft demo`, in order: each is a job run into a subfolder of the demo's --out.
// Steps read earlier steps' outputs and the local demo site through the context; nothing uses the network.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoPdf } from '../pdf/make-pdf.js';
import type { CardOptions } from '../release/card.js';
import type { DemoSite } from './demo-site.js';
import { writeDemoWarc } from './demo-warc.js';

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
  /** Steps whose output this one reads. */
  needs?: string[];
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
    needs: ['images'],
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
    needs: ['images'],
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
    dir: 'web',
    job: 'web',
    needs: ['crawl'],
    options: ({ outDir }) => ({ inputs: [join(outDir, 'crawl', 'warc')] }),
    what: "interleaved web documents (OBELICS layout) extracted from the crawl's WARC files",
    card: { ...generated, prettyName: 'weft demo: web documents from a crawl' },
  },
  {
    dir: 'web-images',
    job: 'images',
    needs: ['web'],
    options: ({ outDir }) => ({ input: join(outDir, 'web'), fetch: localFetch }),
    what: 'those documents with their pictures downloaded, validated and resized to 980 px, in place',
    card: { ...generated, prettyName: 'weft demo: web documents with images' },
  },
  {
    dir: 'web-pairs',
    job: 'web-pairs',
    needs: ['web'],
    options: ({ outDir }) => ({ documents: join(outDir, 'web') }),
    what: 'image–text pairs (figcaption or caption-like alt text) from those documents',
    card: { ...generated, prettyName: 'weft demo: image-text pairs from web pages' },
  },
  {
    dir: 'web-legacy',
    job: 'web',
    options: async ({ outDir }) => {
      const dir = join(outDir, 'inputs');
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'weft-demo.warc.gz');
      await writeDemoWarc(path);
      return { inputs: [path] };
    },
    what: 'web documents from a generated WARC: legacy encodings, boilerplate, a broken record',
    card: { ...generated, prettyName: 'weft demo: web documents from a generated WARC' },
  },
  {
    dir: 'documents',
    job: 'demo-documents',
    options: { count: 40 },
    what: 'synthetic interleaved web documents with boilerplate and planted duplicates',
    card: { ...generated, prettyName: 'weft demo: synthetic web documents' },
  },
  {
    dir: 'documents-filtered',
    job: 'filter',
    needs: ['documents'],
    options: ({ outDir }) => ({ input: join(outDir, 'documents'), preset: 'obelics' }),
    what: 'the documents through the OBELICS filters (paragraph and document level, NSFW)',
    card: { ...generated, prettyName: 'weft demo: filtered web documents' },
  },
  {
    dir: 'documents-deduped',
    job: 'dedup',
    needs: ['documents-filtered'],
    options: ({ outDir }) => ({
      input: join(outDir, 'documents-filtered'),
      methods: ['frequent-images', 'url', 'paragraphs', 'image-set', 'exact', 'minhash', 'images'],
    }),
    what: 'the filtered documents deduplicated (frequent images, URL, paragraphs, exact, MinHash, images)',
    card: { ...generated, prettyName: 'weft demo: deduplicated web documents' },
  },
  {
    dir: 'pdf',
    job: 'pdf',
    // A PDF weft writes itself: two columns (its stream interleaves them), a blank page, a drawing.
    options: async (ctx) => {
      const input = join(ctx.inputsDir, 'two-columns.pdf');
      await writeFile(input, demoPdf());
      return { inputs: [input] };
    },
    what: 'rendered pages of a generated two-column PDF, text in reading order',
    card: { ...generated, prettyName: 'weft demo: rendered PDF pages' },
  },
];

/** The steps to run for `--only a,b`: those named and the ones they need, in demo order. */
export function selectSteps(only: readonly string[] | undefined): DemoStep[] {
  if (!only || only.length === 0) return demoSteps;
  const byDir = new Map(demoSteps.map((s) => [s.dir, s]));
  const wanted = new Set<string>();
  const add = (dir: string) => {
    const step = byDir.get(dir);
    if (!step) throw new Error(dir);
    if (wanted.has(dir)) return;
    wanted.add(dir);
    for (const need of step.needs ?? []) add(need);
  };
  for (const dir of only) add(dir);
  return demoSteps.filter((s) => wanted.has(s.dir));
}
