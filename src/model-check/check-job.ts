// `weft check` as a job: one task per shard of the input dataset; each scores its samples with the
// chosen model and writes them in the input's own layout plus a `<name>_score` column. With a top
// fraction, a corpus-wide phase scores everything first and fixes the threshold.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { layoutOf, openDataset } from '../dataset/dataset-reader.js';
import { type DatasetShardInput, datasetShardSource, planDatasetTasks } from '../dataset/dataset-source.js';
import { type Features, f, fromHfFeature } from '../dataset/features.js';
import { type DatasetLayout, layoutForDataset, scoreColumnName } from '../dataset/layouts/index.js';
import { WeftError } from '../errors.js';
import type { Logger } from '../pipeline/logger.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import type { Sink, Stage } from '../pipeline/stage.js';
import type { AnyRecord } from '../records/index.js';
import { defineJob, type JobPhase, type TaskSpec } from '../run/job.js';
import { CheckOptions, scoreName } from './check-options.js';
import { openScoreCache } from './score-cache.js';
import { scorePolicy } from './score-policy.js';
import { scoreSamples } from './score-stage.js';
import { scorerFor } from './scorers/index.js';

const THRESHOLD_FILE = 'threshold.json';

function inputFeatures(dir: string): { features: Features; layoutName?: string } {
  let splitDir = dir;
  const dictPath = join(dir, 'dataset_dict.json');
  if (existsSync(dictPath)) {
    const splits = (JSON.parse(readFileSync(dictPath, 'utf8')) as { splits?: string[] }).splits ?? [];
    splitDir = join(dir, splits[0] ?? '');
  }
  const infoPath = join(splitDir, 'dataset_info.json');
  if (!existsSync(infoPath))
    throw new WeftError('E_INPUT', `${dir} is not a dataset: it has no dataset_info.json`, {
      data: { path: dir },
    });
  const info = JSON.parse(readFileSync(infoPath, 'utf8')) as { features?: Record<string, unknown> };
  const features: Record<string, NonNullable<ReturnType<typeof fromHfFeature>>> = {};
  for (const [name, json] of Object.entries(info.features ?? {})) {
    const feature = fromHfFeature(json);
    if (feature) features[name] = feature;
  }
  const statsPath = join(splitDir, 'stats.json');
  const layoutName = existsSync(statsPath)
    ? (JSON.parse(readFileSync(statsPath, 'utf8')) as { layout?: string }).layout
    : undefined;
  return { features, ...(layoutName ? { layoutName } : {}) };
}

/** The input's layout with this run's score column added (existing score columns are kept). */
function outputLayout(options: CheckOptions): DatasetLayout<AnyRecord> {
  const { features, layoutName } = inputFeatures(options.input);
  const withScore = { ...features, [scoreColumnName(scoreName(options))]: f.float32 };
  const layout = layoutForDataset(withScore, layoutName);
  if (!layout)
    throw new WeftError(
      'E_INPUT',
      `${options.input}: columns ${Object.keys(features).join(', ')} match no weft record kind`,
      { data: { path: options.input } },
    );
  if (
    layout.name === 'web-documents' &&
    features.images?.type === 'list' &&
    features.images.item.type !== 'image'
  )
    throw new WeftError(
      'E_INPUT',
      `${options.input} holds image URLs, not images: download the images first, then check the result`,
      { data: { path: options.input } },
    );
  return layout as DatasetLayout<AnyRecord>;
}

function cacheRoot(options: CheckOptions): string {
  return (
    options.cacheDir ?? join(process.env.WEFT_CACHE_DIR ?? join(homedir(), '.cache', 'weft'), 'model-check')
  );
}

async function scoringStages(options: CheckOptions, log: Logger): Promise<Stage<AnyRecord>> {
  const scorer = await scorerFor(options, log);
  const cache = options.cache
    ? await openScoreCache(cacheRoot(options), scorer.kind, scorer.fingerprint)
    : undefined;
  return scoreSamples({
    scorer,
    name: scoreName(options),
    aggregate: options.aggregate,
    contextChars: options.contextChars,
    maxTextChars: options.maxTextChars,
    ...(cache ? { cache } : {}),
  });
}

