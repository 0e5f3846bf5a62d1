// A job is what a command runs: options (zod), a deterministic split of its input into tasks, the
// layout of its output, and the pipeline for one task. Jobs are looked up by name, so a worker process,
// a Slurm array task or a queue worker can rebuild any task's pipeline from (job, options, task).
import type { z } from 'zod';
import type { DatasetLayout } from '../dataset/layouts/layout.js';
import type { Logger } from '../pipeline/logger.js';
import type { Source, Stage, TaskInfo } from '../pipeline/stage.js';

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
}

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}
