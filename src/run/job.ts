// A job is what a command runs: options (zod), a deterministic split of its input into tasks, the
// layout of its output, and the pipeline for one task. Jobs are looked up by name, so a worker process,
// a Slurm array task or a queue worker can rebuild any task's pipeline from (job, options, task).
import type { z } from 'zod';
import type { DatasetLayout } from '../dataset/layouts/layout.js';
import type { Logger } from '../pipeline/logger.js';
import type { Source, Stage, TaskInfo } from '../pipeline/stage.js';
import type { StageStatsJson } from '../pipeline/stats.js';

/** One unit of work: a JSON-serializable description of its input (a file, a line range, an id range). */
export interface TaskSpec {
  /** Shown in logs and progress (e.g. the WARC file name). */
  label: string;
  input: unknown;
}

export interface PlanContext {
  log: Logger;
}

export interface BuildContext {
  task: TaskInfo;
  log: Logger;
  /** Scratch directory of this task attempt. */
  scratchDir: string;
  /**
   * Files this task publishes next to the dataset (e.g. WARC files), by their path relative to the
   * output directory. They are moved there when the dataset is committed, listed in stats.json, and
   * removed with the dataset; a failed attempt's files are discarded with it.
   */
  filesDir: string;
  /**
   * A folder of this task that outlives failed attempts (e.g. a crawl frontier, so a killed task
   * resumes where it stopped rather than from scratch). Removed when the dataset is committed.
   */
  stateDir: string;
  /** The reduced result folder of a phase that ran before the main tasks. */
  phaseDir(name: string): string;
}

export interface PhaseTaskContext extends BuildContext {
  /** This task's private output folder for the phase; published only if the task finishes. */
  outDir: string;
}

export interface ReduceContext {
  log: Logger;
  /** Output folders of the phase's tasks, in task order. */
  taskDirs: string[];
  /** Where the reduced result goes (becomes `phaseDir(name)` for later phases and the main tasks). */
  outDir: string;
  /** Files the reduce publishes next to the dataset (see BuildContext.filesDir). */
  filesDir: string;
  phaseDir(name: string): string;
}

/**
 * A corpus-wide phase (MinHash signatures, image frequencies…): every task runs `runTask` over its
 * input, then, once all are done (the barrier), `reduce` combines their outputs once. Later phases and
 * the main pipelines read the reduced result through `phaseDir(name)`.
 */
export interface JobPhase<O = unknown> {
  name: string;
  runTask(options: O, task: TaskSpec, ctx: PhaseTaskContext): Promise<StageStatsJson[] | undefined>;
  reduce(options: O, ctx: ReduceContext): Promise<void>;
}

export interface JobPipeline {
  // biome-ignore lint/suspicious/noExplicitAny: stages are typed where the job builds them
  source: Source<any>;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  stages: Stage<any, any>[];
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** Registry key (kebab-case). */
  name: string;
  description: string;
  options: S;
  planTasks(options: z.output<S>, ctx: PlanContext): Promise<TaskSpec[]> | TaskSpec[];
  // biome-ignore lint/suspicious/noExplicitAny: the layout's record type matches the last stage's output
  layout(options: z.output<S>): DatasetLayout<any>;
  buildPipeline(options: z.output<S>, task: TaskSpec, ctx: BuildContext): Promise<JobPipeline> | JobPipeline;
  /** Corpus-wide phases run, in order and each behind a barrier, before the main tasks. */
  phases?: JobPhase<z.output<S>>[];
}

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}
