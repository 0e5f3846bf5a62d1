// `weft dedup`: corpus-wide dedup as job phases. Each chosen method is a phase (per-task keys →
// barrier → one reduce → per-task decisions); a phase sees the records as the earlier methods left
// them, and the main pipeline applies every method's decisions in the same order, one stage each, so
// stats.json counts what each method removed. Which copy is kept depends only on corpus order.
import { z } from 'zod';
import { openDataset } from '../dataset/dataset-reader.js';
import { datasetShardSource, planDatasetTasks } from '../dataset/dataset-source.js';
import { inputLayout } from '../dataset/input-layout.js';
import type { Source, Stage } from '../pipeline/stage.js';
import { StageStats } from '../pipeline/stats.js';
import type { AnyRecord } from '../records/index.js';
import { type BuildContext, defineJob, type JobPhase, type TaskSpec } from '../run/job.js';
import type { Applier, DedupMethod } from './method.js';
import { exactMethod } from './methods/exact.js';
import { FrequentImagesOptions, frequentImagesMethod } from './methods/frequent-images.js';
import { imageSetMethod } from './methods/image-set.js';
import { ImagesOptions, imagesMethod } from './methods/images.js';
import { MinhashOptions, minhashMethod } from './methods/minhash.js';
import { ParagraphsOptions, paragraphsMethod } from './methods/paragraphs.js';
import { urlMethod } from './methods/url.js';

/** Methods in the order they run (OBELICS's order for the first four). */
export const DEDUP_METHODS = [
  'frequent-images',
  'url',
  'paragraphs',
  'image-set',
  'exact',
  'minhash',
  'images',
] as const;
export type DedupMethodName = (typeof DEDUP_METHODS)[number];

export const DedupJobOptions = z.strictObject({
  /** The input dataset directory. */
  input: z.string().min(1),
  /** Methods to run (always applied in the order of DEDUP_METHODS). */
  methods: z.array(z.enum(DEDUP_METHODS)).min(1).default(['url', 'exact', 'minhash']),
  minhash: MinhashOptions.default(MinhashOptions.parse({})),
  paragraphs: ParagraphsOptions.default(ParagraphsOptions.parse({})),
  frequentImages: FrequentImagesOptions.default(FrequentImagesOptions.parse({})),
  images: ImagesOptions.default(ImagesOptions.parse({})),
});
export type DedupJobOptions = z.output<typeof DedupJobOptions>;

interface MethodEntry {
  method: DedupMethod<unknown>;
  options(o: DedupJobOptions): unknown;
}

const METHODS: Record<DedupMethodName, MethodEntry> = {
  'frequent-images': {
    method: frequentImagesMethod as DedupMethod<unknown>,
    options: (o) => o.frequentImages,
  },
  url: { method: urlMethod, options: () => ({}) },
  paragraphs: { method: paragraphsMethod as DedupMethod<unknown>, options: (o) => o.paragraphs },
  'image-set': { method: imageSetMethod, options: () => ({}) },
  exact: { method: exactMethod, options: () => ({}) },
  minhash: { method: minhashMethod as DedupMethod<unknown>, options: (o) => o.minhash },
  images: { method: imagesMethod as DedupMethod<unknown>, options: (o) => o.images },
};

function enabled(options: DedupJobOptions): DedupMethodName[] {
  return DEDUP_METHODS.filter((m) => options.methods.includes(m));
}

async function sourceFor(options: DedupJobOptions, task: TaskSpec): Promise<Source<AnyRecord>> {
  const handle = await openDataset(options.input);
  return datasetShardSource(handle, task.input as { file: string }, inputLayout(options.input) as never);
}

/** Appliers of the methods before `upTo` (all enabled ones when undefined), in order. */
async function appliers(
  options: DedupJobOptions,
  ctx: Pick<BuildContext, 'phaseDir' | 'task'>,
  upTo?: DedupMethodName,
): Promise<{ name: DedupMethodName; applier: Applier }[]> {
  const out = [];
  for (const name of enabled(options)) {
    if (name === upTo) break;
    const { method, options: of } = METHODS[name];
    out.push({ name, applier: await method.applier(of(options), ctx.phaseDir(name), ctx.task.index) });
  }
  return out;
}

/** The main pipeline stage of one method: applies its decisions and counts what it removed. */
function applyStage(name: string, applier: Applier): Stage<AnyRecord> {
  return {
    name: `dedup/${name}`,
    async *run(records, ctx) {
      applier.begin?.(ctx.stats);
      for await (const [index, record] of records as AsyncIterable<[number, AnyRecord]>) {
        const decision = applier.apply(record, index, ctx.stats);
        if ('drop' in decision) ctx.stats.drop(decision.drop);
        else yield [index, decision] as never;
      }
    },
  };
}

/** Pairs each record with its index in the shard, the identity every phase's decisions refer to. */
function indexed(source: Source<AnyRecord>): Source<[number, AnyRecord]> {
  return {
    name: source.name,
    async *read(ctx) {
      let i = 0;
      for await (const record of source.read(ctx)) yield [i++, record];
    },
  };
}

const unindex: Stage<[number, AnyRecord], AnyRecord> = {
  name: 'dedup/output',
  async *run(records) {
    for await (const [, record] of records) yield record;
  },
};

function phaseOf(name: DedupMethodName): JobPhase<DedupJobOptions> {
  const { method, options: of } = METHODS[name];
  return {
    name,
    async runTask(options, task, ctx) {
      if (!options.methods.includes(name)) return [];
      const before = await appliers(options, ctx, name);
      const stats = new StageStats(`dedup/${name}/collect`);
      const scratch = new StageStats('earlier-methods');
      const collector = method.collect(of(options), {
        outDir: ctx.outDir,
        taskIndex: ctx.task.index,
        log: ctx.log,
      });
      const source = await sourceFor(options, task);
      const sourceCtx = {
        task: ctx.task,
        stats,
        log: ctx.log,
        signal: new AbortController().signal,
        scratchDir: ctx.scratchDir,
      };
      let index = 0;
      records: for await (const original of source.read(sourceCtx)) {
        const i = index++;
        let record = original;
        for (const { applier } of before) {
          const decision = applier.apply(record, i, scratch);
          if ('drop' in decision) continue records;
          record = decision;
        }
        stats.in += 1;
        await collector.add(record, i);
      }
      await collector.finish();
      stats.out = stats.in;
      return [stats.toJSON()];
    },
    async reduce(options, ctx) {
      if (!options.methods.includes(name)) return;
      await method.reduce(of(options), { taskDirs: ctx.taskDirs, outDir: ctx.outDir, log: ctx.log });
    },
  };
}

export const dedupJob = defineJob({
  name: 'dedup',
  description: 'Corpus-wide dedup (weft dedup)',
  options: DedupJobOptions,
  planTasks: (options) => planDatasetTasks(options.input),
  layout: (options) => inputLayout(options.input),
  phases: DEDUP_METHODS.map(phaseOf),
  async buildPipeline(options, task, ctx) {
    const stages: Stage<never, never>[] = [];
    for (const { name, applier } of await appliers(options, ctx))
      stages.push(applyStage(name, applier) as never);
    return { source: indexed(await sourceFor(options, task)), stages: [...stages, unindex as never] };
  },
});