async function shardSource(options: CheckOptions, task: TaskSpec) {
  const handle = await openDataset(options.input);
  return datasetShardSource<AnyRecord>(
    handle,
    task.input as DatasetShardInput,
    layoutOf(handle) as DatasetLayout<AnyRecord>,
  );
}

/** Scores every task's samples once (into the cache) and fixes the top-fraction threshold. */
const scorePhase: JobPhase<CheckOptions> = {
  name: 'score',
  async runTask(options, task, ctx) {
    const name = scoreName(options);
    const scores: number[] = [];
    const collect: Sink<AnyRecord> = {
      name: 'collect-scores',
      async write(records) {
        for await (const record of records) scores.push(record.scores?.[name] ?? Number.NaN);
      },
    };
    const result = await runPipeline(
      {
        source: await shardSource(options, task),
        stages: [await scoringStages(options, ctx.log)],
        sink: collect,
      },
      { task: ctx.task, log: ctx.log, scratchDir: ctx.scratchDir },
    );
    // float64: the threshold must compare exactly with the (float64) scores the second pass reads.
    await writeFile(join(ctx.outDir, 'scores.f64'), new Float64Array(scores));
    return result.stages;
  },
  async reduce(options, ctx) {
    const all: number[] = [];
    for (const dir of ctx.taskDirs) {
      const bytes = await readFile(join(dir, 'scores.f64'));
      const values = new Float64Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
      for (const v of values) if (Number.isFinite(v)) all.push(v);
    }
    all.sort((a, b) => b - a);
    const fraction = options.keepTopFraction ?? 1;
    const keep = Math.ceil(fraction * all.length);
    const threshold = keep > 0 ? all[keep - 1]! : null;
    ctx.log.info(`top ${fraction}: ${keep} of ${all.length} scored samples, threshold ${threshold}`);
    await mkdir(ctx.outDir, { recursive: true });
    await writeFile(
      join(ctx.outDir, THRESHOLD_FILE),
      JSON.stringify({ fraction, scored: all.length, threshold }),
    );
  },
};

function checkJob(name: string, withPhase: boolean) {
  return defineJob({
    name,
    description: withPhase
      ? 'Scores samples with a model and keeps the top fraction (weft check --keep-top)'
      : 'Scores samples with a model and keeps, drops or annotates them (weft check)',
    options: CheckOptions,
    planTasks(options) {
      if (withPhase !== (options.keepTopFraction !== undefined))
        throw new WeftError(
          'E_CONFIG',
          withPhase
            ? `job ${name} needs keepTopFraction; use job check for a score range or annotation`
            : `keepTopFraction needs job check-top (weft check --keep-top does this)`,
          { data: { job: name } },
        );
      return planDatasetTasks(options.input);
    },
    layout: outputLayout,
    ...(withPhase ? { phases: [scorePhase] } : {}),
    async buildPipeline(options, task, ctx) {
      const stages: Stage<AnyRecord>[] = [await scoringStages(options, ctx.log)];
      const name = scoreName(options);
      if (withPhase) {
        const file = join(ctx.phaseDir('score'), THRESHOLD_FILE);
        const { threshold } = JSON.parse(await readFile(file, 'utf8')) as { threshold: number | null };
        if (threshold !== null)
          stages.push(scorePolicy({ name, minScore: threshold, belowReason: 'below_top_fraction' }));
      } else if (options.minScore !== undefined || options.maxScore !== undefined) {
        stages.push(
          scorePolicy({
            name,
            ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
            ...(options.maxScore !== undefined ? { maxScore: options.maxScore } : {}),
          }),
        );
      }
      return { source: await shardSource(options, task), stages };
    },
  });
}

export const checkJobDefinition = checkJob('check', false);
/** The same job with the scoring phase; `weft check --keep-top` runs this one. */
export const checkTopJobDefinition = checkJob('check-top', true);
