// `weft sft` as a job. Merging by picture, decontamination, caps and the shuffle are global, so the
// work runs in three steps over one task list (one task per input file or dataset shard, evaluation sets
// first): phase `sft-eval` fingerprints the evaluation sets; phase `sft-ingest` reads, checks and
// decontaminates the training rows, and its reduce plans the whole mixture once; the main tasks then
// each write one slice of the planned conversations. Row order and content depend only on the config
// and the inputs, never on the number of workers.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { openDataset } from '../dataset/dataset-reader.js';
import { sftSamplesLayout } from '../dataset/layouts/sft-samples.js';
import { WeftError } from '../errors.js';
import { defineJob, type TaskSpec } from '../run/job.js';
import { loadTokenizerCounter } from './chat-template.js';
import {
  resolvePath,
  type SftOptions,
  SftOptions as SftOptionsSchema,
  type SourceConfig,
  sourcePaths,
} from './config.js';
import { type EvalFingerprints, EvalIndex } from './decontaminate.js';
import { ingestEvaluation, ingestTraining, type SftTaskInput } from './ingest.js';
import { buildPlan } from './plan.js';
import { inferFileType } from './read-rows.js';
import { planSliceSource, renderTemplateStage } from './write-conversations.js';

export const EVAL_PHASE = 'sft-eval';
export const INGEST_PHASE = 'sft-ingest';

async function tasksForSource(
  options: SftOptions,
  source: SourceConfig,
  role: 'train' | 'eval',
  index: number,
): Promise<TaskSpec[]> {
  const tasks: TaskSpec[] = [];
  const what = `${role === 'eval' ? 'evaluation' : 'source'} "${source.name}"`;
  for (const path of sourcePaths(options, source)) {
    if (!existsSync(path))
      throw new WeftError('E_INPUT', `${what}: ${path} does not exist`, {
        data: { path, source: source.name },
      });
    const isDir = statSync(path).isDirectory();
    const type = source.type ?? (isDir ? 'dataset' : inferFileType(path));
    if (!type) {
      throw new WeftError(
        'E_CONFIG',
        `${what}: cannot tell the file type of ${path} from its name; set type: jsonl, json, csv or dataset`,
        { data: { path, source: source.name } },
      );
    }
    const imageRoot = source.imageRoot
      ? resolvePath(options, source.imageRoot)
      : isDir
        ? path
        : dirname(path);
    const label = `${role === 'eval' ? 'eval ' : ''}${source.name} ${basename(path)}`;
    if (type === 'dataset') {
      const handle = await openDataset(path);
      for (const [i, file] of handle.dataFiles.entries()) {
        const input: SftTaskInput = { role, source: index, file, type, imageRoot };
        tasks.push({ label: `${label} shard ${i}`, input });
      }
    } else {
      const input: SftTaskInput = { role, source: index, file: path, type, imageRoot };
      tasks.push({ label, input });
    }
  }
  return tasks;
}

function checkNames(options: SftOptions): void {
  const seen = new Set<string>();
  for (const source of [...options.sources, ...options.evaluation]) {
    if (seen.has(source.name))
      throw new WeftError('E_CONFIG', `source name "${source.name}" is used twice; names must be unique`, {
        data: { source: source.name },
      });
    seen.add(source.name);
  }
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export const sftJob = defineJob({
  name: 'sft',
  description: 'SFT conversations in The Cauldron layout (weft sft)',
  options: SftOptionsSchema,
  async planTasks(options) {
    checkNames(options);
    if (options.template?.tokenizer) loadTokenizerCounter(resolvePath(options, options.template.tokenizer));
    const tasks: TaskSpec[] = [];
    for (const [i, source] of options.evaluation.entries())
      tasks.push(...(await tasksForSource(options, source, 'eval', i)));
    for (const [i, source] of options.sources.entries())
      tasks.push(...(await tasksForSource(options, source, 'train', i)));
    return tasks;
  },
  layout: (options) => sftSamplesLayout({ withText: options.template !== undefined }),
  phases: [
    {
      name: EVAL_PHASE,
      async runTask(options, task, ctx) {
        const input = task.input as SftTaskInput;
        if (input.role !== 'eval') return [];
        return ingestEvaluation(options, input, ctx.outDir, {
          log: ctx.log,
          signal: new AbortController().signal,
        });
      },
      async reduce(options, ctx) {
        const all: EvalFingerprints = { pixelSha256: [], phash: [], ngrams: [] };
        for (const dir of ctx.taskDirs) {
          const file = join(dir, 'fingerprints.json');
          if (!existsSync(file)) continue;
          const part = await readJson<EvalFingerprints>(file);
          all.pixelSha256.push(...part.pixelSha256);
          all.phash.push(...part.phash);
          all.ngrams.push(...part.ngrams);
        }
        const unique = (a: string[]) => [...new Set(a)].sort();
        const merged = {
          pixelSha256: unique(all.pixelSha256),
          phash: unique(all.phash),
          ngrams: unique(all.ngrams),
        };
        await writeFile(join(ctx.outDir, 'fingerprints.json'), JSON.stringify(merged));
        if (options.evaluation.length > 0)
          ctx.log.info(
            `evaluation sets: ${merged.pixelSha256.length} distinct images, ${merged.ngrams.length} question n-grams`,
          );
      },
    },
    {
      name: INGEST_PHASE,
      async runTask(options, task, ctx) {
        const input = task.input as SftTaskInput;
        if (input.role !== 'train') return [];
        const fingerprints = await readJson<EvalFingerprints>(
          join(ctx.phaseDir(EVAL_PHASE), 'fingerprints.json'),
        );
        const index = new EvalIndex(fingerprints, options.decontamination);
        return ingestTraining(options, input, ctx.outDir, index, {
          log: ctx.log,
          signal: new AbortController().signal,
        });
      },
      async reduce(options, ctx) {
        await mkdir(ctx.outDir, { recursive: true });
        const summary = await buildPlan(options, ctx.taskDirs, ctx.outDir, ctx.taskDirs.length);
        // Relative to the phase folder, where the reduced result ends up, so a moved run still resolves.
        const phaseRoot = dirname(ctx.outDir);
        await writeFile(
          join(ctx.outDir, 'tasks.json'),
          JSON.stringify(ctx.taskDirs.map((d) => relative(phaseRoot, d))),
        );
        ctx.log.info(
          `plan: ${summary.rowsSelected} of ${summary.rowsIngested} rows → ${summary.conversations} conversations (${summary.mergedConversations} merged by image)`,
        );
      },
    },
  ],
  async buildPipeline(options, _task, ctx) {
    const planDir = ctx.phaseDir(INGEST_PHASE);
    const taskDirs = (await readJson<string[]>(join(planDir, 'tasks.json'))).map((d) =>
      resolve(dirname(planDir), d),
    );
    const stages = options.template
      ? [
          renderTemplateStage(
            options.template,
            options.template.tokenizer ? resolvePath(options, options.template.tokenizer) : undefined,
          ),
        ]
      : [];
    return { source: planSliceSource(options, planDir, taskDirs, ctx.task.index), stages };
  },
});
