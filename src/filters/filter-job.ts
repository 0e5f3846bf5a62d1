// `weft filter`: runs a filter chain (a preset, tuned by a config) over a dataset, one task per input
// shard. Each filter is its own stage, so stats.json has kept / dropped counts by reason for every
// filter, documents and nodes (paragraphs, lines, images) apart: the funnel `weft inspect` shows.
import { join } from 'node:path';
import { z } from 'zod';
import { openDataset } from '../dataset/dataset-reader.js';
import { datasetShardSource, planDatasetTasks } from '../dataset/dataset-source.js';
import { inputLayout } from '../dataset/input-layout.js';
import { WeftError } from '../errors.js';
import { defineJob } from '../run/job.js';
import { buildFilterStages, FilterPlanOptions, type RecordKind, resolveSteps } from './filter-plan.js';
import { closeRejects, RejectLog, withRejects } from './rejected.js';

export const FilterJobOptions = FilterPlanOptions.extend({
  /** The input dataset directory. */
  input: z.string().min(1),
  /** Where to write what was removed (one JSON-lines file per task), for auditing. */
  rejected: z.string().min(1).optional(),
});
export type FilterJobOptions = z.output<typeof FilterJobOptions>;

function recordKind(layoutName: string, input: string): RecordKind {
  if (layoutName === 'web-documents') return 'web-documents';
  if (layoutName === 'image-text-pairs' || layoutName === 'pdf-pages') return 'single-image';
  throw new WeftError(
    'E_INPUT',
    `${input}: weft filter works on web documents, image-text pairs and PDF pages, not ${layoutName}`,
    {
      data: { path: input, layout: layoutName },
    },
  );
}

function plan(options: FilterJobOptions) {
  const steps = resolveSteps(options);
  const hasNsfw = steps.some((s) => s.filter === 'nsfw');
  const layout = inputLayout(options.input, hasNsfw ? ['nsfw'] : []);
  const kind = recordKind(layout.name, options.input);
  return { steps, layout, kind };
}

export const filterJob = defineJob({
  name: 'filter',
  description: 'Quality filters (weft filter)',
  options: FilterJobOptions,
  async planTasks(options, { log }) {
    const { steps, kind } = plan(options);
    const stages = buildFilterStages(steps, kind);
    log.info(`filter chain: ${stages.map((s) => s.name).join(' → ')}`);
    return planDatasetTasks(options.input);
  },
  layout: (options) => plan(options).layout,
  async buildPipeline(options, task, ctx) {
    const { steps, layout, kind } = plan(options);
    const handle = await openDataset(options.input);
    let stages = buildFilterStages(steps, kind);
    if (options.rejected) {
      const log = new RejectLog(join(options.rejected, `${ctx.task.id}.jsonl`));
      stages = [...stages.map((s) => withRejects(s, log)), closeRejects(log)];
    }
    return { source: datasetShardSource(handle, task.input as { file: string }, layout), stages };
  },
});
